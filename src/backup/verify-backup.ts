import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { defaultDocker } from '../docker/default-docker';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { abortedBecause, throwIfAborted } from '../errors/abort';
import type { SecretSet } from '../secrets';
import { checkFiles, loadManifest } from './load-manifest';
import { type BackupManifest, DUMP_FILE } from './manifest';
import { readContents, restoreInto } from './restore-into';
import { ScratchPostgres } from './scratch-postgres';
import { compareWithManifest } from './table-counts';

export interface VerifyBackupOptions {
  /** 1: checksums and `pg_restore --list`; 2: also a restore into a throwaway Postgres, compared with the manifest. @default 1 */
  level?: 1 | 2;
  /** @default a `DockerodeDocker` on DOCKER_HOST or the default socket */
  docker?: DockerPort;
  /** Postgres image for the throwaway server (same major as the source). @default the image recorded in the manifest */
  image?: string;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
}

export interface VerifyReport {
  id: string;
  level: 1 | 2;
  archiveEntries: number;
  tablesCompared: number;
  head: string | null;
  ms: number;
}

/** Lists the archive's table of contents with pg_restore inside a Postgres container. */
export async function listArchive(
  docker: DockerPort,
  containerId: string,
  dumpPath: string,
  manifestId: string,
  signal?: AbortSignal,
): Promise<number> {
  const r = await docker.exec(containerId, {
    cmd: ['pg_restore', '--list'],
    stdin: createReadStream(dumpPath),
    signal,
  });
  const entries = r.stdout.split('\n').filter((l) => /^\d+;/.test(l)).length;
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
 * Only reads the backup; the throwaway Postgres it starts is removed again. Cancelled through
 * `signal`, it rejects with an `AbortedError`.
 */
export async function verifyBackup(
  backupDir: string,
  options: VerifyBackupOptions = {},
): Promise<VerifyReport> {
  const started = Date.now();
  const level = options.level ?? 1;
  const aborted = {
    message: `Verification of ${backupDir} was aborted`,
    unchanged: 'The backup was only read; the throwaway Postgres, if one was started, is removed',
  };
  throwIfAborted(options.signal, aborted);
  try {
    const docker = options.docker ?? (await defaultDocker());
    const manifest = await loadManifest(backupDir);
    await checkFiles(backupDir, manifest);
    throwIfAborted(options.signal, aborted);
    const image = options.image ?? manifest.database.image;
    const scratch = await ScratchPostgres.start(docker, image, manifest.database.user, {
      signal: options.signal,
    });
    const { archiveEntries, tablesCompared } = await scratch.use(async () => ({
      archiveEntries: await listArchive(
        docker,
        scratch.containerId,
        join(backupDir, DUMP_FILE),
        manifest.id,
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
      ms: Date.now() - started,
    };
  } catch (err) {
    throw options.signal?.aborted ? abortedBecause(err, aborted) : err;
  }
}
