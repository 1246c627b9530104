import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename } from 'node:path';
import { UpgradeError } from '../errors';

/**
 * Opens a file of a backup for reading only if it is a regular file: the last path component is
 * never followed (O_NOFOLLOW), a FIFO does not block the open (O_NONBLOCK), and the size is checked
 * before one byte is read. A refusal names only the file inside the backup; it says nothing about
 * what a link points to or what a foreign file holds.
 */
export async function openRegular(
  path: string,
  expect: { bytes?: number; maxBytes?: number; backupId?: string },
): Promise<FileHandle> {
  const name = basename(path);
  const refuse = (why: string, cause?: unknown): UpgradeError =>
    new UpgradeError('BACKUP_CORRUPT', {
      message: `${name}${expect.backupId ? ` of backup ${expect.backupId}` : ''} ${why}`,
      unchanged: 'Nothing was restored or changed; that file was not read',
      hint: 'Do not use this backup; take a new one or use an older one that verifies',
      backupId: expect.backupId,
      cause,
    });
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK')
      throw refuse('is a symbolic link, not a regular file; it was not followed');
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw refuse('is not a regular file (a device, pipe, socket or directory)');
    // Ours are written once under a fresh name; a second name could be a hard link to a foreign file.
    if (st.nlink !== 1) throw refuse('has more than one hard link; engram-upgrade never writes such a file');
    if (expect.maxBytes !== undefined && st.size > expect.maxBytes) {
      throw refuse(
        `is larger than ${expect.maxBytes} bytes, more than any file of this kind engram-upgrade writes`,
      );
    }
    if (expect.bytes !== undefined && st.size !== expect.bytes) {
      throw refuse(`does not have the size its manifest records (${expect.bytes} bytes)`);
    }
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
}
