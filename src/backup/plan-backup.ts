import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { type PsqlTarget, psqlQuery } from '../db/psql';
import { type Deployment, dbIdentityOf, secretsOf } from '../deployment/deployment';
import { containerProcessors } from '../docker/container-processors';
import { InvalidInputError, UpgradeError } from '../errors';
import { defaultStateDir } from '../execute/state-dir';
import type { ExecStep } from '../execute/step';
import { run } from '../process/run-command';
import { requireAbsolutePath } from './absolute-path';
import { type BackupPlan, BackupPlanSchema } from './backup-plan';
import { chooseFormat, DIRECTORY_MIN_MAJOR } from './choose-format';
import { readDatabaseBinding } from './database-binding';
import { checkHostDumpReach } from './host-dump-reach';
import { checkBackupDir, nearestExisting } from './safe-dir';
import { loadSigningKey, type SigningKeySource } from './signing-key';

export interface BackupOptions {
  /**
   * Directory the backup is written into (created with mode 0700 when missing). Refused when it or a
   * directory above it is world-writable without the sticky bit, or owned by another user than this
   * one or root.
   */
  dir: string;
  /** `online` keeps the app running (the dump reads one consistent snapshot); `quiesced` stops it first. @default 'online' */
  mode?: 'online' | 'quiesced';
  /** Quiesced mode only: start the app again afterwards. Pass false when an upgrade follows straight on. @default true */
  restartApp?: boolean;
  /** Where pg_dump runs: inside the Postgres container (version-matched), or on this host against a published port. @default { where: 'container' } */
  dump?: { where: 'container' } | { where: 'host'; host: string; port: number };
  /** 1: checksums and `pg_restore --list`; 2: also a test restore into a throwaway Postgres. @default 1 */
  verifyLevel?: 1 | 2;
  /**
   * Signs manifest.json with HMAC-SHA256 under this key (into manifest.sig), so a verify or restore
   * configured with the same key refuses a backup changed after it was taken. The plan records where
   * the key comes from and its id, never the key; the executor reads it again from there.
   * @default undefined: the backup is not signed
   */
  signingKey?: SigningKeySource;
  /** Free bytes `dir` must have before starting. @default the database size */
  requiredFreeBytes?: number;
  /** Where the run's lock, journal and saved plan go. @default `defaultStateDir()` */
  stateDir?: string;
  /**
   * The archive's compression. `auto` takes `zstd` where pg_dump and the server are 16 or newer (several
   * times faster than gzip, so a quiesced backup stops the app for less time), `gzip` otherwise.
   * @default 'auto'
   */
  compression?: 'auto' | 'gzip' | 'zstd' | 'lz4';
  /**
   * The dump's format. `custom` is one archive (`pg_dump -Fc`); `directory` is `pg_dump -Fd -j N`, one
   * file per table dumped in parallel inside the Postgres container (N: its processors, at most 4), then
   * copied out. `auto` takes `directory` where pg_dump runs in the container, is 16 or newer, has two or
   * more processors, and the table data (64 MiB or more) is spread so that parallel jobs can shorten the
   * dump; `custom` otherwise. The plan's `formatReason` says why. `directory` needs a dump in the container.
   * @default 'auto'
   */
  format?: 'auto' | 'custom' | 'directory';
  /** The clock, for the backup id and timestamps. @default () => new Date() */
  now?: () => Date;
}

function checkHost(dump: BackupOptions['dump']): void {
  if (dump?.where !== 'host') return;
  if (
    !/^[A-Za-z0-9.:-]{1,253}$/.test(dump.host) ||
    !Number.isInteger(dump.port) ||
    dump.port < 1 ||
    dump.port > 65535
  ) {
    throw new InvalidInputError({
      message: `Host dump target ${JSON.stringify(`${dump.host}:${dump.port}`.slice(0, 100))} is not a host name and port`,
      hint: 'Pass a host name or IP address and a port between 1 and 65535',
    });
  }
}

async function hostClientMajor(): Promise<number> {
  let r: { stdout: string } | undefined;
  try {
    r = await run('pg_dump', ['--version'], { allowFail: true });
  } catch (err) {
    // ENOENT: there is no pg_dump on the PATH, which is the answer; anything else is a failure to run it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UpgradeError('BACKUP_FAILED', {
        message: `Could not run this host's pg_dump: ${(err as Error).message}`,
        unchanged: 'Nothing was changed',
        hint: "Check the pg_dump on the PATH, or dump inside the container (dump: { where: 'container' })",
        cause: err,
      });
    }
  }
  const m = r?.stdout.match(/\(PostgreSQL\)\s+(\d+)/);
  if (!m) {
    throw new UpgradeError('BACKUP_FAILED', {
      message: r
        ? `This host's pg_dump did not report a PostgreSQL version`
        : 'No pg_dump client was found on this host',
      unchanged: 'Nothing was changed',
      hint: "Install the PostgreSQL client of the server's major version, or dump inside the container (dump: { where: 'container' })",
    });
  }
  return Number(m[1]);
}

/** Free bytes where the backup will be written; null where the platform cannot say (no statfs). */
async function freeBytes(dir: string): Promise<number | null> {
  try {
    const fsInfo = await statfs(await nearestExisting(dir));
    return fsInfo.bavail * fsInfo.bsize;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSYS' || code === 'ENOTSUP') return null;
    throw new UpgradeError('BACKUP_FAILED', {
      message: `Could not check the free space for ${dir}: ${(err as Error).message}`,
      unchanged: 'Nothing was changed',
      hint: 'Check that the backup dir (or its nearest existing parent) can be read, or choose another',
      cause: err,
    });
  }
}

export function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Plans a backup of the deployment's database: reads sizes and versions, checks free space and the
 * client version, and returns the plan without changing anything.
 */
export async function backup(deployment: Deployment, options: BackupOptions): Promise<BackupPlan> {
  const dir = requireAbsolutePath(
    options.dir,
    'Backup dir',
    'Pass an absolute directory path without control characters',
  );
  checkHost(options.dump);
  // Checked before anything else is read, so a key that cannot be used costs nothing.
  const signing = options.signingKey ? (await loadSigningKey(options.signingKey)).ref : null;
  const mode = options.mode ?? 'online';
  const verifyLevel = options.verifyLevel ?? 1;
  const now = (options.now ?? (() => new Date()))();
  const db = await deployment.db();
  if (!db.running) {
    throw new UpgradeError('BACKUP_FAILED', {
      message: `The Postgres container ${db.name} is not running`,
      unchanged: 'Nothing was changed',
      hint: `Start it ('docker compose up -d ${deployment.dbService}') and plan the backup again`,
    });
  }
  const { user, database } = dbIdentityOf(db);
  const app = await deployment.findApp();
  const secrets = secretsOf(db, app);
  const target = { docker: deployment.docker, containerId: db.id, user, database, secrets };
  const [row] = await psqlQuery(
    target,
    "SELECT current_setting('server_version'), current_setting('server_version_num'), pg_database_size(current_database())",
    'read the server version and database size',
  );
  const serverVersion = row?.[0] ?? 'unknown';
  const serverMajor = Math.floor(Number(row?.[1] ?? 0) / 10000);
  const sizeBytes = Number(row?.[2] ?? 0);

  let dump: BackupPlan['dump'] = { where: 'container', client: 'pg_dump in the Postgres container' };
  if (options.dump?.where === 'host') {
    await checkHostDumpReach(deployment.docker, options.dump);
    const clientMajor = await hostClientMajor();
    if (clientMajor < serverMajor) {
      throw new UpgradeError('BACKUP_CLIENT_TOO_OLD', {
        message: `This host's pg_dump is version ${clientMajor}, older than the server (${serverVersion}); it cannot dump it reliably`,
        unchanged: 'Nothing was changed',
        hint: `Install a PostgreSQL ${serverMajor} client, or dump inside the container (dump: { where: 'container' })`,
      });
    }
    dump = { where: 'host', host: options.dump.host, port: options.dump.port, clientMajor };
  }
  // pg_dump in the container is the server's own version; a host client is as old as it is.
  const dumpMajor = dump.where === 'host' ? Math.min(dump.clientMajor, serverMajor) : serverMajor;
  const asked = options.compression ?? 'auto';
  if (asked !== 'auto' && asked !== 'gzip' && dumpMajor < 16) {
    throw new InvalidInputError({
      message: `compression '${asked}' needs pg_dump 16 or newer, and this dump runs with ${dumpMajor}`,
      hint: "Use compression: 'gzip' (or 'auto')",
    });
  }
  const compression = asked === 'auto' ? (dumpMajor >= 16 ? 'zstd' : 'gzip') : asked;
  const askedFormat = options.format ?? 'auto';
  if (!['auto', 'custom', 'directory'].includes(askedFormat)) {
    throw new InvalidInputError({
      message: `format takes auto, custom or directory, not ${JSON.stringify(String(askedFormat).slice(0, 20))}`,
    });
  }
  // Only read where the answer can matter: a custom or host dump never runs in parallel.
  const facts = { processors: 1, largestTableBytes: 0, totalTableBytes: 0 };
  if (askedFormat !== 'custom' && dump.where === 'container') {
    facts.processors = await containerProcessors(deployment.docker, db.id);
    if (askedFormat === 'auto' && facts.processors >= 2 && dumpMajor >= DIRECTORY_MIN_MAJOR) {
      Object.assign(facts, await tableSizes(target));
    }
  }
  const layout = chooseFormat({ asked: askedFormat, dumpWhere: dump.where, dumpMajor, ...facts });

  await checkBackupDir(dir);
  const requiredBytes = options.requiredFreeBytes ?? sizeBytes;
  const free = await freeBytes(dir);
  const availableBytes = free ?? 0;
  if (free !== null && availableBytes < requiredBytes) {
    throw new UpgradeError('BACKUP_NO_SPACE', {
      message: `${dir} has ${availableBytes} bytes free; the backup needs about ${requiredBytes} (the database size)`,
      unchanged: 'Nothing was changed',
      hint: 'Free space there, or choose another backup dir',
    });
  }

  const id = `${deployment.project}-${stamp(now)}`;
  const path = join(dir, id);
  // The working directory gets a random suffix (mkdtemp) when the backup runs.
  const tempPath = join(dir, `.${id}.partial-XXXXXX`);
  const appRunning = app?.running ?? false;
  const restartApp = options.restartApp ?? true;
  const appName = app?.name ?? 'the app';
  const stops = mode === 'quiesced' && appRunning;
  const steps: ExecStep[] = [
    {
      id: 'prepare',
      kind: 'backup.prepare',
      group: 'backup',
      action: `Check ${dir} again, create a private working directory ${tempPath} in it, and read the running app's version and image`,
      undo: 'Delete the working directory',
      input: {},
    },
  ];
  if (stops) {
    steps.push({
      id: 'stop-app',
      kind: 'backup.stop-app',
      group: 'backup',
      action: `Stop ${appName} so no write lands between the dump and what follows`,
      undo: `Start ${appName} again`,
      input: { container: app!.id },
    });
  }
  const level = compression === 'gzip' ? 'gzip' : `${compression}:1`;
  const where =
    dump.where === 'container'
      ? 'inside the Postgres container'
      : `host client ${dump.clientMajor} against ${dump.host}:${dump.port}`;
  steps.push(
    {
      id: 'dump',
      kind: 'backup.dump',
      group: 'backup',
      action: `Open a read-only transaction and export its snapshot; count rows, read schema_migrations and the roles (login, inherit, memberships; no passwords) in it; then ${
        layout.format === 'directory'
          ? `pg_dump -Fd -j ${layout.jobs} (${level}) of ${database} from that snapshot into a private directory ${where}, copied out file by file to the working directory (sha256 on the fly), then removed there`
          : `pg_dump -Fc (${level}) of ${database} from that snapshot (${where}), streamed to the working directory, sha256 on the fly`
      }`,
      undo:
        layout.format === 'directory'
          ? 'Close the transaction and remove the copy in the Postgres container; the working directory goes with the first step'
          : 'Close the transaction; the working directory goes with the first step',
      input: {},
    },
    {
      id: 'verify',
      kind: 'backup.verify',
      group: 'backup',
      action:
        verifyLevel === 2
          ? 'Re-read and compare checksums, pg_restore --list, then restore into a throwaway Postgres and compare row counts and migrations'
          : 'Re-read and compare checksums, then pg_restore --list',
      undo: 'Nothing to undo (reads only; a throwaway Postgres is removed)',
      input: {},
    },
    {
      id: 'commit',
      kind: 'backup.commit',
      group: 'backup',
      action: `Write manifest.json last${signing ? ` and sign it into manifest.sig (HMAC-SHA256, key id ${signing.keyId})` : ' (unsigned: no signing key was given)'}, fsync, rename the working directory to ${path}`,
      undo: 'Nothing to undo: until the rename nothing is at the final path, after it the backup is complete',
      input: {},
    },
  );
  if (stops && restartApp) {
    // Its own group: failing to start the app again does not undo a complete backup.
    steps.push({
      id: 'start-app',
      kind: 'backup.start-app',
      group: 'restart',
      action: `Start ${appName} again`,
      undo: 'Nothing to undo',
      input: { container: app!.id },
    });
  }
  const boundTo = await readDatabaseBinding(deployment);
  return BackupPlanSchema.parse({
    kind: 'backup',
    formatVersion: 2,
    id,
    createdAt: now.toISOString(),
    project: deployment.project,
    mode,
    restartApp,
    source: {
      dbContainer: db.name,
      dbImage: db.image,
      database,
      user,
      serverVersion,
      serverMajor,
      sizeBytes,
      appContainer: app?.name ?? null,
      appImage: app?.image ?? null,
      appRunning,
    },
    dump,
    format: layout.format,
    jobs: layout.jobs,
    formatReason: layout.reason,
    compression,
    destination: { dir, path, tempPath },
    space: { requiredBytes, availableBytes },
    verify: { level: verifyLevel },
    signing,
    boundTo,
    stateDir: options.stateDir ?? defaultStateDir(),
    steps,
  });
}

/**
 * How the table data is spread: the largest table's and all tables' heap and TOAST (what pg_dump
 * reads; indexes are not dumped). A job dumps one table at a time, so the largest bounds the gain.
 */
async function tableSizes(
  target: PsqlTarget,
): Promise<{ largestTableBytes: number; totalTableBytes: number }> {
  const [row] = await psqlQuery(
    target,
    "SELECT coalesce(max(pg_table_size(c.oid)), 0), coalesce(sum(pg_table_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
    'read the table sizes',
  );
  return { largestTableBytes: Number(row?.[0] ?? 0), totalTableBytes: Number(row?.[1] ?? 0) };
}
