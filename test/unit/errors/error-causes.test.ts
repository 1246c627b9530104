import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore } from '../../../src/backup';
import { PsqlSession } from '../../../src/db/psql-session';
import { openDeployment } from '../../../src/deployment/deployment';
import type { ContainerRecord } from '../../../src/docker/docker-port';
import { InvalidInputError, UpgradeError } from '../../../src/errors';
import { loadTestcontainers } from '../../../src/testing/load-testcontainers';
import { backupDir } from '../fakes/backup-dir';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';
import { psqlResponder, type SqlAnswer } from '../fakes/fake-psql';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function rejection(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeError);
  return err as UpgradeError;
}

const postgres = () =>
  composeContainer('engram', 'postgres', {
    image: 'postgres:18.1',
    env: ['POSTGRES_USER=engram', 'POSTGRES_PASSWORD=pw-canary', 'POSTGRES_DB=engram'],
  });

describe('an error that wraps another keeps it', () => {
  it('executeRestore: a failed step is RESTORE_FAILED with the inner error as cause and its code visible', async () => {
    const { dir } = await backupDir();
    dirs.push(dir);
    const answer = (sql: string): SqlAnswer => {
      if (sql.includes('server_version_num')) return [['180001', '16384']];
      if (sql.includes('FROM pg_database WHERE datname')) return [['16384']];
      if (sql.startsWith('CREATE DATABASE')) return { error: 'permission denied to create database' };
      if (sql.includes('pg_try_advisory_lock')) return [['true']];
      return [];
    };
    const docker = new FakeDocker([postgres()], psqlResponder(answer));
    const target = await openDeployment({ project: 'engram', docker });
    const plan = await restore(dir, target, { stateDir: join(dir, '.state') });
    const err = await rejection(executeRestore(target, plan));

    expect(err.code).toBe('RESTORE_FAILED');
    expect(err.causeCode).toBe('DATABASE');
    expect(err.cause).toBeInstanceOf(UpgradeError);
    expect((err.cause as UpgradeError).code).toBe('DATABASE');
    expect(err.message).toContain('permission denied to create database [DATABASE]');
    expect(err.message).toContain('The target database engram was not changed');
    expect(err.toJSON()).toMatchObject({ code: 'RESTORE_FAILED', causeCode: 'DATABASE', step: 'staging' });
  });

  it('executeBackup: a database error inside the backup is BACKUP_FAILED with the DATABASE error as cause', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'engram-backup-cause-'));
    dirs.push(dir);
    const answer = (sql: string): SqlAnswer => {
      if (sql.includes('server_version')) return [['18.1', '180001', '1000']];
      if (sql.startsWith('BEGIN')) return { error: 'could not serialize access' };
      if (sql.includes('pg_try_advisory_lock')) return [['true']];
      return [];
    };
    const docker = new FakeDocker([postgres()], psqlResponder(answer));
    const dep = await openDeployment({ project: 'engram', docker });
    const stateDir = await mkdtemp(join(tmpdir(), 'engram-state-cause-'));
    dirs.push(stateDir);
    const plan = await backup(dep, { dir, requiredFreeBytes: 0, stateDir });
    const err = await rejection(executeBackup(dep, plan));
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.causeCode).toBe('DATABASE');
    expect(err.message).toContain('could not serialize access [DATABASE]');
    expect(err.message).toContain('the partial files were removed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('PsqlSession: a Docker failure under the session is the cause of the DATABASE error', async () => {
    const stopped = composeContainer('engram', 'postgres', { running: false });
    const docker = new FakeDocker([stopped]);
    const session = PsqlSession.open(docker, stopped.id, 'engram', 'engram');
    const err = await rejection(session.query('SELECT 1'));
    expect(err.code).toBe('DATABASE');
    expect(err.causeCode).toBe('DOCKER_OPERATION');
    expect((err.cause as UpgradeError).message).toContain('is not running');
    await session.close();
  });

  it('a plan that does not validate is INVALID_INPUT (with the schema error as cause), not a raw ZodError', async () => {
    const docker = new FakeDocker([postgres()]);
    const dep = await openDeployment({ project: 'engram', docker });
    for (const p of [
      executeBackup(dep, { kind: 'backup' } as never),
      executeRestore(dep, { kind: 'restore', formatVersion: 2 } as never),
    ]) {
      const err = await rejection(p);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toContain('plan is not valid');
      expect((err.cause as Error).name).toBe('ZodError');
    }
    expect(docker.calls.filter((c) => c.method !== 'findContainers')).toEqual([]);
  });
});

/** A Docker whose lookups of one compose service fail, as when the engine stops answering mid-call. */
class FlakyDocker extends FakeDocker {
  override async findContainers(labels: Record<string, string>): Promise<ContainerRecord[]> {
    if (labels['com.docker.compose.service'] === 'engram') {
      throw new UpgradeError('DOCKER_UNAVAILABLE', { message: 'Could not list containers: ECONNREFUSED' });
    }
    return super.findContainers(labels);
  }
}

describe('a Docker failure is not "no container"', () => {
  it('Deployment.secrets() rejects instead of returning a set without the app’s secrets', async () => {
    const dep = await openDeployment({ project: 'engram', docker: new FlakyDocker([postgres()]) });
    expect((await rejection(dep.secrets())).code).toBe('DOCKER_UNAVAILABLE');
  });

  it('backup planning rejects instead of planning as if the app were absent', async () => {
    const docker = new FlakyDocker(
      [postgres()],
      psqlResponder(() => [['18.1', '180001', '1000']]),
    );
    const dep = await openDeployment({ project: 'engram', docker });
    expect((await rejection(backup(dep, { dir: '/tmp/engram-never-written' }))).code).toBe(
      'DOCKER_UNAVAILABLE',
    );
  });

  it('an app container that really is absent is still fine', async () => {
    const docker = new FakeDocker([postgres()]);
    const dep = await openDeployment({ project: 'engram', docker });
    expect(await dep.findApp()).toBeUndefined();
    expect((await dep.secrets()).redact('pw-canary')).toBe('[redacted]');
  });
});

describe('the testing entry without testcontainers', () => {
  it('says TESTBED and how to install it, keeping the loader error as cause', async () => {
    const missing = Object.assign(new Error("Cannot find package 'testcontainers' imported from /app/x.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const err = await rejection(loadTestcontainers(() => Promise.reject(missing)));
    expect(err.code).toBe('TESTBED');
    expect(err.message).toContain('npm install --save-dev testcontainers');
    expect(err.message).toContain('No container, network or file was created');
    expect(err.cause).toBe(missing);
  });

  it('loads it when present', async () => {
    const tc = await loadTestcontainers();
    expect(typeof tc.DockerComposeEnvironment).toBe('function');
  });
});
