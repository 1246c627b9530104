import { join } from 'node:path';
import type { Deployment } from '../deployment/deployment';
import { defaultDocker } from '../docker/default-docker';
import type { DockerPort } from '../docker/docker-port';
import { InvalidInputError, UpgradeError } from '../errors';
import { abortedBecause, throwIfAborted } from '../errors/abort';
import type { SecretSet } from '../secrets';
import { unauthenticatedWarning } from './backup-authenticity';
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

/** Lists the archive's table of contents with pg_restore inside a Postgres container. */
export async function listArchive(
  docker: DockerPort,
  containerId: string,
  dumpPath: string,
  manifest: Pick<BackupManifest, 'id' | 'files'>,
  signal?: AbortSignal,
): Promise<number> {
  const manifestId = manifest.id;
  const recorded = manifest.files.find((f) => f.name === DUMP_FILE);
  const dump = await openRegular(dumpPath, { bytes: recorded?.bytes ?? -1, backupId: manifestId });
  const r = await docker
    .exec(containerId, {
      cmd: ['pg_restore', '--list'],
      stdin: dump.createReadStream({ autoClose: false }),
      signal,
    })
    .finally(() => dump.close().catch(() => undefined));
  const entries = r.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
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
  return entries;
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
        join(backupDir, DUMP_FILE),
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
