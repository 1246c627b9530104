import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DUMP_FILE } from '../../../src/backup';
import { listArchive } from '../../../src/backup/verify-backup';
import { backupDir } from '../fakes/backup-dir';
import { container, FakeDocker, type FakeReply } from '../fakes/fake-docker';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function listWith(reply: FakeReply) {
  const b = await backupDir();
  dirs.push(b.dir);
  const docker = new FakeDocker([container({ name: 'pg' })], async (e) => {
    await e.stdinText();
    return reply;
  });
  return listArchive(docker, 'pg-id', join(b.dir, DUMP_FILE), b.manifest).catch((err: unknown) => err);
}

describe('listArchive', () => {
  it('counts the entries pg_restore --list reads', async () => {
    expect(
      await listWith({
        exitCode: 0,
        stdout: '; header\n1; 2 3 TABLE public users\n2; 4 5 TABLE public notes\n',
      }),
    ).toBe(2);
  });

  it('an archive pg_restore rejects is BACKUP_CORRUPT', async () => {
    const err = await listWith({
      exitCode: 1,
      stderr: 'pg_restore: error: input file does not appear to be a valid archive',
    });
    expect(err).toMatchObject({ code: 'BACKUP_CORRUPT' });
  });

  it('a pg_restore killed or cut off (the container stopped), or one that cannot run, judged nothing: not BACKUP_CORRUPT', async () => {
    for (const exitCode of [137, 143, null, 127]) {
      const err = await listWith({ exitCode, stderr: '' });
      expect(err, String(exitCode)).toMatchObject({ code: 'DOCKER_OPERATION' });
      expect((err as Error).message).toContain('could not check the archive');
    }
  });
});
