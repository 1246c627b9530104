import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { UpgradeError } from '../errors';
import { writeDurable } from './fs-durable';
import {
  type Authenticity,
  checkManifestSignature,
  SIGNATURE_FILE,
  SIGNATURE_MAX_BYTES,
  type SigningKeyRef,
  signatureFileText,
  signManifest,
} from './manifest-signature';
import { openRegular } from './regular-file';
import { reloadSigningKey, type SigningKey } from './signing-key';

/**
 * Signs the manifest bytes just written into a backup's working directory with the key the plan names
 * (read again from its file or variable, and refused unless it is the key the plan was made with).
 * Without a key in the plan it writes nothing: the backup is unsigned, as its plan said.
 */
export async function writeManifestSignature(
  dir: string,
  manifestBytes: string | Uint8Array,
  signing: SigningKeyRef | null | undefined,
): Promise<void> {
  const key = await reloadSigningKey(signing);
  if (!key) return;
  const bytes = typeof manifestBytes === 'string' ? Buffer.from(manifestBytes, 'utf8') : manifestBytes;
  await writeDurable(join(dir, SIGNATURE_FILE), signatureFileText(signManifest(bytes, key.bytes())));
}

/**
 * Checks the signature of the exact manifest bytes read from `backupDir`. With a key, a missing or bad
 * signature is refused (BACKUP_UNSIGNED, BACKUP_SIGNATURE_INVALID); without one, the answer says the
 * backup is unauthenticated and whether it carries a signature nobody checked.
 */
export async function checkAuthenticity(
  backupDir: string,
  manifestBytes: Uint8Array,
  key: SigningKey | undefined,
): Promise<Authenticity> {
  const path = join(backupDir, SIGNATURE_FILE);
  if (!key) {
    const present = await lstat(path).then(
      () => true,
      () => false,
    );
    return { authenticated: false, signature: present ? 'not-checked' : 'absent' };
  }
  let text: string;
  try {
    const fh = await openRegular(path, { maxBytes: SIGNATURE_MAX_BYTES });
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UpgradeError('BACKUP_UNSIGNED', {
        message: `${backupDir} has no ${SIGNATURE_FILE}: the backup is not signed, and a signing key (${key.describe()}) is configured`,
        unchanged: 'Nothing was restored or changed',
        hint: 'Use a backup taken with this signing key. If you know this one is genuine, run again without a signing key: the result will say it is unauthenticated',
        cause: err,
      });
    }
    throw invalid(
      backupDir,
      err instanceof UpgradeError ? err.summary : `it cannot be read (${code ?? 'error'})`,
      key,
      err,
    );
  }
  const check = checkManifestSignature(manifestBytes, text, key.bytes());
  if (check.ok) return { authenticated: true, keyId: check.keyId };
  throw invalid(
    backupDir,
    check.why === 'unreadable'
      ? `${SIGNATURE_FILE} is not a signature engram-upgrade writes`
      : check.why === 'wrong-key'
        ? `the manifest was signed with another key (key id ${check.keyId})`
        : 'the manifest does not match its signature: it was changed after it was signed',
    key,
  );
}

function invalid(backupDir: string, why: string, key: SigningKey, cause?: unknown): UpgradeError {
  return new UpgradeError('BACKUP_SIGNATURE_INVALID', {
    message: `The backup in ${backupDir} fails its signature check with the ${key.describe()}: ${why}`,
    unchanged: 'Nothing was restored or changed',
    hint: 'Do not use this backup: it may have been tampered with. Use another backup that verifies with this key, or check that the key is the one the backups were signed with',
    cause,
  });
}

/** The plain warning a plan or report carries for a backup whose origin was not checked. */
export function unauthenticatedWarning(backupId: string, authenticity: Authenticity): string | null {
  if (authenticity.authenticated) return null;
  const risk =
    'Its checksums only show that its files match its manifest; whoever can write the backup directory could have changed both.';
  return authenticity.signature === 'absent'
    ? `Backup ${backupId} is unauthenticated: it is not signed. ${risk} Take backups with a signing key (signingKey, --signing-key-file or --signing-key-env) so that they can be checked.`
    : `Backup ${backupId} is unauthenticated: it carries a signature, but no signing key was configured to check it. ${risk} Pass the signing key (signingKey, --signing-key-file or --signing-key-env) to check it.`;
}
