import { restoreDatabaseNames } from '../db/database-names';
import { literal, psqlQuery } from '../db/psql';
import { type Deployment, dbIdentityOf, secretsOf } from '../deployment/deployment';
import { envMap } from '../docker/env-entries';
import { UpgradeError } from '../errors';
import { secretFingerprint } from '../secrets';
import { requireAbsolutePath } from './absolute-path';
import type { PlanStep } from './backup-plan';
import { checkFiles, loadManifest } from './load-manifest';
import { type RestorePlan, RestorePlanSchema } from './restore-plan';

export interface RestoreOptions {
  /** Stop the target's app before restoring (it must not write while its database is replaced). @default true */
  stopApp?: boolean;
  /** Start the app again once the restored database is in place. @default true */
  startApp?: boolean;
  /** Keep the replaced database under a new name instead of dropping it. @default true */
  keepPrevious?: boolean;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Plans restoring a backup into a deployment (its own, or another one such as a staging stack).
 * Refuses a backup whose manifest is missing or whose checksums do not match. Changes nothing.
 */
export async function restore(
  backupDir: string,
  target: Deployment,
  options: RestoreOptions = {},
): Promise<RestorePlan> {
  requireAbsolutePath(backupDir, 'Backup path', 'Pass the directory a backup reported');
  const manifest = await loadManifest(backupDir);
  await checkFiles(backupDir, manifest);
  const db = await target.db();
  if (!db.running) {
    throw new UpgradeError('RESTORE_FAILED', {
      message: `The target's Postgres container ${db.name} is not running`,
      unchanged: 'Nothing was changed',
      hint: `Start it with 'docker compose up -d ${target.dbService}' and plan again`,
    });
  }
  const { user, database } = dbIdentityOf(db);
  const app = await target.findApp();
  const now = (options.now ?? (() => new Date()))();
  // Refuses a POSTGRES_DB that Postgres would truncate before a single statement runs.
  const names = restoreDatabaseNames(database, now);
  const [row] = await psqlQuery(
    {
      docker: target.docker,
      containerId: db.id,
      user,
      database: 'postgres',
      secrets: secretsOf(db, app),
    },
    `SELECT current_setting('server_version_num'), (SELECT oid::text FROM pg_database WHERE datname = ${literal(database)})`,
    'read the server version',
  );
  const serverMajor = Math.floor(Number(row?.[0] ?? 0) / 10000);
  const databaseOid = row?.[1] ?? '';
  if (!databaseOid) {
    throw new UpgradeError('RESTORE_FAILED', {
      message: `The target server has no database named ${database}`,
      unchanged: 'Nothing was changed',
      hint: `Check POSTGRES_DB of ${db.name}`,
    });
  }
  if (serverMajor < manifest.database.serverMajor) {
    throw new UpgradeError('RESTORE_FAILED', {
      message: `The target server is Postgres ${serverMajor}, older than the backup's source (${manifest.database.serverMajor})`,
      unchanged: 'Nothing was changed',
      hint: `Restore into a Postgres ${manifest.database.serverMajor} or newer`,
      backupId: manifest.id,
    });
  }
  const warnings: string[] = [];
  const key = envMap(app?.env ?? []).ENCRYPTION_MASTER_KEY;
  if (manifest.masterKeyFingerprint && secretFingerprint(key) !== manifest.masterKeyFingerprint) {
    warnings.push(
      'The target app runs with a different ENCRYPTION_MASTER_KEY than the backup was taken with: its boot canary will refuse to start until the original key is restored.',
    );
  }
  const stagingDatabase = names.staging;
  const previousDatabase = names.previous;
  const stopApp = options.stopApp ?? true;
  const startApp = options.startApp ?? true;
  const keepPrevious = options.keepPrevious ?? true;
  const appRunning = app?.running ?? false;
  if (appRunning && !stopApp) {
    warnings.push(
      'The app keeps running while its database is swapped: writes after the swap start are lost.',
    );
  }
  const steps: PlanStep[] = [
    { id: 'check', action: `Re-check the sha256 of every file of backup ${manifest.id}` },
  ];
  if (appRunning && stopApp) {
    steps.push({ id: 'stop-app', action: `Stop ${app?.name}`, undo: `Start ${app?.name}` });
  }
  steps.push(
    {
      id: 'roles',
      action: `Create missing roles (${manifest.roles.join(', ') || 'none'})`,
      undo: 'Leave them; they are harmless',
    },
    {
      id: 'staging',
      action: `Create ${stagingDatabase} and pg_restore the archive into it; compare row counts and migrations with the manifest`,
      undo: `Drop ${stagingDatabase}`,
    },
    {
      id: 'swap',
      action: `In one transaction, rename ${database} to ${previousDatabase} and ${stagingDatabase} to ${database}`,
      undo: `Rename them back`,
    },
  );
  if (!keepPrevious) {
    steps.push({ id: 'drop-previous', action: `Drop ${previousDatabase}`, irreversible: true });
  }
  if (appRunning && stopApp && startApp)
    steps.push({ id: 'start-app', action: `Start ${app?.name}`, undo: `Stop ${app?.name}` });
  return RestorePlanSchema.parse({
    kind: 'restore',
    formatVersion: 1,
    createdAt: now.toISOString(),
    backup: {
      dir: backupDir,
      id: manifest.id,
      createdAt: manifest.createdAt,
      engramVersion: manifest.engram.version,
      head: manifest.migrations.head,
      migrations: manifest.migrations.applied.length,
      serverMajor: manifest.database.serverMajor,
    },
    target: {
      project: target.project,
      dbContainer: db.name,
      database,
      databaseOid,
      user,
      serverMajor,
      appContainer: app?.name ?? null,
      appRunning,
    },
    stopApp,
    startApp,
    keepPrevious,
    stagingDatabase,
    previousDatabase,
    warnings,
    steps,
  });
}
