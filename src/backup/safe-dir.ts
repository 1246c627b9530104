import { lstat, mkdir, mkdtemp, readdir, realpath, rename, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { UpgradeError } from '../errors';
import { removeQuietly, syncDir } from './fs-durable';

/** A directory pinned by device and inode, so a swap (rename, link) is noticed before we rely on it. */
export interface PinnedDir {
  path: string;
  dev: number;
  ino: number;
}

const uid = (): number => process.getuid?.() ?? -1;

function unsafe(message: string, hint: string): UpgradeError {
  return new UpgradeError('BACKUP_DIR_UNSAFE', {
    message,
    unchanged: 'No backup was written there; the database was only read',
    hint,
  });
}

/**
 * Why another user could change what is inside this directory, or null when only we (or root) can.
 * World- or group-writable is fine with the sticky bit (like /tmp): others then cannot rename or remove
 * our entries.
 */
async function weakness(path: string): Promise<string | null> {
  const st = await lstat(path);
  if (!st.isDirectory()) return 'is not a directory';
  const me = uid();
  if (me >= 0 && st.uid !== me && st.uid !== 0)
    return `is owned by uid ${st.uid}, not by this user (${me}) or root`;
  if (st.mode & 0o002 && !(st.mode & 0o1000)) return 'is writable by every user and has no sticky bit';
  // Members of its group could rename or replace entries; root's own group (gid 0) is root's.
  if (st.mode & 0o020 && !(st.mode & 0o1000) && st.gid !== 0)
    return `is writable by its group (gid ${st.gid}) and has no sticky bit`;
  return null;
}

/** Every directory from the root down to `path` (a real path without links). */
function chain(path: string): string[] {
  const parts = path.split(sep).filter(Boolean);
  return [sep, ...parts.map((_, i) => sep + parts.slice(0, i + 1).join(sep))];
}

/** The closest existing ancestor of `dir` (or `dir` itself); a link counts as existing. */
export async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await lstat(current);
      return current;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Refuses a backup dir that another user could tamper with: it, or any directory above it, is
 * world-writable without the sticky bit or owned by someone other than this user or root. Links on
 * the way are resolved first and the real directories checked. Reads only; creates nothing.
 */
export async function checkBackupDir(dir: string): Promise<void> {
  const existing = await realpath(await nearestExisting(dir));
  for (const d of chain(existing)) {
    const why = await weakness(d);
    if (why) {
      throw unsafe(
        `Backup dir ${dir} is not safe: ${d} ${why}, so another user could swap or read what is written there`,
        `Choose a backup dir owned by you or root and not writable by others (chmod 700 ${d === existing ? d : dir}), then plan the backup again`,
      );
    }
  }
}

/** Checks `dir` as above, creates what is missing (mode 0700), and pins the real directory. */
export async function prepareBackupDir(dir: string): Promise<PinnedDir> {
  await checkBackupDir(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const real = await realpath(dir);
  await checkBackupDir(real);
  return pin(real);
}

async function pin(path: string): Promise<PinnedDir> {
  const st = await lstat(path);
  return { path, dev: st.dev, ino: st.ino };
}

/** A fresh private working directory (mkdtemp, mode 0700) inside the pinned parent. */
export async function makeWorkDir(parent: PinnedDir, prefix: string): Promise<PinnedDir> {
  await assertPinned(parent);
  return pin(await mkdtemp(join(parent.path, prefix)));
}

/** Throws unless the path is still the very directory that was pinned, not a link or a replacement. */
export async function assertPinned(d: PinnedDir): Promise<void> {
  const st = await lstat(d.path).catch(() => undefined);
  if (!st || st.isSymbolicLink() || !st.isDirectory() || st.dev !== d.dev || st.ino !== d.ino) {
    throw unsafe(
      `${d.path} was replaced while the backup was being written (${st?.isSymbolicLink() ? 'now a symbolic link' : st ? 'another directory' : 'gone'})`,
      'Another process changed the backup dir; make it private to this user (chmod 700) and run the backup again',
    );
  }
}

/**
 * Renames the pinned working directory to `finalPath` in the same pinned parent. Both are checked by
 * inode just before; the final name must not exist (rename would replace an empty directory, and
 * never follows a link). Made durable with an fsync of the parent.
 */
export async function publishPinned(work: PinnedDir, parent: PinnedDir, finalPath: string): Promise<void> {
  await assertPinned(parent);
  await assertPinned(work);
  if (dirname(work.path) !== parent.path || dirname(finalPath) !== parent.path) {
    throw unsafe(`${finalPath} is not inside ${parent.path}`, 'Plan the backup again');
  }
  const there = await lstat(finalPath).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (there) {
    throw unsafe(`${finalPath} appeared while the backup was being written`, 'Plan a new backup');
  }
  await rename(work.path, finalPath);
  await assertPinned({ ...work, path: finalPath });
  await syncDir(parent.path);
}

/**
 * Removes the working directory after a failure: recursively only while it is still the pinned
 * directory; a link put in its place is unlinked (never followed), anything else is left alone.
 */
export async function removeWorkDir(work: PinnedDir): Promise<void> {
  const st = await lstat(work.path).catch(() => undefined);
  if (!st) return;
  if (st.isSymbolicLink()) await unlink(work.path).catch(() => undefined);
  else if (st.dev === work.dev && st.ino === work.ino) await removeQuietly(work.path);
}

/**
 * Removes working directories an earlier, killed run of the same backup left in the pinned parent.
 * Only real directories with this exact prefix go; a link of that name is unlinked, never followed.
 */
export async function removeStaleWorkDirs(parent: PinnedDir, prefix: string): Promise<void> {
  await assertPinned(parent);
  for (const name of await readdir(parent.path)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(parent.path, name);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isSymbolicLink()) await unlink(path).catch(() => undefined);
    else if (st?.isDirectory()) await removeQuietly(path);
  }
}
