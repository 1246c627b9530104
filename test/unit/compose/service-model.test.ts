import { describe, expect, it } from 'vitest';
import { composeConfigHash } from '../../../src/compose/config-hash';
import { goJson } from '../../../src/compose/go-json';
import { lookupIn } from '../../../src/compose/interpolate';
import { buildServiceModel, type ServiceModel, serviceEnvFiles } from '../../../src/compose/service-model';
import { readServiceSource } from '../../../src/compose/service-source';
import { DIR, OVERRIDE, RICH, RICH_ENV } from './rich-service';

/** Loads `service` from in-memory files, the way `loadServiceModel` does from disk. */
function load(
  texts: string[],
  service = 'app',
  opts: { env?: Record<string, string>; envFiles?: Record<string, string | null> } = {},
) {
  const env = new Map(Object.entries(opts.env ?? {}));
  const files = texts.map((text, i) => ({ path: `${DIR}/compose${i}.yaml`, text }));
  const source = readServiceSource(files, service, lookupIn(env), DIR);
  const envFiles = new Map(serviceEnvFiles(source).map((f) => [f.path, opts.envFiles?.[f.path] ?? null]));
  return buildServiceModel(source, env, envFiles);
}

function model(...args: Parameters<typeof load>): ServiceModel {
  const r = load(...args);
  if (!r.ok) throw new Error(`unsupported: ${r.unsupported.join(', ')}`);
  return r.model;
}

describe('compose config hash', () => {
  it('matches what docker compose wrote for one file, and for the same file with an override merged over it', () => {
    expect(composeConfigHash(model([RICH], 'app', RICH_ENV))).toBe(
      '746e2f8d438181180f7e59b0b52c9167750535a571cba078cb6c415fd7ef9b47',
    );
    expect(composeConfigHash(model([RICH, OVERRIDE], 'app', RICH_ENV))).toBe(
      '2f86f6c3ee12c963adece07a4af10b4f17b2475c8468c752e9668cc0ca6ae7f1',
    );
  });

  it('changes with the image, and with an environment value read from an env file', () => {
    const base = composeConfigHash(model([RICH], 'app', RICH_ENV));
    const other = RICH.replace('postgres:15\n    command', 'postgres:17\n    command');
    expect(composeConfigHash(model([other], 'app', RICH_ENV))).not.toBe(base);
    const envFiles = { ...RICH_ENV.envFiles, [`${DIR}/conf/b.env`]: 'SHARED=from-b\nB_ONLY="three words"\n' };
    expect(composeConfigHash(model([RICH], 'app', { ...RICH_ENV, envFiles }))).not.toBe(base);
  });
});

describe('loading a service as compose does', () => {
  it('writes the service in compose-go field order, with its defaults and nothing compose leaves out', () => {
    const m = model(
      [
        `services:
  engram:
    image: ghcr.io/engram-app/engram:0.15.0
    env_file: [.env]
    environment:
      DATABASE_URL: ecto://engram:\${POSTGRES_PASSWORD}@postgres:5432/engram
    ports: ["127.0.0.1:4000:4000"]
    restart: unless-stopped
    depends_on: {postgres: {condition: service_healthy}}
    healthcheck:
      test: ["CMD-SHELL", "curl -sf http://localhost:4000/api/health || exit 1"]
      interval: 2s
      retries: 3
    pull_policy: always
    scale: 1
  postgres:
    image: postgres:18
`,
      ],
      'engram',
      {
        env: { POSTGRES_PASSWORD: 'pw' },
        envFiles: { [`${DIR}/.env`]: 'POSTGRES_PASSWORD=pw\nMASTER_KEY=k\n' },
      },
    );
    expect(goJson(m.value)).toBe(
      '{"command":null,"depends_on":{"postgres":{"condition":"service_healthy","required":true}},"entrypoint":null,' +
        '"environment":{"DATABASE_URL":"ecto://engram:pw@postgres:5432/engram","MASTER_KEY":"k","POSTGRES_PASSWORD":"pw"},' +
        '"healthcheck":{"test":["CMD-SHELL","curl -sf http://localhost:4000/api/health || exit 1"],"interval":"2s","retries":3},' +
        '"image":"ghcr.io/engram-app/engram:0.15.0","networks":{"default":null},' +
        '"ports":[{"mode":"ingress","host_ip":"127.0.0.1","target":4000,"published":"4000","protocol":"tcp"}],' +
        '"restart":"unless-stopped"}',
    );
    expect(m.declares).toMatchObject({ command: false, entrypoint: false, healthcheck: true, user: false });
    expect(m.exposedPorts).toEqual(['4000/tcp']);
  });

  it('resolves the environment: env files in order, then environment:, names without a value from the project env', () => {
    const m = model(
      [
        `services:\n  app:\n    image: x\n    env_file: [one.env, two.env]\n    environment: [SHARED, FROM_PROJECT, UNSET, OWN=own]\n`,
      ],
      'app',
      {
        env: { FROM_PROJECT: 'p', SHARED: 'project-wins-over-files' },
        envFiles: { [`${DIR}/one.env`]: 'SHARED=one\nA=1\n', [`${DIR}/two.env`]: 'SHARED=two\nB=${A}2\n' },
      },
    );
    expect([...m.environment]).toEqual([
      ['SHARED', 'project-wins-over-files'],
      ['A', '1'],
      ['B', '12'],
      ['FROM_PROJECT', 'p'],
      ['UNSET', null],
      ['OWN', 'own'],
    ]);
  });

  it('lists what it does not reproduce instead of guessing a hash', () => {
    const r = load([
      `services:\n  app:\n    image: x\n    secrets: [s]\n    network_mode: service:db\n    frobnicate: 1\n    deploy: {placement: {constraints: [a]}}\n    x-fine: 1\n`,
    ]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.unsupported).toEqual(
      expect.arrayContaining(['secrets', 'frobnicate', 'deploy.placement', 'network_mode (service:db)']),
    );
    const missing = load([`services:\n  app:\n    image: x\n    env_file: gone.env\n`]);
    expect(!missing.ok && missing.unsupported).toEqual([`env_file ${DIR}/gone.env (not readable)`]);
    expect(load([`services:\n  app:\n    build: .\n`]).ok).toBe(false);
  });

  it('keeps pointer fields compose writes even when false or zero', () => {
    const m = model([
      `services:\n  app:\n    image: x\n    init: false\n    healthcheck: {retries: 0}\n    privileged: false\n`,
    ]);
    expect(goJson(m.value)).toBe(
      '{"command":null,"entrypoint":null,"healthcheck":{"retries":0},"image":"x","init":false,"networks":{"default":null}}',
    );
  });
});
