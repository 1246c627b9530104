import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_HASH_LABEL, composeConfigHash } from '../../../src/compose/config-hash';
import { loadServiceModel } from '../../../src/compose/load-service-model';
import { Deployment } from '../../../src/deployment/deployment';
import type { DockerPort, DockerRecreatePort } from '../../../src/docker/docker-port';
import { UpgradeError } from '../../../src/errors';
import { chooseDriver } from '../../../src/upgrade/recreate-driver';
import { FakeDocker } from '../fakes/fake-docker';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A compose project on disk (the engine driver reads its files) and its file set. */
function project(compose: string) {
  const dir = mkdtempSync(join(tmpdir(), 'engram-driver-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'compose.yaml'), compose);
  writeFileSync(join(dir, '.env'), 'POSTGRES_PASSWORD=pw\n');
  return {
    project: 'proj',
    workingDir: dir,
    configFiles: [join(dir, 'compose.yaml')],
    envFile: join(dir, '.env'),
  };
}

const COMPOSE = `services:
  engram:
    image: ghcr.io/engram-app/engram:0.15.0
    environment: {DATABASE_URL: "ecto://engram:\${POSTGRES_PASSWORD}@postgres/engram"}
  postgres:
    image: postgres:18
`;

/** A Docker port that can (or, with `recreate: false`, cannot) create containers. */
function deployment(recreate = true): Deployment {
  const docker: DockerPort = new FakeDocker();
  if (recreate) {
    const unused = async () => {
      throw new Error('not used while planning');
    };
    Object.assign(docker, {
      containerSettings: unused,
      imageVolumes: unused,
      createContainer: unused,
      renameContainer: unused,
      removeContainerKeepVolumes: unused,
    } satisfies Record<keyof DockerRecreatePort, unknown>);
  }
  return new Deployment({ project: 'proj', appService: 'engram', dbService: 'postgres', docker });
}

async function hashOf(files: ReturnType<typeof project>): Promise<string> {
  const loaded = await loadServiceModel(files, 'engram');
  if (!loaded.ok) throw new Error('unsupported');
  return composeConfigHash(loaded.model);
}

describe('chooseDriver', () => {
  it('takes compose when asked, or when auto finds docker compose answering', async () => {
    const files = project('not: [valid yaml');
    const hasCompose = async () => true;
    expect(await chooseDriver(deployment(), files, 'compose', { appLabels: {}, hasCompose })).toMatchObject({
      driver: 'compose',
      warnings: [],
    });
    expect(await chooseDriver(deployment(), files, 'auto', { appLabels: {}, hasCompose })).toMatchObject({
      driver: 'compose',
      why: 'docker compose answers on this host',
    });
  });

  it('takes the engine driver when auto finds no compose, and checks it can reproduce compose’s hash', async () => {
    const files = project(COMPOSE);
    const appLabels = { [CONFIG_HASH_LABEL]: await hashOf(files) };
    const chosen = await chooseDriver(deployment(), files, 'auto', {
      appLabels,
      hasCompose: async () => false,
    });
    expect(chosen).toEqual({
      driver: 'engine',
      why: 'docker compose does not answer on this host',
      warnings: [],
    });
    const drifted = await chooseDriver(deployment(), files, 'engine', {
      appLabels: { [CONFIG_HASH_LABEL]: 'written-by-another-compose' },
    });
    expect(drifted.driver).toBe('engine');
    expect(drifted.warnings).toEqual([
      expect.stringMatching(/differs from the one on its container.*recreate it once more/),
    ]);
  });

  it('refuses before any change when the engine driver cannot stand in for compose', async () => {
    const files = project(COMPOSE.replace('  postgres:', '    secrets: [db_password]\n  postgres:'));
    const unsupported = await chooseDriver(deployment(), files, 'engine', { appLabels: {} }).catch(
      (e: unknown) => e,
    );
    expect(unsupported).toBeInstanceOf(UpgradeError);
    expect(unsupported).toMatchObject({ code: 'RECREATE_UNSUPPORTED', unchanged: 'Nothing was changed' });
    expect((unsupported as Error).message).toContain('secrets');
    const noPort = await chooseDriver(deployment(false), project(COMPOSE), 'auto', {
      appLabels: {},
      hasCompose: async () => false,
    }).catch((e: unknown) => e);
    expect(noPort).toMatchObject({ code: 'RECREATE_UNSUPPORTED' });
    expect((noPort as Error).message).toMatch(/docker compose does not answer.*cannot create containers/);
  });
});
