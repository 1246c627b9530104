import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from '../backup/fs-durable';
import { UpgradeError } from '../errors';

/** The copy of a config file kept before an edit, so a rollback can put it back byte for byte. */
export interface KeptFile {
  path: string;
  /** Where the original was copied to (0600, in the run's state directory). */
  copy: string;
  sha256Before: string;
  sha256After: string;
}

export function sha256Of(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Copies `path` into `dir` (0600) and fsyncs it, before the original is touched. When a copy under
 * this label exists already (a run interrupted after keeping it), that copy is the original.
 */
export async function keepOriginal(
  path: string,
  dir: string,
  label: string,
): Promise<{ copy: string; sha256: string; text: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const copy = join(dir, `${label}-${sha256Of(path).slice(0, 8)}-${basename(path)}`);
  const existing = await readFile(copy, 'utf8').catch(() => null);
  if (existing !== null) return { copy, sha256: sha256Of(existing), text: existing };
  const partial = `${copy}.partial`;
  await copyFile(path, partial);
  const fh = await open(partial, 'r+');
  try {
    await fh.chmod(0o600);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(partial, copy);
  await syncDir(dir);
  const text = await readFile(copy, 'utf8');
  return { copy, sha256: sha256Of(text), text };
}

/**
 * Replaces a file atomically: a temporary file beside it with the original's mode, fsynced, renamed
 * over it, and the directory fsynced. A reader sees the old content or the new, never a mix.
 */
export async function writeAtomic(path: string, content: string | Buffer): Promise<void> {
  const mode = (await stat(path).catch(() => ({ mode: 0o600 }))).mode & 0o777;
  const temp = join(dirname(path), `.${basename(path)}.engram-upgrade-${randomBytes(4).toString('hex')}`);
  const fh = await open(temp, 'wx', mode);
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new UpgradeError('COMPOSE_EDIT', {
      message: `Could not replace ${path}: ${(err as Error).message}`,
      unchanged: `${path} was not changed`,
      cause: err,
    });
  }
  await syncDir(dirname(path));
}

/** Puts kept originals back where their content differs now. Idempotent. Returns the paths restored. */
export async function restoreKept(kept: readonly KeptFile[]): Promise<string[]> {
  const restored: string[] = [];
  for (const k of kept) {
    const original = await readFile(k.copy);
    if (sha256Of(original) !== k.sha256Before) {
      throw new UpgradeError('ROLLBACK_FAILED', {
        message: `The kept copy ${k.copy} of ${k.path} no longer matches the hash recorded when it was made`,
        unchanged: `${k.path} was left as it is`,
        hint: `Compare ${k.copy} with ${k.path} and put the right content back by hand`,
      });
    }
    const now = await readFile(k.path).catch(() => null);
    if (now && sha256Of(now) === k.sha256Before) continue;
    await writeAtomic(k.path, original);
    restored.push(k.path);
  }
  return restored;
}
