import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UpgradeError } from '../errors';
import { hashFile } from './fs-durable';
import { type BackupManifest, BackupManifestSchema, MANIFEST_FILE } from './manifest';

/** Reads and validates a backup's manifest. A directory without one is not a finished backup. */
export async function loadManifest(backupDir: string): Promise<BackupManifest> {
  let text: string;
  try {
    text = await readFile(join(backupDir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if (!isMissing(err)) throw unreadable(join(backupDir, MANIFEST_FILE), err, undefined);
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `${backupDir} has no ${MANIFEST_FILE}, so it is not a finished backup`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Use a backup directory that engram-upgrade reported as good',
    });
  }
  const parsed = BackupManifestSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `${join(backupDir, MANIFEST_FILE)} is not a valid manifest (${parsed.error.issues[0]?.path.join('.') ?? 'unreadable'})`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Use another backup; this one cannot be trusted',
      backupId: undefined,
    });
  }
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Re-reads every file the manifest lists and compares size and sha256. */
export async function checkFiles(backupDir: string, manifest: BackupManifest): Promise<void> {
  for (const f of manifest.files) {
    const actual = await hashFile(join(backupDir, f.name)).catch((err: unknown) => {
      if (isMissing(err)) return undefined; // reported below as missing
      throw unreadable(join(backupDir, f.name), err, manifest.id);
    });
    if (!actual || actual.sha256 !== f.sha256 || actual.bytes !== f.bytes) {
      throw new UpgradeError('BACKUP_CORRUPT', {
        message: actual
          ? `${f.name} in backup ${manifest.id} does not match its manifest (sha256 ${actual.sha256.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…; ${actual.bytes} bytes, expected ${f.bytes})`
          : `${f.name} of backup ${manifest.id} is missing`,
        unchanged: 'Nothing was restored or changed',
        hint: 'Do not use this backup; take a new one or use an older one that verifies',
        backupId: manifest.id,
      });
    }
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A file of the backup exists but cannot be read: not proof of damage, but the backup cannot be used as it is. */
function unreadable(path: string, err: unknown, backupId: string | undefined): UpgradeError {
  return new UpgradeError('BACKUP_CORRUPT', {
    message: `${path} cannot be read: ${(err as Error).message}`,
    unchanged: 'Nothing was restored or changed',
    hint: 'Check the permissions and the disk of the backup dir, then try again',
    backupId,
    cause: err,
  });
}
