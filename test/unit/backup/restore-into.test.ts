import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../../src/backup';
import { restoreInto } from '../../../src/backup/restore-into';
import { UpgradeError } from '../../../src/errors';
import { backupDir } from '../fakes/backup-dir';
import { container, FakeDocker, type FakeExec, type FakeReply } from '../fakes/fake-docker';
import { psqlResponder } from '../fakes/fake-psql';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/**
 * A Postgres container as restoreInto meets it: psql answers, and a small file system in /tmp that
 * `mktemp -d`, `sh -c 'cat > "$1"'` and `rm -rf` act on, so a test can see what is left in it.
 */
function postgres(opts: { nproc: string; restoreExit?: number }) {
  const files = new Map<string, Buffer>();
  const dirsMade = new Set<string>();
  const restores: string[][] = [];
  const other = async (e: FakeExec): Promise<FakeReply> => {
    const [cmd, ...args] = e.cmd;
    if (cmd === 'sh' && args[1]!.startsWith('rm -rf')) {
      const prefix = `${args.at(-1)!}.`;
      for (const d of [...dirsMade]) if (d.startsWith(prefix)) dirsMade.delete(d);
      for (const f of [...files.keys()]) if (f.startsWith(prefix)) files.delete(f);
      if (!args[1]!.includes('mktemp')) return { exitCode: 0 };
      // The working directory is made in the same script, after the clean-up; then nproc.
      const dir = `${prefix}A1b2C3d4`;
      dirsMade.add(dir);
      return { exitCode: 0, stdout: `${dir}\n${opts.nproc}\n` };
    }
    if (cmd === 'sh') {
      files.set(args.at(-1)!, Buffer.from(await e.stdinText(), 'latin1'));
      return { exitCode: 0 };
    }
    if (cmd === 'pg_restore') {
      restores.push(e.cmd);
      const file = e.cmd.at(-1)!;
      if (!files.has(file)) return { exitCode: 1, stderr: `pg_restore: error: could not open ${file}` };
      return { exitCode: opts.restoreExit ?? 0, stderr: opts.restoreExit ? 'pg_restore: error: boom' : '' };
    }
    if (cmd === 'rm') {
      const dir = args.at(-1)!;
      dirsMade.delete(dir);
      for (const f of [...files.keys()]) if (f.startsWith(`${dir}/`)) files.delete(f);
      return { exitCode: 0 };
    }
    return { exitCode: 127, stderr: `${cmd}: not found` };
  };
  const docker = new FakeDocker(
    [container({ name: 'pg' })],
    psqlResponder((sql) => (sql.startsWith('SELECT oid') ? [['16390']] : []), { sql: [] }, other),
  );
  return { docker, files, dirsMade, restores };
}

async function fixture(): Promise<{ dir: string; manifest: BackupManifest }> {
  const b = await backupDir();
  dirs.push(b.dir);
  return b;
}

const input = (docker: FakeDocker, dir: string) => ({
  docker,
  containerId: 'pg-id',
  user: 'engram',
  database: 'restored',
  backupDir: dir,
});

describe('restoreInto', () => {
  it("copies the dump into a private directory of the container, restores it with the container's processors as jobs (at most 4), and removes the copy", async () => {
    const { dir } = await fixture();
    const pg = postgres({ nproc: '8' });
    await restoreInto(input(pg.docker, dir));
    expect(pg.restores).toHaveLength(1);
    const argv = pg.restores[0]!;
    expect(argv).toContain('--jobs=4');
    expect(argv.at(-1)).toMatch(/^\/tmp\/engram-upgrade-[0-9a-f]{12}\.[A-Za-z0-9]+\/db\.dump$/);
    expect(pg.dirsMade.size).toBe(0);
    expect(pg.files.size).toBe(0);
  });

  it('takes the jobs it is given, and one job on a single processor', async () => {
    const { dir } = await fixture();
    const one = postgres({ nproc: '1' });
    await restoreInto(input(one.docker, dir));
    expect(one.restores[0]).toContain('--jobs=1');
    const given = postgres({ nproc: '8' });
    await restoreInto({ ...input(given.docker, dir), jobs: 2 });
    expect(given.restores[0]).toContain('--jobs=2');
  });

  it('refuses a dump that is not the one the manifest lists before pg_restore reads it, and removes the copy', async () => {
    const { dir, manifest } = await fixture();
    const pg = postgres({ nproc: '2' });
    const changed = { ...manifest, files: [{ ...manifest.files[0]!, sha256: 'f'.repeat(64) }] };
    const err = await restoreInto({ ...input(pg.docker, dir), manifest: changed }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as UpgradeError).code).toBe('BACKUP_CORRUPT');
    expect(pg.restores).toHaveLength(0);
    expect(pg.dirsMade.size).toBe(0);
  });

  it('removes the copy when pg_restore fails, and says it failed', async () => {
    const { dir } = await fixture();
    const pg = postgres({ nproc: '2', restoreExit: 1 });
    const err = await restoreInto(input(pg.docker, dir)).catch((e: unknown) => e);
    expect((err as UpgradeError).code).toBe('RESTORE_FAILED');
    expect((err as UpgradeError).message).toContain('boom');
    expect(pg.dirsMade.size).toBe(0);
  });

  it("removes a copy an earlier, killed restore into the same database left, and no other database's", async () => {
    const { dir } = await fixture();
    const pg = postgres({ nproc: '2' });
    const sameDatabase = (await restoreIntoDirOf(pg, dir)).replace(/\.[A-Za-z0-9]+$/, '.KiLLeD01');
    const otherDatabase = '/tmp/engram-upgrade-0123456789ab.OtHeR001';
    pg.dirsMade.add(sameDatabase);
    pg.files.set(`${sameDatabase}/db.dump`, Buffer.from('old copy'));
    pg.dirsMade.add(otherDatabase);
    await restoreInto(input(pg.docker, dir));
    expect([...pg.dirsMade]).toEqual([otherDatabase]);
    expect(pg.files.size).toBe(0);
  });
});

/** The directory a restore into `input`'s database uses (seen on a first restore). */
async function restoreIntoDirOf(pg: ReturnType<typeof postgres>, dir: string): Promise<string> {
  await restoreInto(input(pg.docker, dir));
  return pg.restores
    .at(-1)!
    .at(-1)!
    .replace(/\/db\.dump$/, '');
}
