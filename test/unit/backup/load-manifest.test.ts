import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

const DUMP = Buffer.from('PGDMP\u0001\u000e\u0000 pretend custom-format archive');
const ROLES = '-- roles\n';

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function manifest(over: Partial<BackupManifest> = {}): BackupManifest {
  return {
    formatVersion: 1,
    id: 'engram-20260304T050607Z',
    createdAt: '2026-03-04T05:06:07.890Z',
    project: 'engram',
    mode: 'online',
    format: 'custom',
    engram: {
      version: '0.17.0',
      image: 'ghcr.io/engram-app/engram:0.17.0',
      imageId: 'sha256:ab',
      buildSha: null,
    },
    masterKeyFingerprint: 'sha256:0123456789abcdef',
    database: {
      name: 'engram',
      user: 'engram',
      serverVersion: '18.1',
      serverMajor: 18,
      sizeBytes: 1234,
      image: 'postgres:18.1',
    },
    migrations: { head: '20250301000000', applied: ['20250101000000', '20250301000000'] },
    tables: { 'public.notes': 3 },
    roles: ['engram_app'],
    files: [
      { name: DUMP_FILE, bytes: DUMP.length, sha256: sha(DUMP) },
      { name: ROLES_FILE, bytes: Buffer.byteLength(ROLES), sha256: sha(ROLES) },
    ],
    timings: { dumpMs: 10, verifyMs: 5, totalMs: 20 },
    verifiedLevel: 1,
    ...over,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engram-manifest-'));
  await writeFile(join(dir, DUMP_FILE), DUMP);
  await writeFile(join(dir, ROLES_FILE), ROLES);
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
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest(), formatVersion: 2 }));
    const e = await corrupt(loadManifest(dir));
    expect(e.message).toContain('formatVersion');
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
    expect(e.message).toContain(`expected ${sha(DUMP).slice(0, 12)}`);
    expect(e.backupId).toBe('engram-20260304T050607Z');
  });

  it('rejects a truncated file, naming both sizes', async () => {
    await writeFile(join(dir, DUMP_FILE), DUMP.subarray(0, 10));
    const e = await corrupt(checkFiles(dir, manifest()));
    expect(e.message).toContain(`10 bytes, expected ${DUMP.length}`);
  });

  it('rejects a manifest that claims a different size for the right content', async () => {
    const m = manifest();
    m.files[1] = { ...m.files[1]!, bytes: m.files[1]!.bytes + 1 };
    const e = await corrupt(checkFiles(dir, m));
    expect(e.message).toContain(ROLES_FILE);
  });

  it('rejects a missing file', async () => {
    await rm(join(dir, ROLES_FILE));
    const e = await corrupt(checkFiles(dir, manifest()));
    expect(e.message).toContain(`${ROLES_FILE} of backup engram-20260304T050607Z is missing`);
  });
});
