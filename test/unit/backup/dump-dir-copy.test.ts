import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DUMP_DIR } from '../../../src/backup/dump-layout';
import type { BackupFile } from '../../../src/backup/manifest';
import { receiveDumpDir } from '../../../src/backup/receive-dump-dir';
import { tarHeader, tarOfFiles } from '../../../src/backup/tar-of-files';
import { UpgradeError } from '../../../src/errors';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'engram-dumpdir-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A backup dir holding a small directory dump; one file spans several 512-byte blocks and a partial one. */
async function source(): Promise<{ dir: string; files: BackupFile[] }> {
  const dir = join(work, 'backup');
  await mkdir(join(dir, DUMP_DIR), { recursive: true });
  const contents: Record<string, Buffer> = {
    'toc.dat': Buffer.from('PGDMP table of contents'),
    '3401.dat.zst': Buffer.alloc(5000, 7),
    '3402.dat.zst': Buffer.alloc(0),
  };
  const files: BackupFile[] = [];
  for (const [name, b] of Object.entries(contents)) {
    await writeFile(join(dir, DUMP_DIR, name), b);
    files.push({ name: `${DUMP_DIR}/${name}`, bytes: b.length, sha256: sha(b) });
  }
  return { dir, files };
}

async function receive(tar: Readable, into = join(work, 'out')): Promise<BackupFile[]> {
  const { sink, files } = await receiveDumpDir(into, 'zstd');
  await Promise.allSettled([pipeline(tar, sink)]);
  return files;
}

async function refused(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeError);
  return err as UpgradeError;
}

function craft(
  entries: { name: string; type?: 'file' | 'symlink' | 'directory'; body?: string }[],
): Readable {
  const p = pack();
  for (const e of entries) {
    if (e.type === 'symlink') p.entry({ name: e.name, type: 'symlink', linkname: '/etc/passwd' });
    else if (e.type === 'directory') p.entry({ name: e.name, type: 'directory' });
    else p.entry({ name: e.name }, e.body ?? 'x');
  }
  p.finalize();
  return Readable.from(p as unknown as AsyncIterable<Buffer>);
}

describe('the copy of a directory-format dump', () => {
  it('round-trips: what tarOfFiles sends, receiveDumpDir writes with the same hashes, files 0600 in a 0700 dir', async () => {
    const { dir, files } = await source();
    const received = await receive(tarOfFiles(dir, files, { backupId: 'b' }));
    expect(received).toEqual([...files].sort((a, b) => (a.name < b.name ? -1 : 1)));
    expect((await stat(join(work, 'out'))).mode & 0o777).toBe(0o700);
    for (const name of await readdir(join(work, 'out'))) {
      expect((await stat(join(work, 'out', name))).mode & 0o777).toBe(0o600);
    }
    expect(await readFile(join(work, 'out', '3401.dat.zst'))).toEqual(Buffer.alloc(5000, 7));
  });

  it('accepts the ./ entries tar -cf - . writes', async () => {
    const got = await receive(craft([{ name: './', type: 'directory' }, { name: './toc.dat' }]));
    expect(got.map((f) => f.name)).toEqual([`${DUMP_DIR}/toc.dat`]);
  });

  it('refuses traversal, subdirectories, links and names pg_dump does not write', async () => {
    for (const bad of [
      [{ name: '../escape.dat.zst' }],
      [{ name: './sub/3401.dat.zst' }],
      [{ name: '/tmp/abs.dat.zst' }],
      [{ name: 'toc.dat', type: 'symlink' as const }],
      [{ name: 'sub', type: 'directory' as const }],
      [{ name: 'notes.sql' }],
      [{ name: 'toc.dat' }, { name: 'toc.dat' }],
    ]) {
      const into = await mkdtemp(join(work, 'case-'));
      await rm(into, { recursive: true });
      const err = await refused(receive(craft(bad), into));
      expect(err.code, JSON.stringify(bad)).toBe('BACKUP_FAILED');
      // Nothing was written outside the directory.
      expect(await readdir(work)).not.toContain('escape.dat.zst');
    }
  });

  it('stops with BACKUP_CORRUPT before the last chunk of a file that changed since it was checked', async () => {
    const { dir, files } = await source();
    await writeFile(join(dir, DUMP_DIR, '3401.dat.zst'), Buffer.alloc(5000, 8));
    const chunks: Buffer[] = [];
    const err = await refused(
      (async () => {
        for await (const c of tarOfFiles(dir, files, { backupId: 'b' })) chunks.push(c as Buffer);
      })(),
    );
    expect(err.code).toBe('BACKUP_CORRUPT');
    expect(err.message).toContain('db.dir/3401.dat.zst read for the restore is not the file backup b lists');
    // Never the whole changed file: its last bytes were held back.
    expect(Buffer.concat(chunks).includes(Buffer.alloc(5000, 8))).toBe(false);
  });

  it('writes a valid ustar header, and a base-256 size beyond 8 GiB', () => {
    const h = tarHeader('toc.dat', 10);
    expect(h.toString('ascii', 257, 262)).toBe('ustar');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    expect(Number.parseInt(h.toString('ascii', 148, 154), 8)).toBe(sum);
    const big = tarHeader('3401.dat.zst', 2 ** 34 + 5);
    expect(big[124]).toBe(0x80);
    expect(big.readUInt32BE(132)).toBe(5);
    expect(big[131]).toBe(4);
  });
});
