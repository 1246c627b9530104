import { restoreDatabaseNames } from '../db/database-names';
import { literal, psqlQuery } from '../db/psql';
import { type Deployment, dbIdentityOf, secretsOf } from '../deployment/deployment';
import { envMap } from '../docker/env-entries';
import { UpgradeError } from '../errors';
import { defaultStateDir } from '../execute/state-dir';
import type { ExecStep } from '../execute/step';
import { secretFingerprint } from '../secrets';
import { readImageMigrations } from '../upgrade/image-migrations';
import { requireAbsolutePath } from './absolute-path';
import { unauthenticatedWarning } from './backup-authenticity';
import { readDatabaseBinding } from './database-binding';
import { checkFiles, loadSignedManifest } from './load-manifest';
import { type RestorePlan, RestorePlanSchema } from './restore-plan';
import { loadSigningKey, type SigningKeySource } from './signing-key';

export interface RestoreOptions {
  /** Stop the target's app before restoring (it must not write while its database is replaced). @default true */
  stopApp?: boolean;
  /** Start the app again once the restored database is in place. @default true */
  startApp?: boolean;
  /** Keep the replaced database under a new name instead of dropping it. @default true */
  keepPrevious?: boolean;
  /**
   * When the app's image ships migrations the backup does not have, starting it after the restore
   * migrates the restored database forward again (a one-way migration would silently undo the
   * restore). `refuse` plans nothing unless `startApp` is false; `migrate-forward` accepts it.
   * @default 'refuse'
   */
  newerImage?: 'refuse' | 'migrate-forward';
  /**
   * Checks the manifest's HMAC-SHA256 signature with this key before anything of the backup is
   * trusted, and refuses a backup that is unsigned (BACKUP_UNSIGNED) or whose signature does not match
   * (BACKUP_SIGNATURE_INVALID). Without it the plan warns that the backup is unauthenticated.
   * @default undefined: the signature is not checked
   */
  signingKey?: SigningKeySource;
  /** Where the run's lock, journal and saved plan go. @default `defaultStateDir()` */
  stateDir?: string;
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
  const signingKey = options.signingKey ? await loadSigningKey(options.signingKey) : undefined;
  const { manifest, authenticity } = await loadSignedManifest(backupDir, signingKey);
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
  const unauthenticated = unauthenticatedWarning(manifest.id, authenticity);
  if (unauthenticated) warnings.push(unauthenticated);
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
  const ahead = app ? await migrationsAhead(target, app.imageId, manifest.migrations.applied, warnings) : [];
  if (ahead.length) {
    const what = `The app's image (${app?.image}) ships ${ahead.length} migration(s) the backup does not have (${ahead.join(', ')}): started on the restored database, it migrates it forward again`;
    if (startApp && (options.newerImage ?? 'refuse') === 'refuse') {
      throw new UpgradeError('RESTORE_FAILED', {
        message: `${what}, and a one-way migration among them would silently undo the restore`,
        unchanged: 'Nothing was changed',
        hint: `Restore with startApp: false and start the image the backup was taken with (${manifest.engram.image}, id ${manifest.engram.imageId.replace(/^sha256:/, '').slice(0, 12)}), or pass newerImage: 'migrate-forward' to accept it`,
        backupId: manifest.id,
      });
    }
    warnings.push(
      startApp
        ? `${what}, as newerImage: 'migrate-forward' accepts.`
        : `${what}: start the image the backup was taken with (${manifest.engram.image}) instead.`,
    );
  }
  const others = await psqlQuery(
    { docker: target.docker, containerId: db.id, user, database: 'postgres', secrets: secretsOf(db, app) },
    `SELECT coalesce(nullif(application_name, ''), 'unnamed'), usename, coalesce(host(client_addr), 'local'), coalesce(state, ''), backend_start::text FROM pg_stat_activity WHERE datname = ${literal(database)} AND pid <> pg_backend_pid() ORDER BY backend_start`,
    'list connections to the target database',
  );
  const otherConnections = others.map(([application, user_, client, state, since]) => ({
    application: application!,
    user: user_!,
    client: client!,
    state: state!,
    since: since!,
  }));
  // The app's own connections end when it is stopped; anyone else's are cut at the swap.
  const foreign = otherConnections.filter((c) => !(stopApp && app?.addresses.includes(c.client)));
  if (foreign.length) {
    warnings.push(
      `${foreign.length} connection(s) to ${database} from other clients are open now (${foreign
        .slice(0, 5)
        .map((c) => `${c.application} as ${c.user} from ${c.client}${c.state ? `, ${c.state}` : ''}`)
        .join('; ')}): those still open at the swap are terminated, and their uncommitted work is lost.`,
    );
  }
  const keepPrevious = options.keepPrevious ?? true;
  const appRunning = app?.running ?? false;
  if (appRunning && !stopApp) {
    warnings.push(
      'The app keeps running while its database is swapped: writes after the swap start are lost.',
    );
  }
  const appName = app?.name ?? 'the app';
  const group = 'restore';
  const steps: ExecStep[] = [
    {
      id: 'check',
      kind: 'restore.check',
      group,
      action: `${signingKey ? `Re-check the signature of manifest.json (HMAC-SHA256, key id ${signingKey.keyId}) and` : 'Re-check (unauthenticated: no signing key)'} the sha256 of every file of backup ${manifest.id}`,
      undo: 'Nothing to undo (reads only)',
      input: {},
    },
  ];
  if (appRunning && stopApp) {
    steps.push({
      id: 'stop-app',
      kind: 'restore.stop-app',
      group,
      action: `Stop ${appName}`,
      undo: `Start ${appName}`,
      input: { container: app!.id },
    });
  }
  steps.push(
    {
      id: 'staging',
      kind: 'restore.staging',
      group,
      action: `Create missing roles (${manifest.roles.join(', ') || 'none'}; left in place on undo, they are harmless), create ${stagingDatabase} marked as this restore's, copy the dump into a private directory of the Postgres container (checked against the manifest on the way), pg_restore --jobs it into the staging database, remove the copy, and compare row counts and migrations with the manifest`,
      undo: `Drop ${stagingDatabase} if it carries this restore's mark`,
      input: {},
    },
    {
      id: 'swap',
      kind: 'restore.swap',
      group,
      action: `In one transaction, rename ${database} to ${previousDatabase} and ${stagingDatabase} to ${database}`,
      undo: 'In one transaction, rename them back',
      input: {},
    },
  );
  // Its own group: once the restored database is in place, a failure here does not swap it back. The
  // app starts before the replaced database is dropped: dropping it makes Postgres write a checkpoint,
  // which the app need not wait for; and if the app cannot be started, the replaced database is still
  // there.
  if (appRunning && stopApp && startApp) {
    steps.push({
      id: 'start-app',
      kind: 'restore.start-app',
      group: 'finish',
      action: `Start ${appName}`,
      undo: 'Nothing to undo',
      input: { container: app!.id },
    });
  }
  if (!keepPrevious) {
    steps.push({
      id: 'drop-previous',
      kind: 'restore.drop-previous',
      group: 'finish',
      action: `Drop ${previousDatabase} (the replaced database, checked by its OID)`,
      irreversible: true,
      input: {},
    });
  }
  const boundTo = await readDatabaseBinding(target);
  return RestorePlanSchema.parse({
    kind: 'restore',
    formatVersion: 2,
    // The names end in the run's unique stamp and random hex.
    id: `${target.project}-restore-${names.staging.slice(-20)}`,
    createdAt: now.toISOString(),
    backup: {
      dir: backupDir,
      id: manifest.id,
      createdAt: manifest.createdAt,
      engramVersion: manifest.engram.version,
      head: manifest.migrations.head,
      migrations: manifest.migrations.applied.length,
      serverMajor: manifest.database.serverMajor,
      authenticity,
    },
    signing: signingKey?.ref ?? null,
    target: {
      project: target.project,
      dbContainer: db.name,
      database,
      databaseOid,
      migrationsAhead: ahead,
      otherConnections,
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
    boundTo,
    stateDir: options.stateDir ?? defaultStateDir(),
    steps,
  });
}

/** Migrations the app's image ships that the backup lacks; a warning when the image cannot be read. */
async function migrationsAhead(
  target: Deployment,
  imageId: string,
  applied: readonly string[],
  warnings: string[],
): Promise<string[]> {
  try {
    const shipped = (await readImageMigrations(target.docker, imageId)).migrations;
    return shipped.map((m) => m.version).filter((v) => !applied.includes(v));
  } catch (err) {
    if (!(err instanceof UpgradeError)) throw err;
    warnings.push(
      `The app image's migrations could not be read (${err.summary}); check that it is the version the backup was taken with.`,
    );
    return [];
  }
}
