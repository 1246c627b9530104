import { describe, expect, it } from 'vitest';
import { ContainerDir } from '../../../src/backup/container-dir';
import { UpgradeError } from '../../../src/errors';
import { container, FakeDocker, type FakeReply } from '../fakes/fake-docker';

/** A Postgres container whose one `sh -c` script answers with `reply`; the argv it got is kept. */
function postgres(reply: FakeReply) {
  const argv: string[][] = [];
  const docker = new FakeDocker([container({ name: 'pg' })], (e) => {
    argv.push(e.cmd);
    return reply;
  });
  return { docker, argv };
}

describe('ContainerDir.create', () => {
  it('clears what a killed run of the same key left, makes the directory and reads nproc in one exec', async () => {
    const pg = postgres({ exitCode: 0, stdout: '/tmp/engram-upgrade-0123456789ab.Xy12Ab34\n3\n' });
    const dir = await ContainerDir.create(pg.docker, 'pg-id', 'restored');
    expect(pg.argv).toHaveLength(1);
    const [sh, dashC, script, , prefix] = pg.argv[0]!;
    expect([sh, dashC]).toEqual(['sh', '-c']);
    // The prefix is an argument of the script, never part of its text.
    expect(script).toMatch(/^rm -rf -- "\$1"\.\* .*mktemp -d "\$1\.XXXXXXXX".*nproc/);
    expect(prefix).toMatch(/^\/tmp\/engram-upgrade-[0-9a-f]{12}$/);
    expect(script).not.toContain(prefix);
    expect(dir.path).toBe('/tmp/engram-upgrade-0123456789ab.Xy12Ab34');
    expect(dir.processors).toBe(3);
  });

  it('takes one processor when nproc printed nothing usable', async () => {
    for (const stdout of [
      '/tmp/engram-upgrade-0123456789ab.Xy12Ab34\n',
      '/tmp/engram-upgrade-0123456789ab.Xy12Ab34\nx\n',
    ]) {
      const dir = await ContainerDir.create(postgres({ exitCode: 0, stdout }).docker, 'pg-id', 'restored');
      expect(dir.processors).toBe(1);
    }
  });

  it('says which copies could not be removed when the clean-up fails, and makes no directory', async () => {
    const pg = postgres({ exitCode: 90, stderr: 'rm: cannot remove: Read-only file system\n' });
    const err = await ContainerDir.create(pg.docker, 'pg-id', 'restored').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as UpgradeError).code).toBe('DOCKER_OPERATION');
    expect((err as UpgradeError).message).toMatch(
      /could not be removed: rm: cannot remove: Read-only file system/,
    );
  });

  it('refuses a path mktemp did not make in its own template', async () => {
    const pg = postgres({ exitCode: 0, stdout: '/var/lib/postgresql\n2\n' });
    const err = await ContainerDir.create(pg.docker, 'pg-id', 'restored', { failure: 'BACKUP_FAILED' }).catch(
      (e: unknown) => e,
    );
    expect((err as UpgradeError).code).toBe('BACKUP_FAILED');
    expect((err as UpgradeError).message).toContain('Could not create a working directory');
  });
});
