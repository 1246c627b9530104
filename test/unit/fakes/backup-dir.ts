import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackupManifest, DUMP_FILE, MANIFEST_FILE } from '../../../src/backup';
import { FIXTURE_DUMP, fixtureManifest } from './manifest-fixture';

/** A finished backup on disk (manifest and dump) whose checksums verify; the dump is not a real archive. */
export async function backupDir(): Promise<{ dir: string; manifest: BackupManifest }> {
  const dir = await mkdtemp(join(tmpdir(), 'engram-backup-fixture-'));
  const manifest = fixtureManifest();
  await writeFile(join(dir, DUMP_FILE), FIXTURE_DUMP);
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return { dir, manifest };
}
