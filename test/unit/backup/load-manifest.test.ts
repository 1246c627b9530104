import { link, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BackupManifest,
  checkFiles,
  DUMP_FILE,
  loadManifest,
  MANIFEST_FILE,
  ROLES_FILE,
} from '../../../src/backup';
import { UpgradeError } from '../../../src/errors';
import { FIXTURE_DUMP, fixtureManifest, sha256 } from '../fakes/manifest-fixture';

const DUMP = FIXTURE_DUMP;
const sha = sha256;

function manifest(over: Partial<BackupManifest> = {}): BackupManifest {
  return fixtureManifest({
    masterKeyFingerprint: 'sha256:0123456789abcdef',
    roles: ['engram_app', 'engram_ro'],
    roleSpecs: [
      { name: 'engram_app', login: true, inherit: true, memberOf: ['engram_ro'] },
      { name: 'engram_ro', login: false, inherit: true, memberOf: [] },
    ],
    ...over,
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engram-manifest-'));
  await writeFile(join(dir, DUMP_FILE), DUMP);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function corrupt(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeError);
  const e = err as UpgradeError;
  expect(e.code).toBe('BACKUP_CORRUPT');
  expect(e.message).toContain('Nothing was restored or changed');
  return e;
}

describe('loadManifest', () => {
  it('reads back a manifest written as JSON', async () => {
    const m = manifest();
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(m, null, 2));
    expect(await loadManifest(dir)).toEqual(m);
  });

  it('calls a directory without a manifest not a finished backup', async () => {
    const e = await corrupt(loadManifest(dir));
    expect(e.message).toContain(`${dir} has no ${MANIFEST_FILE}`);
  });

  it('rejects a manifest that is not JSON', async () => {
    await writeFile(join(dir, MANIFEST_FILE), '{"formatVersion": 1, "id": ');
    const e = await corrupt(loadManifest(dir));
    expect(e.message).toContain('is not a valid manifest');
  });

  it('rejects a manifest with a wrong field and names the field', async () => {
    const bad = { ...manifest(), files: [{ name: DUMP_FILE, bytes: DUMP.length, sha256: 'not-hex' }] };
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(bad));
    const e = await corrupt(loadManifest(dir));
    expect(e.message).toContain('files.0.sha256');
  });

  it('rejects a manifest of a format version it does not know', async () => {
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest(), formatVersion: 3 }));
    const e = await corrupt(loadManifest(dir));
    expect(e.message).toContain('formatVersion');
  });

  it('refuses a format-1 backup (roles.sql) with its own code and what to do by hand', async () => {
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest(), formatVersion: 1 }));
    await writeFile(join(dir, ROLES_FILE), '\\! id\n');
    const err = await loadManifest(dir).then(
      () => undefined,
      (e: unknown) => e as UpgradeError,
    );
    expect(err?.code).toBe('BACKUP_FORMAT_UNSUPPORTED');
    expect(err?.message).toContain('roles.sql');
  });

  it.each([
    ['no files at all', { files: [] }, 'files'],
    [
      'an extra file',
      { files: [...manifest().files, { name: ROLES_FILE, bytes: 1, sha256: sha('x') }] },
      'files',
    ],
    [
      'superuser for a role',
      {
        roleSpecs: [{ name: 'engram_app', login: true, inherit: true, memberOf: [], superuser: true }],
        roles: ['engram_app'],
      },
      'roleSpecs.0',
    ],
    [
      'membership in the owner',
      {
        roleSpecs: [{ name: 'engram_app', login: true, inherit: true, memberOf: ['engram'] }],
        roles: ['engram_app'],
      },
      'roleSpecs.0.memberOf',
    ],
    [
      'a role name that needs quoting',
      { roleSpecs: [{ name: 'x"; DROP', login: true, inherit: true, memberOf: [] }], roles: ['x"; DROP'] },
      'roleSpecs.0.name',
    ],
    ['roles that differ from roleSpecs', { roles: ['engram_app'] }, 'roles'],
  ])('refuses a manifest with %s', async (_what, over, path) => {
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest(), ...over }));
    const e = await corrupt(loadManifest(dir));
    expect(e.message).toContain(path);
  });

  it('never follows manifest.json as a link, and does not read a huge one', async () => {
    await symlink('/dev/zero', join(dir, MANIFEST_FILE));
    expect((await corrupt(loadManifest(dir))).message).toContain('symbolic link');
    await rm(join(dir, MANIFEST_FILE));
    await writeFile(join(dir, MANIFEST_FILE), Buffer.alloc(2 << 20, 0x20));
    expect((await corrupt(loadManifest(dir))).message).toContain('larger than');
  });
});

describe('checkFiles', () => {
  it('accepts files that match their manifest', async () => {
    await expect(checkFiles(dir, manifest())).resolves.toBeUndefined();
  });

  it('rejects a file of the same size with one byte changed', async () => {
    const flipped = Buffer.from(DUMP);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 0x01, flipped.length - 1);
    await writeFile(join(dir, DUMP_FILE), flipped);
    const e = await corrupt(checkFiles(dir, manifest()));
    expect(e.message).toContain(`${DUMP_FILE} in backup engram-20260304T050607Z does not match its manifest`);
    expect(e.message).toContain(`recorded ${sha(DUMP).slice(0, 12)}`);
    expect(e.message).not.toContain(sha(flipped).slice(0, 12));
    expect(e.backupId).toBe('engram-20260304T050607Z');
  });

  it('rejects a truncated file before reading it, naming only the recorded size', async () => {
    await writeFile(join(dir, DUMP_FILE), DUMP.subarray(0, 10));
    const e = await corrupt(checkFiles(dir, manifest()));
    expect(e.message).toContain(`size its manifest records (${DUMP.length} bytes)`);
  });

  it('rejects a missing file', async () => {
    await rm(join(dir, DUMP_FILE));
    const e = await corrupt(checkFiles(dir, manifest()));
    expect(e.message).toContain(`${DUMP_FILE} of backup engram-20260304T050607Z is missing`);
  });

  it('reads no link, device or second hard link, and says nothing of what it points to', async () => {
    const outside = join(dir, 'outside');
    await writeFile(outside, DUMP);
    for (const make of [
      () => symlink('/dev/zero', join(dir, DUMP_FILE)),
      () => symlink(outside, join(dir, DUMP_FILE)),
      () => link(outside, join(dir, DUMP_FILE)),
    ]) {
      await rm(join(dir, DUMP_FILE), { force: true });
      await make();
      const e = await corrupt(checkFiles(dir, manifest()));
      expect(e.message).not.toContain(outside);
      expect(e.message).not.toContain(sha(DUMP).slice(12, 24));
    }
  });
});
