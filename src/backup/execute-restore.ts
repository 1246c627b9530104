import { setTimeout as delay } from 'node:timers/promises';
import { ident, literal, psqlQuery } from '../db/psql';
import { type Deployment, secretsOf } from '../deployment/deployment';
import type { ContainerRecord } from '../docker/docker-port';
import { AbortedError, UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import { type BackupEventHandler, emitter } from './backup-events';
import { checkedPlan } from './checked-plan';
import { checkFiles, loadSignedManifest } from './load-manifest';
import { databaseOid, dropIfSame, readContents, restoreInto } from './restore-into';
import { type RestorePlan, RestorePlanSchema } from './restore-plan';
import { reloadSigningKey } from './signing-key';
import { compareWithManifest } from './table-counts';

export interface ExecuteRestoreOptions {
  signal?: AbortSignal;
  onEvent?: BackupEventHandler;
}

export interface RestoreResult {
  database: string;
  /** Where the replaced database now lives; null when it was dropped. */
  previousDatabase: string | null;
  head: string | null;
}

/**
 * Carries out a restore plan. Until the swap the target database is untouched: a failure or an abort
 * before it drops the staging database and starts the app again. The swap itself is one transaction.
 */
export async function executeRestore(
  target: Deployment,
  planInput: RestorePlan,
  options: ExecuteRestoreOptions = {},
): Promise<RestoreResult> {
  const plan = checkedPlan(RestorePlanSchema, planInput, 'restore');
  throwIfAborted(options.signal, {
    message: 'The restore was aborted before it started',
    unchanged: 'Nothing was changed',
  });
  const emit = emitter(options.onEvent);
  const db = await target.db();
  const app = await target.findApp();
  const secrets = secretsOf(db, app);
  // The signature is checked again with the key the plan names, over the manifest used below.
  const { manifest } = await loadSignedManifest(plan.backup.dir, await reloadSigningKey(plan.signing));
  if (manifest.id !== plan.backup.id) {
    throw new UpgradeError('RESTORE_FAILED', {
      message: `${plan.backup.dir} holds backup ${manifest.id}, not ${plan.backup.id} as planned`,
      unchanged: 'Nothing was changed',
      hint: 'Plan the restore again',
    });
  }
  const admin = {
    docker: target.docker,
    containerId: db.id,
    user: plan.target.user,
    database: 'postgres',
    secrets,
  };
  const liveOid = await databaseOid(admin, plan.target.database);
  if (liveOid !== plan.target.databaseOid) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The restore plan was made for database ${plan.target.database} with OID ${plan.target.databaseOid}, but that name now ${liveOid ? `belongs to OID ${liveOid}` : 'does not exist'}`,
      unchanged: 'Nothing was changed',
      hint: 'Plan the restore again against the deployment as it is now',
      backupId: manifest.id,
    });
  }
  let stopped: ContainerRecord | undefined;
  let stagingOid: string | undefined;
  let swapped = false;
  let step = 'check';
  try {
    emit({ type: 'step', step, status: 'started' });
    await checkFiles(plan.backup.dir, manifest);
    if (plan.stopApp && app?.running) {
      step = 'stop-app';
      await target.docker.stop(app.id, 30);
      stopped = app;
    }
    step = 'staging';
    emit({ type: 'step', step, status: 'started' });
    await restoreInto({
      onCreated: (oid) => {
        stagingOid = oid;
      },
      docker: target.docker,
      containerId: db.id,
      user: plan.target.user,
      database: plan.stagingDatabase,
      backupDir: plan.backup.dir,
      manifest,
      secrets,
      signal: options.signal,
      onProgress: (bytes) => emit({ type: 'progress', phase: 'restore', bytes }),
    });
    const actual = await readContents(target.docker, db.id, plan.target.user, plan.stagingDatabase, secrets);
    const diffs = compareWithManifest(
      { tables: manifest.tables, applied: manifest.migrations.applied },
      actual,
    );
    if (diffs.length) {
      throw new UpgradeError('RESTORE_FAILED', {
        message: `The restored data does not match backup ${manifest.id}: ${diffs.slice(0, 5).join('; ')}`,
      });
    }
    throwIfAborted(options.signal, { message: 'Aborted before the swap' });

    step = 'swap';
    emit({ type: 'step', step, status: 'started' });
    await swapDatabases(admin, plan);
    swapped = true;
    stagingOid = undefined;
    if (!plan.keepPrevious) {
      step = 'drop-previous';
      await psqlQuery(
        admin,
        `DROP DATABASE ${ident(plan.previousDatabase)}`,
        `drop ${plan.previousDatabase}`,
      );
    }
    if (stopped && plan.startApp) {
      step = 'start-app';
      await target.docker.start(stopped.id);
      stopped = undefined;
    }
    emit({ type: 'step', step: 'restore', status: 'finished', detail: manifest.migrations.head ?? '' });
    return {
      database: plan.target.database,
      previousDatabase: plan.keepPrevious ? plan.previousDatabase : null,
      head: manifest.migrations.head,
    };
  } catch (err) {
    // Cleanup after a failure: each outcome is reported in the error below rather than thrown over it.
    // Only the database this run created is dropped, identified by the OID it had at creation.
    const stagingDropped = stagingOid
      ? await dropIfSame(admin, plan.stagingDatabase, stagingOid).catch(() => false)
      : true;
    const targetIntact = swapped
      ? false
      : await databaseOid(admin, plan.target.database).then(
          (oid) => oid === plan.target.databaseOid,
          () => false, // reported as "could not be confirmed"
        );
    const restarted = stopped
      ? await target.docker.start(stopped.id).then(
          () => true,
          () => false,
        )
      : false;
    const aborted = options.signal?.aborted === true;
    const inner = err instanceof UpgradeError ? err : undefined;
    const base = inner ? `${inner.summary} [${inner.code}]` : ((err as Error).message ?? String(err));
    const appNote = stopped
      ? restarted
        ? ` ${stopped.name} was started again.`
        : ` ${stopped.name} is stopped.`
      : '';
    const details = {
      message: secrets.redact(
        `Restore of backup ${manifest.id} failed during '${step}': ${aborted ? 'it was aborted' : base}`,
      ),
      unchanged: swapped
        ? `The restored database is already in place as ${plan.target.database} (the previous one is ${plan.previousDatabase}).${appNote}`
        : `${
            targetIntact
              ? `The target database ${plan.target.database} was not changed (checked: same OID ${plan.target.databaseOid})`
              : `Whether the target database ${plan.target.database} is unchanged could not be confirmed: check it before anything else`
          }; ${stagingDropped ? `the staging database ${plan.stagingDatabase} was ${stagingOid ? 'dropped' : 'never created'}` : `the staging database ${plan.stagingDatabase} may be left in place: drop it once you have checked it`}.${appNote}`,
      hint: swapped
        ? `Start the app (docker start ${plan.target.appContainer ?? 'the app'}) and check it`
        : aborted
          ? 'Run the restore again when it can finish'
          : 'Fix the cause above and run the restore again',
      step,
      backupId: manifest.id,
      cause: err,
    };
    // The inner error stays the cause; its code is in the message and in `causeCode`.
    throw aborted ? new AbortedError(details) : new UpgradeError('RESTORE_FAILED', details);
  }
}

async function swapDatabases(admin: Parameters<typeof psqlQuery>[0], plan: RestorePlan): Promise<void> {
  const target = plan.target.database;
  // Sessions still connected (a psql, a straggling pool) block the rename; end them and retry briefly.
  for (let attempt = 0; ; attempt++) {
    await psqlQuery(
      admin,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${literal(target)} AND pid <> pg_backend_pid()`,
      'end sessions on the target database',
    );
    try {
      await psqlQuery(
        admin,
        `BEGIN; ALTER DATABASE ${ident(target)} RENAME TO ${ident(plan.previousDatabase)}; ALTER DATABASE ${ident(plan.stagingDatabase)} RENAME TO ${ident(target)}; COMMIT;`,
        'swap the restored database in',
      );
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
      await delay(300);
    }
  }
}
