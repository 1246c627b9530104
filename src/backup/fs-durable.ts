import { createHash } from 'node:crypto';
import { lstat, open, rm, writeFile } from 'node:fs/promises';
import { openRegular } from './regular-file';

/** fsync a directory, so a rename or a new file in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes a small file (mode 0600) and fsyncs it. */
export async function writeDurable(path: string, data: string | Buffer): Promise<void> {
  await writeFile(path, data, { mode: 0o600, flag: 'wx' });
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Removes a partial directory on the way out of a failure. The failure is what gets reported; a
 * leftover `.partial` directory is harmless (it never becomes a backup: only a rename publishes one).
 */
export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Whether there is an entry at the path (a link counts as one and is not followed). Only "no such
 * file" means no: any other failure to look is thrown.
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * sha256 and size of a file, read through one reused 1 MiB buffer (no garbage for large dumps). Only
 * a regular file is read, and no more bytes than `bytes` + 1 (enough to notice it grew).
 */
export async function hashFile(
  path: string,
  expect: { bytes: number; backupId?: string },
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  const fh = await openRegular(path, expect);
  try {
    while (bytes <= expect.bytes) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, expect.bytes + 1 - bytes), null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
