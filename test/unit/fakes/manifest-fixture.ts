import { createHash } from 'node:crypto';
import { type BackupManifest, DUMP_FILE } from '../../../src/backup';

/** The bytes of the fixture's custom-format dump (not a real archive). */
export const FIXTURE_DUMP = Buffer.from('PGDMP\u0001\u000e\u0000 pretend custom-format archive');

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A valid manifest of an online custom-format backup of Engram 0.17.0 on Postgres 18.1, listing
 * FIXTURE_DUMP; `over` replaces whole fields.
 */
export function fixtureManifest(over: Partial<BackupManifest> = {}): BackupManifest {
  return {
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
    files: [{ name: DUMP_FILE, bytes: FIXTURE_DUMP.length, sha256: sha256(FIXTURE_DUMP) }],
    timings: { dumpMs: 10, verifyMs: 5, totalMs: 20 },
    verifiedLevel: 1,
    ...over,
  };
}
