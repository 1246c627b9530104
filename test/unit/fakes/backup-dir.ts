import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackupManifest, DUMP_FILE, MANIFEST_FILE } from '../../../src/backup';

const DUMP = Buffer.from('PGDMP\u0001\u000e\u0000 pretend custom-format archive');

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A finished backup on disk (manifest and dump) whose checksums verify; the dump is not a real archive. */
export async function backupDir(): Promise<{ dir: string; manifest: BackupManifest }> {
  const dir = await mkdtemp(join(tmpdir(), 'engram-backup-fixture-'));
  const manifest: BackupManifest = {
    formatVersion: 2,
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
    masterKeyFingerprint: null,
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
    roles: [],
    roleSpecs: [],
    files: [{ name: DUMP_FILE, bytes: DUMP.length, sha256: sha(DUMP) }],
    timings: { dumpMs: 10, verifyMs: 5, totalMs: 20 },
    verifiedLevel: 1,
  };
  await writeFile(join(dir, DUMP_FILE), DUMP);
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return { dir, manifest };
}
