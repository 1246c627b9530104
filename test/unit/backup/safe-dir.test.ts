import { chmod, chown, mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertPinned,
  checkBackupDir,
  makeWorkDir,
  prepareBackupDir,
  publishPinned,
  removeStaleWorkDirs,
  removeWorkDir,
} from '../../../src/backup/safe-dir';
import type { UpgradeError } from '../../../src/errors';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'engram-safe-dir-'));
});
afterEach(async () => {
  await chmod(root, 0o700);
  await rm(root, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as UpgradeError).code,
  );
}

describe('checkBackupDir', () => {
  it('accepts a private dir, a missing one under it, and a sticky world-writable parent', async () => {
    await expect(checkBackupDir(root)).resolves.toBeUndefined();
    await expect(checkBackupDir(join(root, 'a', 'b'))).resolves.toBeUndefined();
    await chmod(root, 0o1777);
    await expect(checkBackupDir(join(root, 'a'))).resolves.toBeUndefined();
  });

  it("refuses a dir writable by a group other than root's without the sticky bit; accepts it with the bit", async () => {
    const dir = join(root, 'shared');
    await mkdir(dir);
    await chown(dir, process.getuid?.() ?? 0, 4242);
    await chmod(dir, 0o770);
    expect(await code(checkBackupDir(dir))).toBe('BACKUP_DIR_UNSAFE');
    expect(await code(checkBackupDir(join(dir, 'nightly')))).toBe('BACKUP_DIR_UNSAFE');
    await chmod(dir, 0o1770);
    await expect(checkBackupDir(dir)).resolves.toBeUndefined();
    await chown(dir, process.getuid?.() ?? 0, 0);
    await chmod(dir, 0o770);
    await expect(checkBackupDir(dir)).resolves.toBeUndefined();
  });

  it('refuses a world-writable dir without the sticky bit, and anything under it', async () => {
    await chmod(root, 0o777);
    expect(await code(checkBackupDir(root))).toBe('BACKUP_DIR_UNSAFE');
    expect(await code(checkBackupDir(join(root, 'a', 'b')))).toBe('BACKUP_DIR_UNSAFE');
  });

  it.runIf(process.getuid?.() === 0)('refuses a dir owned by another user, also behind a link', async () => {
    const theirs = join(root, 'theirs');
    await mkdir(theirs, { mode: 0o700 });
    await chown(theirs, 12345, 12345);
    expect(await code(checkBackupDir(theirs))).toBe('BACKUP_DIR_UNSAFE');
    await symlink(theirs, join(root, 'link'));
    expect(await code(checkBackupDir(join(root, 'link')))).toBe('BACKUP_DIR_UNSAFE');
  });
});

describe('pinned working dir', () => {
  it('publishes the very directory it made, with mode 0700', async () => {
    const parent = await prepareBackupDir(join(root, 'backups'));
    const work = await makeWorkDir(parent, '.b.partial-');
    await publishPinned(work, parent, join(parent.path, 'b'));
    await expect(assertPinned({ ...work, path: join(parent.path, 'b') })).resolves.toBeUndefined();
  });

  it('notices a swap for a link or another dir, refuses to publish, and removes only the link', async () => {
    const parent = await prepareBackupDir(join(root, 'backups'));
    const work = await makeWorkDir(parent, '.b.partial-');
    const elsewhere = join(root, 'elsewhere');
    await rename(work.path, elsewhere);
    await symlink(elsewhere, work.path);
    expect(await code(assertPinned(work))).toBe('BACKUP_DIR_UNSAFE');
    expect(await code(publishPinned(work, parent, join(parent.path, 'b')))).toBe('BACKUP_DIR_UNSAFE');
    await removeWorkDir(work);
    await expect(mkdir(work.path)).resolves.toBeUndefined(); // the link is gone
    await expect(assertPinned({ ...work, path: elsewhere })).resolves.toBeUndefined(); // the dir is not
  });

  it('never publishes over a name that appeared meanwhile', async () => {
    const parent = await prepareBackupDir(join(root, 'backups'));
    const work = await makeWorkDir(parent, '.b.partial-');
    await mkdir(join(parent.path, 'b'));
    expect(await code(publishPinned(work, parent, join(parent.path, 'b')))).toBe('BACKUP_DIR_UNSAFE');
  });
});

describe('removeStaleWorkDirs', () => {
  it('removes what a killed run of the same backup left, and nothing else', async () => {
    const parent = await prepareBackupDir(join(root, 'backups'));
    const stale = await makeWorkDir(parent, '.b.partial-');
    const other = await makeWorkDir(parent, '.c.partial-');
    const target = join(root, 'keep');
    await mkdir(target);
    await symlink(target, join(parent.path, '.b.partial-link'));
    await removeStaleWorkDirs(parent, '.b.partial-');
    expect(await code(assertPinned(stale))).toBe('BACKUP_DIR_UNSAFE');
    await expect(assertPinned(other)).resolves.toBeUndefined();
    await expect(mkdir(join(parent.path, '.b.partial-link'))).resolves.toBeUndefined();
    await expect(mkdir(join(target, 'still-here'))).resolves.toBeUndefined();
  });
});
