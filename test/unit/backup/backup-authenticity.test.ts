import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unauthenticatedWarning, writeManifestSignature } from '../../../src/backup/backup-authenticity';
import { loadSignedManifest } from '../../../src/backup/load-manifest';
import { DUMP_FILE, MANIFEST_FILE } from '../../../src/backup/manifest';
import { SIGNATURE_FILE } from '../../../src/backup/manifest-signature';
import { loadSigningKey, type SigningKey } from '../../../src/backup/signing-key';
import { isUpgradeError, type UpgradeError } from '../../../src/errors';
import { backupDir } from '../fakes/backup-dir';

const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

let dir: string;
let keys: string;
let key: SigningKey;
beforeEach(async () => {
  ({ dir } = await backupDir());
  keys = await mkdtemp(join(tmpdir(), 'engram-keys-'));
  await writeFile(join(keys, 'key'), `${SECRET}\n`, { mode: 0o600 });
  key = await loadSigningKey({ file: join(keys, 'key') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(keys, { recursive: true, force: true });
});

async function sign(with_: SigningKey = key): Promise<void> {
  await writeManifestSignature(dir, await readFile(join(dir, MANIFEST_FILE)), with_.ref);
}

async function refused(p: Promise<unknown>, code: string): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUpgradeError(err)) throw new Error(`expected an UpgradeError, got ${String(err)}`);
  expect(err.code).toBe(code);
  expect(err.message).toContain('Nothing was restored or changed');
  expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(SECRET.slice(0, 16));
  return err;
}

describe('signed manifests', () => {
  it('a manifest signed with the key loads as authenticated; the signature file holds no key', async () => {
    await sign();
    const { manifest, authenticity } = await loadSignedManifest(dir, key);
    expect(authenticity).toEqual({ authenticated: true, keyId: key.keyId });
    expect(manifest.id).toBe('engram-20260304T050607Z');
    expect(await readFile(join(dir, SIGNATURE_FILE), 'utf8')).not.toContain(SECRET.slice(0, 16));
    expect(unauthenticatedWarning(manifest.id, authenticity)).toBeNull();
  });

  it('a dump replaced and its checksum recomputed in the manifest is refused when signed', async () => {
    await sign();
    const forged = Buffer.from('PGDMP forged archive with the same row counts');
    await writeFile(join(dir, DUMP_FILE), forged);
    const m = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
    m.files = [
      { name: DUMP_FILE, bytes: forged.length, sha256: createHash('sha256').update(forged).digest('hex') },
    ];
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(m, null, 2));
    const err = await refused(loadSignedManifest(dir, key), 'BACKUP_SIGNATURE_INVALID');
    expect(err.message).toContain('changed after it was signed');
    expect(err.message).toContain(`key id ${key.keyId}`);
    // Without a key the same backup loads, and says plainly that it is unauthenticated.
    const open = await loadSignedManifest(dir, undefined);
    expect(open.authenticity).toEqual({ authenticated: false, signature: 'not-checked' });
    expect(unauthenticatedWarning(open.manifest.id, open.authenticity)).toMatch(
      /unauthenticated.*no signing key/,
    );
  });

  it('an unsigned backup is refused with a key configured, and loads with a warning without one', async () => {
    await refused(loadSignedManifest(dir, key), 'BACKUP_UNSIGNED');
    const { authenticity } = await loadSignedManifest(dir, undefined);
    expect(authenticity).toEqual({ authenticated: false, signature: 'absent' });
    expect(unauthenticatedWarning('b', authenticity)).toContain(
      'Backup b is unauthenticated: it is not signed',
    );
  });

  it('a signature made with another key, a damaged one, or one that is a link is refused', async () => {
    await writeFile(join(keys, 'other'), `${SECRET.split('').reverse().join('')}\n`, { mode: 0o600 });
    const other = await loadSigningKey({ file: join(keys, 'other') });
    await sign(other);
    expect((await refused(loadSignedManifest(dir, key), 'BACKUP_SIGNATURE_INVALID')).message).toContain(
      `signed with another key (key id ${other.keyId})`,
    );
    await writeFile(join(dir, SIGNATURE_FILE), '{"formatVersion":1}');
    expect((await refused(loadSignedManifest(dir, key), 'BACKUP_SIGNATURE_INVALID')).message).toContain(
      'not a signature engram-upgrade writes',
    );
    await unlink(join(dir, SIGNATURE_FILE));
    await symlink('/dev/zero', join(dir, SIGNATURE_FILE));
    expect((await refused(loadSignedManifest(dir, key), 'BACKUP_SIGNATURE_INVALID')).message).toContain(
      'symbolic link',
    );
  });

  it('writing a signature re-reads the key and refuses one that changed since the plan', async () => {
    const planned = key.ref;
    await writeFile(join(keys, 'key'), `${SECRET.toUpperCase()}\n`);
    const err = await writeManifestSignature(dir, 'manifest', planned).then(
      () => undefined,
      (e: unknown) => e as UpgradeError,
    );
    expect(err?.code).toBe('SIGNING_KEY_UNUSABLE');
    await expect(readFile(join(dir, SIGNATURE_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('no key in the plan writes no signature', async () => {
    await writeManifestSignature(dir, 'manifest', null);
    await expect(readFile(join(dir, SIGNATURE_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
