import { rm } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRATCH_LABEL } from '../../../src/backup/scratch-postgres';
import { verifyBackup } from '../../../src/backup/verify-backup';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { AbortedError, UpgradeError } from '../../../src/errors';
import { errnoIn } from '../../../src/errors/errno';
import { backupDir } from '../fakes/backup-dir';
import { FakeDocker } from '../fakes/fake-docker';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

async function fixture() {
  const b = await backupDir();
  dirs.push(b.dir);
  return b;
}

describe('cancellation has one form', () => {
  it('AbortedError is the class of every ABORTED error, and of nothing else', () => {
    const wrapped = new UpgradeError('ABORTED', { message: 'a cancelled upgrade with its own fields' });
    expect(wrapped).toBeInstanceOf(AbortedError);
    expect(new AbortedError({ message: 'x' }).code).toBe('ABORTED');
    expect(new UpgradeError('DATABASE', { message: 'x' })).not.toBeInstanceOf(AbortedError);
    expect(new Error('aborted')).not.toBeInstanceOf(AbortedError);
    expect(new DOMException('This operation was aborted', 'AbortError')).not.toBeInstanceOf(AbortedError);
  });

  it('verifyBackup with a signal that already fired rejects with AbortedError, before Docker is touched', async () => {
    const { dir } = await fixture();
    const docker = new FakeDocker();
    const err = await rejection(
      verifyBackup(dir, { docker, postgresImage: 'postgres:18', signal: AbortSignal.abort() }),
    );
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).not.toBeInstanceOf(DOMException);
    expect((err as AbortedError).code).toBe('ABORTED');
    expect((err as AbortedError).message).toContain('The backup was only read');
    expect(docker.calls).toEqual([]);
  });

  it('verifyBackup aborted while pg_restore reads the archive: AbortedError, the provoked failure as its cause, scratch removed', async () => {
    const { dir } = await fixture();
    const ac = new AbortController();
    const docker = new FakeDocker([], async (e) => {
      if (e.cmd[0] === 'pg_isready') return { exitCode: 0 };
      if (e.cmd[0] === 'pg_restore') {
        await e.stdinText();
        ac.abort();
        return { exitCode: 1, stderr: 'pg_restore: error: could not read input file: interrupted' };
      }
      return { exitCode: 127 };
    });
    const err = await rejection(
      verifyBackup(dir, { docker, postgresImage: 'postgres:18', signal: ac.signal }),
    );
    expect(err).toBeInstanceOf(AbortedError);
    const cause = (err as AbortedError).cause as UpgradeError;
    expect(cause).toBeInstanceOf(UpgradeError);
    expect(cause.code).toBe('BACKUP_CORRUPT');
    expect((err as AbortedError).causeCode).toBe('BACKUP_CORRUPT');
    expect(docker.containers.filter((c) => SCRATCH_LABEL in c.labels)).toEqual([]);
  });

  it('verifyBackup aborted while the throwaway Postgres starts: AbortedError, never the bare DOMException', async () => {
    const { dir } = await fixture();
    const ac = new AbortController();
    const docker = new FakeDocker([], (e) => {
      if (e.cmd[0] === 'pg_isready') ac.abort();
      return { exitCode: 2, stderr: 'no response' };
    });
    const err = await rejection(
      verifyBackup(dir, { docker, postgresImage: 'postgres:18', signal: ac.signal }),
    );
    expect(err).toBeInstanceOf(AbortedError);
    expect(docker.containers).toEqual([]);
  });
});

/** A dockerode-shaped client whose exec streams through `stream`. */
function clientStreaming(stream: PassThrough, exitCode = 0) {
  const calls: string[] = [];
  return {
    calls,
    client: {
      modem: {},
      listContainers: async () => [],
      getContainer: (id: string) => ({
        exec: async () => {
          calls.push(`exec ${id}`);
          return {
            start: async () => stream,
            inspect: async () => ({ Running: false, ExitCode: exitCode }),
          };
        },
      }),
    },
  };
}

describe('DockerodeDocker.exec reports stream failures as UpgradeErrors', () => {
  it('a broken Docker stream is DOCKER_OPERATION with the stream error as its cause', async () => {
    const stream = new PassThrough();
    const { client } = clientStreaming(stream);
    const running = new DockerodeDocker(client).exec('0123456789abcdef', { cmd: ['pg_dump', '-Fc'] });
    setImmediate(() => stream.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    const err = (await rejection(running)) as UpgradeError;
    expect(err).toBeInstanceOf(UpgradeError);
    expect(err.code).toBe('DOCKER_OPERATION');
    expect(err.message).toContain('run pg_dump in container 0123456789ab');
    expect(err.message).toContain('the stream from Docker broke');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('a full disk under the caller’s output stream stays visible through the wrapping', async () => {
    const stream = new PassThrough();
    const { client } = clientStreaming(stream);
    const full = new Writable({
      write(_chunk, _e, cb) {
        cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      },
    });
    const running = new DockerodeDocker(client).exec('abc', { cmd: ['pg_dump'], stdout: full });
    // One stdout frame: kind 1, three zero bytes, big-endian length, payload.
    const payload = Buffer.from('PGDMP');
    const header = Buffer.alloc(8);
    header.writeUInt8(1, 0);
    header.writeUInt32BE(payload.length, 4);
    stream.write(Buffer.concat([header, payload]));
    const err = (await rejection(running)) as UpgradeError;
    expect(err.code).toBe('DOCKER_OPERATION');
    expect(err.message).toContain('writing its output failed');
    expect(errnoIn(err)).toBe('ENOSPC');
  });

  it('an abort mid-stream is an AbortedError; an abort before the call touches nothing', async () => {
    const stream = new PassThrough();
    const { client, calls } = clientStreaming(stream);
    const docker = new DockerodeDocker(client);
    const ac = new AbortController();
    const running = docker.exec('abc', { cmd: ['pg_restore'], signal: ac.signal });
    setImmediate(() => ac.abort());
    expect(await rejection(running)).toBeInstanceOf(AbortedError);
    expect(calls).toEqual(['exec abc']);

    const before = await rejection(docker.exec('abc', { cmd: ['psql'], signal: AbortSignal.abort() }));
    expect(before).toBeInstanceOf(AbortedError);
    expect(calls).toEqual(['exec abc']);
  });
});
