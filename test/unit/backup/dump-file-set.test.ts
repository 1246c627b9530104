import { chmod, link, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BackupManifest,
  BackupManifestSchema,
  checkFiles,
  DUMP_FILE,
  loadManifest,
  MANIFEST_FILE,
} from '../../../src/backup';
import { DUMP_DIR, dumpDirEntryProblem, fileSetProblem } from '../../../src/backup/dump-layout';
import { UpgradeError } from '../../../src/errors';
import { fixtureManifest, sha256 } from '../fakes/manifest-fixture';

const sha = sha256;

/** A small directory-format dump: its table of contents and two tables' data, zstd-compressed by name. */
const DIR_FILES: Record<string, Buffer> = {
  'toc.dat': Buffer.from('PGDMP pretend table of contents'),
  '3401.dat.zst': Buffer.from('pretend data of notes'),
  '3402.dat.zst': Buffer.from('pretend data of users'),
};

function manifest(over: Partial<BackupManifest> = {}): BackupManifest {
  return fixtureManifest({
    mode: 'quiesced',
    format: 'directory',
    compression: 'zstd',
    jobs: 2,
    files: Object.entries(DIR_FILES).map(([n, b]) => ({
      name: `${DUMP_DIR}/${n}`,
      bytes: b.length,
      sha256: sha(b),
    })),
    verifiedLevel: 2,
    ...over,
  });
}

function listing(...names: string[]) {
  return names.map((name) => ({ name, bytes: 1, sha256: 'a'.repeat(64) }));
}

function refusal(m: unknown): string {
  const r = BackupManifestSchema.safeParse(m);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => i.message).join('; ');
}

describe('the file set a manifest may list', () => {
  it('accepts a directory-format manifest and a custom one written before format and jobs were recorded', () => {
    expect(BackupManifestSchema.parse(manifest()).files).toHaveLength(3);
    const old = manifest({
      format: 'custom',
      files: listing(DUMP_FILE),
    }) as Partial<BackupManifest>;
    delete old.compression;
    delete old.jobs;
    expect(BackupManifestSchema.parse(old).format).toBe('custom');
  });

  it('refuses a custom-format manifest that lists a dump directory, and a directory one that lists db.dump', () => {
    expect(refusal(manifest({ format: 'custom', compression: 'zstd' }))).toContain(`exactly ${DUMP_FILE}`);
    expect(refusal(manifest({ files: listing(`${DUMP_DIR}/toc.dat`, DUMP_FILE) }))).toContain(
      'is not inside db.dir/',
    );
  });

  it('refuses a directory dump without its table of contents, a file listed twice, or no compression', () => {
    expect(refusal(manifest({ files: listing(`${DUMP_DIR}/3401.dat.zst`) }))).toContain(
      'must list db.dir/toc.dat',
    );
    expect(refusal(manifest({ files: listing(`${DUMP_DIR}/toc.dat`, `${DUMP_DIR}/toc.dat`) }))).toContain(
      'twice',
    );
    expect(fileSetProblem('directory', undefined, [`${DUMP_DIR}/toc.dat`])).toContain('compression');
  });

  it('refuses every name that is not a file pg_dump writes there, paths and traversal first', () => {
    for (const name of [
      '../etc/passwd',
      '/etc/passwd',
      `${DUMP_DIR}/../manifest.json`,
      `${DUMP_DIR}/sub/3401.dat.zst`,
      `${DUMP_DIR}/.hidden`,
      `${DUMP_DIR}/toc.dat/`,
      `${DUMP_DIR}//toc.dat`,
      'other.dir/toc.dat',
      `${DUMP_DIR}/notes.sql`,
      `${DUMP_DIR}/3401.dat.zst.bak`,
      `${DUMP_DIR}/3401.dat\n`,
    ]) {
      const m = manifest({ files: [...listing(`${DUMP_DIR}/toc.dat`), ...listing(name)] });
      expect(BackupManifestSchema.safeParse(m).success, name).toBe(false);
    }
  });

  it("refuses data files that are not compressed with the manifest's compression", () => {
    expect(dumpDirEntryProblem('3401.dat.gz', 'zstd')).toContain('not compressed with zstd');
    expect(dumpDirEntryProblem('3401.dat', 'gzip')).toContain('not compressed with gzip');
    expect(dumpDirEntryProblem('3401.dat.lz4', 'lz4')).toBeNull();
    expect(dumpDirEntryProblem('blobs_3410.toc', 'lz4')).toBeNull();
    expect(dumpDirEntryProblem('blob_16399.dat.gz', 'gzip')).toBeNull();
    expect(refusal(manifest({ compression: 'gzip' }))).toContain('not compressed with gzip');
  });
});

describe('checkFiles of a directory-format backup', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engram-dirbackup-'));
    await mkdir(join(dir, DUMP_DIR), { mode: 0o700 });
    for (const [n, b] of Object.entries(DIR_FILES))
      await writeFile(join(dir, DUMP_DIR, n), b, { mode: 0o600 });
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest(), null, 2));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function corrupt(): Promise<string> {
    const err = await checkFiles(dir, await loadManifest(dir)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as UpgradeError).code).toBe('BACKUP_CORRUPT');
    return (err as UpgradeError).message;
  }

  it('passes when every file is there as listed', async () => {
    await expect(checkFiles(dir, await loadManifest(dir))).resolves.toBeUndefined();
  });

  it('refuses an extra file, even one pg_dump could have written', async () => {
    await writeFile(join(dir, DUMP_DIR, '3403.dat.zst'), 'smuggled');
    expect(await corrupt()).toContain('holds a file its manifest does not list ("3403.dat.zst")');
  });

  it('refuses a missing file and a renamed one', async () => {
    await rm(join(dir, DUMP_DIR, '3402.dat.zst'));
    expect(await corrupt()).toContain('lacks 3402.dat.zst');
    await writeFile(join(dir, DUMP_DIR, '3402.dat.zst'), DIR_FILES['3402.dat.zst']!);
    await rename(join(dir, DUMP_DIR, '3401.dat.zst'), join(dir, DUMP_DIR, '3409.dat.zst'));
    expect(await corrupt()).toContain('does not list ("3409.dat.zst")');
  });

  it('refuses a table file whose bytes changed, at the same size', async () => {
    const path = join(dir, DUMP_DIR, '3401.dat.zst');
    const b = await readFile(path);
    b[0] = b[0]! ^ 1;
    await writeFile(path, b);
    expect(await corrupt()).toContain(
      `${DUMP_DIR}/3401.dat.zst in backup engram-20260304T050607Z does not match`,
    );
  });

  it('never follows a link: neither a dump directory that is one nor a file in it', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'engram-elsewhere-'));
    try {
      await rename(join(dir, DUMP_DIR), join(elsewhere, DUMP_DIR));
      await symlink(join(elsewhere, DUMP_DIR), join(dir, DUMP_DIR));
      expect(await corrupt()).toContain('symbolic link');
      await rm(join(dir, DUMP_DIR));
      await rename(join(elsewhere, DUMP_DIR), join(dir, DUMP_DIR));
      await rename(join(dir, DUMP_DIR, 'toc.dat'), join(elsewhere, 'toc.dat'));
      await symlink(join(elsewhere, 'toc.dat'), join(dir, DUMP_DIR, 'toc.dat'));
      expect(await corrupt()).toContain('symbolic link');
      await rm(join(dir, DUMP_DIR, 'toc.dat'));
      await link(join(elsewhere, 'toc.dat'), join(dir, DUMP_DIR, 'toc.dat'));
      expect(await corrupt()).toContain('more than one hard link');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses a dump directory that is a file', async () => {
    await rm(join(dir, DUMP_DIR), { recursive: true });
    await writeFile(join(dir, DUMP_DIR), 'not a directory');
    await chmod(join(dir, DUMP_DIR), 0o600);
    expect(await corrupt()).toContain('is not a directory');
  });
});
