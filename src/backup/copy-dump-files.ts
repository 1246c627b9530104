import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';
import type { ContainerDir } from './container-dir';
import { DUMP_DIR } from './dump-layout';
import type { BackupFile } from './manifest';
import { tarOfFiles } from './tar-of-files';

/** The BACKUP_CORRUPT that stopped a copy, wherever it sits among the causes of what the copy threw. */
function corruptionIn(err: unknown): UpgradeError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof UpgradeError && e.code === 'BACKUP_CORRUPT') return e;
  }
  return undefined;
}

/**
 * Copies the files of a backup's dump directory into `db.dir` of a working directory in a Postgres
 * container, as one tar stream, each file hashed as it streams. Returns the directory's path there
 * only when every file arrived whole and matched its manifest entry; a file changed after it was
 * checked is BACKUP_CORRUPT, and pg_restore never sees it.
 */
export async function copyDumpFiles(
  dir: ContainerDir,
  backupDir: string,
  files: readonly BackupFile[],
  opts: {
    backupId: string;
    secrets?: SecretSet;
    signal?: AbortSignal;
    onProgress?: (bytes: number) => void;
    /** The code a copy that fails for another reason than the files is reported with. @default 'RESTORE_FAILED' */
    failure?: 'RESTORE_FAILED' | 'DOCKER_OPERATION';
  },
): Promise<string> {
  let complete = false;
  let reported = 0;
  const tar = tarOfFiles(backupDir, files, {
    backupId: opts.backupId,
    onProgress: (bytes) => {
      if (opts.onProgress && bytes - reported >= 8 << 20) {
        reported = bytes;
        opts.onProgress(bytes);
      }
    },
    onComplete: () => {
      complete = true;
    },
  });
  let path: string;
  try {
    path = await dir.extract(DUMP_DIR, tar, {
      secrets: opts.secrets,
      signal: opts.signal,
      failure: opts.failure,
    });
  } catch (err) {
    throw corruptionIn(err) ?? err;
  }
  if (!complete) {
    throw new UpgradeError(opts.failure ?? 'RESTORE_FAILED', {
      message: `The copy of backup ${opts.backupId} into the Postgres container ended before every file was sent`,
    });
  }
  opts.onProgress?.(files.reduce((n, f) => n + f.bytes, 0));
  return path;
}
