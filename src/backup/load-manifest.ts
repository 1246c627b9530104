import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UpgradeError } from '../errors';
import { checkAuthenticity } from './backup-authenticity';
import { hashFile } from './fs-durable';
import {
  type BackupManifest,
  BackupManifestSchema,
  DUMP_DIR,
  MANIFEST_FILE,
  MANIFEST_MAX_BYTES,
} from './manifest';
import type { Authenticity } from './manifest-signature';
import { openRegular } from './regular-file';
import type { SigningKey } from './signing-key';

/**
 * Reads and validates a backup's manifest. A directory without one is not a finished backup. The
 * manifest is read only as a regular file of at most 1 MiB, never through a link. Its signature is not
 * looked at: use `loadSignedManifest` wherever the manifest decides what is restored or verified.
 */
export async function loadManifest(backupDir: string): Promise<BackupManifest> {
  return parseManifest(backupDir, await readManifestBytes(backupDir));
}

/**
 * Reads the manifest and, before trusting any of it, checks its signature over the exact bytes read:
 * with a key, a missing or bad signature is refused; without one, `authenticity` says the backup is
 * unauthenticated. The manifest returned is the one whose bytes were checked.
 */
export async function loadSignedManifest(
  backupDir: string,
  key: SigningKey | undefined,
): Promise<{ manifest: BackupManifest; authenticity: Authenticity }> {
  const bytes = await readManifestBytes(backupDir);
  const authenticity = await checkAuthenticity(backupDir, bytes, key);
  return { manifest: parseManifest(backupDir, bytes), authenticity };
}

async function readManifestBytes(backupDir: string): Promise<Buffer> {
  const path = join(backupDir, MANIFEST_FILE);
  try {
    const fh = await openRegular(path, { maxBytes: MANIFEST_MAX_BYTES });
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (err instanceof UpgradeError) throw err;
    if (!isMissing(err)) throw unreadable(path, err, undefined);
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `${backupDir} has no ${MANIFEST_FILE}, so it is not a finished backup`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Use a backup directory that engram-upgrade reported as good',
    });
  }
}

function parseManifest(backupDir: string, bytes: Buffer): BackupManifest {
  const path = join(backupDir, MANIFEST_FILE);
  const json = safeJson(bytes.toString('utf8'));
  if ((json as { formatVersion?: unknown } | undefined)?.formatVersion === 1) {
    // Format 1 kept the roles as a psql script (roles.sql). Running a script from a backup lets
    // whoever can write the backup run commands as the database superuser, so it is not run, and
    // its statements are not parsed either: the manifest of format 1 cannot vouch for them.
    throw new UpgradeError('BACKUP_FORMAT_UNSUPPORTED', {
      message: `${backupDir} was written by an older engram-upgrade (format 1, roles kept in roles.sql); this version does not restore it`,
      unchanged: 'Nothing was read beyond the manifest; nothing was restored or changed',
      hint: 'Take a new backup with this version. To use the old one by hand: read roles.sql yourself, create the roles it names, then pg_restore db.dump',
    });
  }
  const parsed = BackupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `${path} is not a valid manifest (${issue ? `${issue.path.join('.') || 'root'}: ${issue.message}` : 'unreadable'})`,
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

/**
 * Re-reads every file the manifest lists (the schema has made that exactly the files the format
 * requires) and compares size and sha256. Only regular files inside the backup are read.
 */
export async function checkFiles(backupDir: string, manifest: BackupManifest): Promise<void> {
  await checkDumpDirEntries(backupDir, manifest);
  for (const f of manifest.files) {
    const actual = await hashFile(join(backupDir, f.name), { bytes: f.bytes, backupId: manifest.id }).catch(
      (err: unknown) => {
        if (err instanceof UpgradeError) throw err;
        if (isMissing(err)) return undefined; // reported below as missing
        throw unreadable(join(backupDir, f.name), err, manifest.id);
      },
    );
    if (!actual || actual.sha256 !== f.sha256 || actual.bytes !== f.bytes) {
      throw new UpgradeError('BACKUP_CORRUPT', {
        message: actual
          ? `${f.name} in backup ${manifest.id} does not match its manifest (sha256 or size differs from the recorded ${f.sha256.slice(0, 12)}…, ${f.bytes} bytes)`
          : `${f.name} of backup ${manifest.id} is missing`,
        unchanged: 'Nothing was restored or changed',
        hint: 'Do not use this backup; take a new one or use an older one that verifies',
        backupId: manifest.id,
      });
    }
  }
}

/**
 * A directory-format backup: `db.dir` must be a real directory (not a link) holding exactly the files
 * its manifest lists, no more, no fewer, none renamed. Nothing of a custom-format backup is looked at.
 */
export async function checkDumpDirEntries(backupDir: string, manifest: BackupManifest): Promise<void> {
  if (manifest.format !== 'directory') return;
  const path = join(backupDir, DUMP_DIR);
  const refuse = (why: string) =>
    new UpgradeError('BACKUP_CORRUPT', {
      message: `${DUMP_DIR} of backup ${manifest.id} ${why}`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Do not use this backup; take a new one or use an older one that verifies',
      backupId: manifest.id,
    });
  const st = await lstat(path).catch((err: unknown) => {
    if (isMissing(err)) throw refuse('is missing');
    throw unreadable(path, err, manifest.id);
  });
  if (!st.isDirectory())
    throw refuse(`is not a directory${st.isSymbolicLink() ? ' (a symbolic link; not followed)' : ''}`);
  const listed = new Set(manifest.files.map((f) => f.name.slice(DUMP_DIR.length + 1)));
  let names: string[];
  try {
    names = await readdir(path);
  } catch (err) {
    throw unreadable(path, err, manifest.id);
  }
  const extra = names.filter((n) => !listed.has(n));
  if (extra.length) {
    throw refuse(
      `holds ${extra.length === 1 ? 'a file' : `${extra.length} files`} its manifest does not list (${extra
        .slice(0, 3)
        .map((n) => JSON.stringify(n.slice(0, 60)))
        .join(', ')})`,
    );
  }
  const missing = [...listed].filter((n) => !names.includes(n));
  if (missing.length) throw refuse(`lacks ${missing.slice(0, 3).join(', ')}, which its manifest lists`);
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** A file of the backup exists but cannot be read: not proof of damage, but the backup cannot be used as it is. */
function unreadable(path: string, err: unknown, backupId: string | undefined): UpgradeError {
  return new UpgradeError('BACKUP_CORRUPT', {
    message: `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    unchanged: 'Nothing was restored or changed',
    hint: 'Check the permissions and the disk of the backup dir, then try again',
    backupId,
    cause: err,
  });
}
