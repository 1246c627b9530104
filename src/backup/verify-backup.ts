import { dirname, join } from 'node:path';
import type { Deployment } from '../deployment/deployment';
import { defaultDocker } from '../docker/default-docker';
import type { DockerPort } from '../docker/docker-port';
import { InvalidInputError, UpgradeError } from '../errors';
import { abortedBecause, throwIfAborted } from '../errors/abort';
import type { SecretSet } from '../secrets';
import { unauthenticatedWarning } from './backup-authenticity';
import { ContainerDir } from './container-dir';
import { copyDumpFiles } from './copy-dump-files';
import { DUMP_DIR, dumpPathOf, TOC_FILE } from './dump-layout';
import { checkFiles, loadSignedManifest } from './load-manifest';
import { type BackupManifest, DUMP_FILE } from './manifest';
import type { Authenticity } from './manifest-signature';
import { openRegular } from './regular-file';
import { readContents, restoreInto } from './restore-into';
import { ScratchPostgres } from './scratch-postgres';
import { loadSigningKey, type SigningKeySource } from './signing-key';
import { compareWithManifest } from './table-counts';

export interface VerifyCommon {
  /** 1: checksums and `pg_restore --list`; 2: also a restore into a throwaway Postgres, compared with the manifest. @default 1 */
  level?: 1 | 2;
  /** @default the deployment's Docker when `deployment` is given, else a `DockerodeDocker` on DOCKER_HOST or the default socket */
  docker?: DockerPort;
  /**
   * Checks the manifest's HMAC-SHA256 signature with this key first, and refuses a backup that is
   * unsigned (BACKUP_UNSIGNED) or whose signature does not match (BACKUP_SIGNATURE_INVALID). Without
   * it the report says the backup is unauthenticated. @default undefined: the signature is not checked
   */
  signingKey?: SigningKeySource;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

/**
 * Where the Postgres image for the throwaway server comes from: the caller names it, or it is the
 * deployment's own. Never the image a backup's manifest names: whoever can write a backup would
 * otherwise choose what runs here.
 */
export type VerifyBackupOptions = VerifyCommon &
  (
    | {
        /** Postgres image for the throwaway server, of the backup's major version (or newer). */
        postgresImage: string;
        deployment?: undefined;
      }
    | {
        /** Use the image this deployment's Postgres container runs. */
        deployment: Deployment;
        postgresImage?: undefined;
      }
  );
/** An image reference as Docker writes one; no options, spaces or control characters. */
const IMAGE_REF = /^[a-z0-9][A-Za-z0-9._/:@-]{0,254}$/;

export interface VerifyReport {
  id: string;
  level: 1 | 2;
  archiveEntries: number;
  tablesCompared: number;
  head: string | null;
  /** Whether the manifest's signature was checked with the configured key. */
  authenticity: Authenticity;
  /** Said plainly, never silently: for instance that the backup is unauthenticated. */
  warnings: string[];
  ms: number;
}

/**
 * Lists the archive's table of contents with pg_restore inside a Postgres container. `dumpPath` is the
 * backup's `db.dump`, or its `db.dir` for a directory-format backup.
 */
export async function listArchive(
  docker: DockerPort,
  containerId: string,
  dumpPath: string,
  manifest: Pick<BackupManifest, 'id' | 'files'> & { format?: BackupManifest['format'] },
  signal?: AbortSignal,
): Promise<number> {
  const manifestId = manifest.id;
  const r =
    manifest.format === 'directory'
      ? await listDirectory(docker, containerId, dumpPath, manifest, signal)
      : await listCustom(docker, containerId, dumpPath, manifest, signal);
  const lines = r.stdout.split('\n').filter((l) => /^\d+;/.test(l));
  const entries = lines.length;
  // Killed (the container stopped under it) or not run at all: the archive was not read, so nothing
  // is known of it, which is not the same as knowing it is bad.
  if (r.exitCode === null || r.exitCode >= 126) {
    throw new UpgradeError('DOCKER_OPERATION', {
      message: `pg_restore --list could not check the archive of backup ${manifestId}: ${r.exitCode === null ? 'it was cut off' : r.exitCode >= 128 ? `it was killed (exit ${r.exitCode}; did the Postgres container stop?)` : `it could not run (exit ${r.exitCode})`}`,
      unchanged: 'Nothing was restored or changed; the archive was not judged',
      hint: 'Check that the Postgres container runs and has pg_restore, then verify again',
      backupId: manifestId,
    });
  }
  if (r.exitCode !== 0 || entries === 0) {
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `pg_restore cannot read the archive of backup ${manifestId}: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Do not use this backup; take a new one',
      backupId: manifestId,
    });
  }
  if (manifest.format === 'directory') checkDataFiles(lines, manifest);
  return entries;
}

async function listCustom(
  docker: DockerPort,
  containerId: string,
  dumpPath: string,
  manifest: Pick<BackupManifest, 'id' | 'files'>,
  signal?: AbortSignal,
) {
  const recorded = manifest.files.find((f) => f.name === DUMP_FILE);
  const dump = await openRegular(dumpPath, { bytes: recorded?.bytes ?? -1, backupId: manifest.id });
  return docker
    .exec(containerId, {
      cmd: ['pg_restore', '--list'],
      stdin: dump.createReadStream({ autoClose: false }),
      signal,
    })
    .finally(() => dump.close().catch(() => undefined));
}

/**
 * pg_restore lists a directory-format dump from its toc.dat alone, and reads it only from a directory:
 * toc.dat is copied (hash-checked) into a private directory of the container and listed there.
 */
async function listDirectory(
  docker: DockerPort,
  containerId: string,
  dumpDir: string,
  manifest: Pick<BackupManifest, 'id' | 'files'>,
  signal?: AbortSignal,
) {
  const toc = manifest.files.find((f) => f.name === `${DUMP_DIR}/${TOC_FILE}`);
  if (!toc) {
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `Backup ${manifest.id} lists no ${DUMP_DIR}/${TOC_FILE}`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Do not use this backup; take a new one',
      backupId: manifest.id,
    });
  }
  const key = `pg_restore --list of ${manifest.id}`;
  // A copy that cannot be made judged nothing of the archive: DOCKER_OPERATION, as for a cut-off list.
  const dir = await ContainerDir.create(docker, containerId, key, { signal, failure: 'DOCKER_OPERATION' });
  try {
    const path = await copyDumpFiles(dir, dirname(dumpDir), [toc], {
      backupId: manifest.id,
      signal,
      failure: 'DOCKER_OPERATION',
    });
    return await docker.exec(containerId, {
      cmd: ['pg_restore', '--list', '--format=directory', path],
      signal,
    });
  } finally {
    await dir.dispose().catch(() => undefined);
  }
}

/**
 * Every data file of a directory-format dump belongs to an entry of its table of contents (its dump
 * id, as pg_dump names them), and every TABLE DATA entry has its file: a dump missing a table's data,
 * or carrying data no entry restores, is not the dump pg_dump wrote.
 */
function checkDataFiles(lines: readonly string[], manifest: Pick<BackupManifest, 'id' | 'files'>): void {
  const ids = new Set(lines.map((l) => l.slice(0, l.indexOf(';'))));
  const tableData = lines.filter((l) => / TABLE DATA /.test(l)).map((l) => l.slice(0, l.indexOf(';')));
  const dataFiles = new Set(
    manifest.files
      .map((f) => f.name.slice(DUMP_DIR.length + 1).match(/^(\d+)\.dat/)?.[1])
      .filter((id): id is string => id !== undefined),
  );
  const stray = [...dataFiles].filter((id) => !ids.has(id));
  const missing = tableData.filter((id) => !dataFiles.has(id));
  if (stray.length || missing.length) {
    throw new UpgradeError('BACKUP_CORRUPT', {
      message: `The dump directory of backup ${manifest.id} does not match its table of contents: ${[
        ...stray.slice(0, 3).map((id) => `${id}.dat has no entry`),
        ...missing.slice(0, 3).map((id) => `entry ${id} (TABLE DATA) has no file`),
      ].join('; ')}`,
      unchanged: 'Nothing was restored or changed',
      hint: 'Do not use this backup; take a new one',
      backupId: manifest.id,
    });
  }
}

/** Restores into a scratch database and compares row counts and migrations with the manifest. */
export async function testRestore(
  docker: DockerPort,
  scratch: ScratchPostgres,
  backupDir: string,
  manifest: BackupManifest,
  opts: { secrets?: SecretSet; signal?: AbortSignal; onProgress?: (bytes: number) => void },
): Promise<number> {
  const database = `verify_${manifest.database.name}`.slice(0, 60);
  await restoreInto({
    docker,
    containerId: scratch.containerId,
    user: scratch.user,
    database,
    backupDir,
    manifest,
    ...opts,
  });
  const actual = await readContents(docker, scratch.containerId, scratch.user, database, opts.secrets);
  const diffs = compareWithManifest(
    { tables: manifest.tables, applied: manifest.migrations.applied },
    actual,
  );
  if (diffs.length) {
    throw new UpgradeError('BACKUP_VERIFY_FAILED', {
      message: `A test restore of backup ${manifest.id} does not match its manifest: ${diffs.slice(0, 5).join('; ')}`,
      unchanged: 'Nothing was restored into the deployment',
      hint: 'Do not rely on this backup; take a new one',
      backupId: manifest.id,
    });
  }
  return Object.keys(manifest.tables).length;
}

/**
 * Checks a finished backup: level 1 (checksums, readable archive) or level 2 (plus a test restore).
 * Only reads the backup; the throwaway Postgres it starts is removed again. Both levels run that
 * server (level 1 for `pg_restore --list`) from `postgresImage` or the deployment's own Postgres
 * image; without either it refuses (INVALID_INPUT) before reading anything. Cancelled through
 * `signal`, it rejects with an `AbortedError`.
 */
export async function verifyBackup(backupDir: string, options: VerifyBackupOptions): Promise<VerifyReport> {
  const started = Date.now();
  const level = options.level ?? 1;
  const aborted = {
    message: `Verification of ${backupDir} was aborted`,
    unchanged: 'The backup was only read; the throwaway Postgres, if one was started, is removed',
  };
  const named = options?.postgresImage;
  if (!options?.deployment && (typeof named !== 'string' || !IMAGE_REF.test(named))) {
    throw new InvalidInputError({
      message: `verifyBackup needs a Postgres image to run the throwaway server: ${named === undefined ? 'none was given' : `${JSON.stringify(String(named).slice(0, 100))} is not an image reference`}; the image a backup's manifest names is never run`,
      hint: "Pass { postgresImage: 'postgres:<major>' } (the backup's major or newer) or { deployment } to use the deployment's own",
    });
  }
  throwIfAborted(options.signal, aborted);
  try {
    const docker = options.docker ?? options.deployment?.docker ?? (await defaultDocker());
    const key = options.signingKey ? await loadSigningKey(options.signingKey) : undefined;
    const { manifest, authenticity } = await loadSignedManifest(backupDir, key);
    await checkFiles(backupDir, manifest);
    throwIfAborted(options.signal, aborted);
    const image = named ?? (await options.deployment!.db()).image;
    const scratch = await ScratchPostgres.start(docker, image, manifest.database.user, {
      signal: options.signal,
    });
    const { archiveEntries, tablesCompared } = await scratch.use(async () => ({
      archiveEntries: await listArchive(
        docker,
        scratch.containerId,
        join(backupDir, dumpPathOf(manifest.format)),
        manifest,
        options.signal,
      ),
      tablesCompared:
        level === 2
          ? await testRestore(docker, scratch, backupDir, manifest, {
              signal: options.signal,
              onProgress: options.onProgress,
            })
          : 0,
    }));
    return {
      id: manifest.id,
      level,
      archiveEntries,
      tablesCompared,
      head: manifest.migrations.head,
      authenticity,
      warnings: [unauthenticatedWarning(manifest.id, authenticity)].filter((w) => w !== null),
      ms: Date.now() - started,
    };
  } catch (err) {
    throw options.signal?.aborted ? abortedBecause(err, aborted) : err;
  }
}
