import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HashingFileWriter } from '../../../src/backup/hashing-file-writer';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engram-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HashingFileWriter', () => {
  it('writes the bytes, and its sha256 and size match the file on disk', async () => {
    const parts = [randomBytes(3 << 20), randomBytes(17), Buffer.alloc(0), randomBytes(100_000)];
    const path = join(dir, 'db.dump');
    const w = new HashingFileWriter(path);
    await pipeline(Readable.from(parts), w);
    const onDisk = await readFile(path);
    expect(onDisk.equals(Buffer.concat(parts))).toBe(true);
    expect(w.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect(w.bytes).toBe(onDisk.length);
  });

  it('creates the file readable by its owner only', async () => {
    const path = join(dir, 'db.dump');
    await pipeline(Readable.from([Buffer.from('x')]), new HashingFileWriter(path));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('hashes an empty stream as the sha256 of nothing', async () => {
    const w = new HashingFileWriter(join(dir, 'empty'));
    await pipeline(Readable.from([]), w);
    expect(w.sha256).toBe(createHash('sha256').digest('hex'));
    expect(w.bytes).toBe(0);
  });

  it('refuses to overwrite an existing file and leaves it as it was', async () => {
    const path = join(dir, 'db.dump');
    await writeFile(path, 'the good backup');
    const w = new HashingFileWriter(path);
    await expect(pipeline(Readable.from([Buffer.from('garbage')]), w)).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(await readFile(path, 'utf8')).toBe('the good backup');
    expect(() => w.sha256).toThrow(/not finished/);
  });

  it('reports progress every 8 MiB', async () => {
    const seen: number[] = [];
    const w = new HashingFileWriter(join(dir, 'big'), (b) => seen.push(b));
    const chunk = Buffer.alloc(1 << 20, 7);
    await pipeline(Readable.from(Array.from({ length: 17 }, () => chunk)), w);
    expect(seen).toEqual([8 << 20, 16 << 20]);
  });
});
