import { describe, expect, it } from 'vitest';
import { composeConfigHash } from '../../../src/compose/config-hash';
import { goJson } from '../../../src/compose/go-json';
import { lookupIn } from '../../../src/compose/interpolate';
import { buildServiceModel, type ServiceModel, serviceEnvFiles } from '../../../src/compose/service-model';
import { readServiceSource } from '../../../src/compose/service-source';

const DIR = '/tmp/hx2';

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

// A service using most of what the reader covers, and an override file merged over it. The two hashes
// are the config-hash labels docker compose 2.26.1 (compose-go 2.4.8) wrote on containers created from
// exactly these files, with the env files below, in /tmp/hx2; the integration test
// test/integration/compose/config-hash.test.ts checks the same against the compose on the machine.
const RICH = `x-common: &common
  restart: on-failure:3
services:
  app:
    <<: *common
    image: 127.0.0.1:5000/library/postgres:15
    command: sleep "infinity  x" 'a b' c\\ d
    entrypoint: ["/bin/sh", "-c", "exec \\"$$@\\"", "--"]
    working_dir: /tmp/
    user: "999"
    hostname: labhost
    domainname: example.test
    stop_grace_period: 90s
    stop_signal: SIGINT
    env_file:
      - conf/a.env
      - path: conf/missing.env
        required: false
      - conf/b.env
    environment:
      - FROM_DOTENV
      - NOT_ANYWHERE
      - PLAIN=1
      - ESC=<a&b>
    labels:
      - lab=1
      - other.label=\${LABEL_VALUE:-dflt}
    ports:
      - "127.0.0.1:18101-18102:9001-9002/udp"
      - 18103:9003
      - target: 9004
        published: 18104
        host_ip: 127.0.0.1
      - "9005"
    expose: ["7000", "7001-7002/udp"]
    logging:
      driver: json-file
      options:
        max-size: 10m
        max-file: 3
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {memory: 64m}
    cpu_shares: 512
    shm_size: 64m
    sysctls: ["net.core.somaxconn=1024"]
    tmpfs: /run/lab
    extra_hosts:
      db.internal: 10.0.0.5
      "v6.internal": "::1"
    dns: 1.1.1.1
    security_opt: ["no-new-privileges:true"]
    read_only: true
    init: true
    tty: true
    stdin_open: true
    cap_add: [SYS_PTRACE]
    cap_drop: [NET_RAW, MKNOD]
    group_add: [users]
    ulimits:
      nproc: 512
      nofile: {soft: 1024, hard: 2048}
    volumes:
      - ./data:/data:ro,z
      - type: bind
        source: ./conf
        target: /conf
        read_only: true
      - type: tmpfs
        target: /scratch
        tmpfs: {size: 10m}
      - named:/named:nocopy
      - /anon/
    networks:
      front:
        priority: 10
        aliases: [app-front]
      back:
    depends_on: [other]
    healthcheck:
      test: pg_isready -h localhost || exit 1
      interval: 1m
      timeout: 1500ms
      start_period: 0s
      start_interval: 2s
      retries: 0
    x-note: ignored
  other:
    image: 127.0.0.1:5000/library/postgres:15
    network_mode: none
volumes: {named: {}}
networks: {front: {}, back: {}}
`;
const OVERRIDE = `services:
  app:
    command: ["sleep", "1000"]
    environment:
      PLAIN: "2"
      EXTRA: yes
    labels:
      lab: "1"
      added: "x"
    ports:
      - 18103:9003
      - 18105:9005
    volumes:
      - /tmp:/data
    cap_drop: [NET_RAW, SETUID]
    networks:
      front:
        aliases: [second-alias]
    healthcheck:
      retries: 4
    logging:
      options:
        max-file: 5
    pids_limit: 0
    mem_swappiness: 0
    x-more: 1
`;
const RICH_ENV = {
  env: { FROM_DOTENV: 'dotenv-value', LABEL_VALUE: 'lv' },
  envFiles: {
    [`${DIR}/conf/a.env`]: 'A_ONE=1\nSHARED=from-a\nREF=${FROM_DOTENV}-x\n',
    [`${DIR}/conf/b.env`]: 'SHARED=from-b\nB_ONLY="two words"\n',
  },
};

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
