import type { PsqlTarget } from '../db/psql';
import type { Deployment } from '../deployment/deployment';
import { AbortedError, UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import { acquireDatabaseLock } from '../execute/database-lock';
import { runPlan } from '../execute/run-plan';
import { type RunOutcome, runSteps, WITHIN_ANOTHER_RUN } from '../execute/step-runner';
import { type BackupEventHandler, emitter } from './backup-events';
import { checkedPlan } from './checked-plan';
import { requireFreshDatabasePlan } from './database-binding';
import { requireSameProject, stepEvents } from './execute-backup';
import { type RestoreCtx, restoreHandlers, stagingMarker } from './restore-handlers';
import { databaseComment, databaseOid } from './restore-into';
import { type RestorePlan, RestorePlanSchema } from './restore-plan';

export interface ExecuteRestoreOptions {
  signal?: AbortSignal;
  onEvent?: BackupEventHandler;
  /** What to do with an interrupted earlier run of this plan (required when there is one). */
  resume?: 'continue' | 'rollback';
}

export interface RestoreResult {
  database: string;
  /** Where the replaced database now lives; null when it was dropped. */
  previousDatabase: string | null;
  head: string | null;
}

async function contextOf(target: Deployment, plan: RestorePlan, options: ExecuteRestoreOptions) {
  const db = await target.db();
  const secrets = await target.secrets();
  const admin: PsqlTarget = {
    docker: target.docker,
    containerId: db.id,
    user: plan.target.user,
    database: 'postgres',
    secrets,
  };
  return { deployment: target, plan, secrets, emit: emitter(options.onEvent), admin } satisfies RestoreCtx;
}

/** Refuses a plan whose target database is no longer the one it was made for (checked by OID). */
async function requireSameDatabase(ctx: RestoreCtx): Promise<void> {
  const { plan } = ctx;
  const liveOid = await databaseOid(ctx.admin, plan.target.database);
  if (liveOid !== plan.target.databaseOid) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The restore plan was made for database ${plan.target.database} with OID ${plan.target.databaseOid}, but that name now ${liveOid ? `belongs to OID ${liveOid}` : 'does not exist'}`,
      unchanged: 'Nothing was changed',
      hint: 'Plan the restore again against the deployment as it is now',
      backupId: plan.backup.id,
    });
  }
}

/**
 * Carries out a restore plan, step by step as the plan lists them, with one run per deployment. Until
 * the swap the target database is untouched: a failure or an abort before it drops the staging
 * database (only the one carrying this plan's mark) and starts the app again. The swap is one
 * transaction. A killed run is finished or undone by executing the same plan with `resume`.
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
  requireSameProject('restore', plan.target.project, target);
  const ctx = await contextOf(target, plan, options);
  const run = await runPlan({
    purpose: 'restore',
    planId: plan.id,
    plan,
    project: plan.target.project,
    stateDir: plan.stateDir,
    steps: plan.steps,
    handlers: restoreHandlers,
    context: () => ctx,
    secrets: ctx.secrets,
    signal: options.signal,
    onEvent: stepEvents(ctx.emit),
    onFailure: 'undo-group',
    resume: options.resume,
    holdLock: (runId) => acquireDatabaseLock(target, runId),
    checkFresh: async () => {
      await requireSameDatabase(ctx);
      await requireFreshDatabasePlan('restore', plan.boundTo, target);
    },
  });
  return restoreOutcome(ctx, run.outcome, options);
}

/**
 * The same steps inside another run (a rollback's restore): that run holds the locks and journals the
 * restore as one of its steps.
 */
export async function runRestoreWithin(
  target: Deployment,
  plan: RestorePlan,
  options: ExecuteRestoreOptions = {},
): Promise<RestoreResult> {
  const ctx = await contextOf(target, plan, options);
  await requireSameDatabase(ctx);
  const outcome = await runSteps({
    steps: plan.steps,
    handlers: restoreHandlers,
    ctx,
    journal: WITHIN_ANOTHER_RUN,
    signal: options.signal,
    onEvent: stepEvents(ctx.emit),
    onFailure: 'undo-group',
    secrets: ctx.secrets,
  });
  return restoreOutcome(ctx, outcome, options);
}

async function restoreOutcome(
  ctx: RestoreCtx,
  outcome: RunOutcome,
  options: ExecuteRestoreOptions,
): Promise<RestoreResult> {
  const { plan, admin, secrets } = ctx;
  const head = ctx.manifest?.migrations.head ?? plan.backup.head;
  if (outcome.status === 'finished') {
    ctx.emit({ type: 'step', step: 'restore', status: 'finished', detail: head ?? '' });
    return {
      database: plan.target.database,
      previousDatabase: plan.keepPrevious ? plan.previousDatabase : null,
      head,
    };
  }
  const o = outcome;
  const appName = plan.target.appContainer ?? 'the app';
  const swapped = o.outputs.has('swap') && !o.undone.includes('swap');
  const stopped = o.outputs.has('stop-app') || o.failedStep.id === 'stop-app';
  const restarted = stopped && o.undone.includes('stop-app');
  const startedOnRestored = o.outputs.has('start-app');
  const appNote = startedOnRestored
    ? ` ${appName} was started on it.`
    : restarted
      ? ` ${appName} was started again.`
      : stopped
        ? ` ${appName} is stopped.`
        : '';
  // Read back rather than assumed: what the message says about the databases was checked.
  const targetIntact = swapped
    ? false
    : await databaseOid(admin, plan.target.database).then(
        (oid) => oid === plan.target.databaseOid,
        () => false, // reported as "could not be confirmed"
      );
  const staging = await Promise.all([
    databaseOid(admin, plan.stagingDatabase),
    databaseComment(admin, plan.stagingDatabase),
  ]).then(
    ([oid, comment]) => (oid === null ? 'absent' : comment === stagingMarker(plan) ? 'ours' : 'foreign'),
    () => 'unknown' as const,
  );
  const stagingOutcome = {
    absent: `no staging database ${plan.stagingDatabase} is left`,
    foreign: `a database named ${plan.stagingDatabase} that this run did not create was left alone`,
    ours: `the staging database ${plan.stagingDatabase} is still there: drop it once you have checked it`,
    unknown: `whether the staging database ${plan.stagingDatabase} is left could not be checked`,
  }[staging];
  const previous =
    o.outputs.has('drop-previous') || o.failedStep.id === 'drop-previous'
      ? await databaseOid(admin, plan.previousDatabase).then(
          (oid) =>
            oid === null ? 'the previous one was dropped' : `the previous one is ${plan.previousDatabase}`,
          () => `whether the previous one, ${plan.previousDatabase}, was dropped could not be checked`,
        )
      : `the previous one is ${plan.previousDatabase}`;
  const aborted = options.signal?.aborted === true || o.error.code === 'ABORTED';
  const details = {
    message: secrets.redact(
      `Restore of backup ${plan.backup.id} failed during '${o.failedStep.id}': ${aborted ? 'it was aborted' : `${o.error.summary} [${o.error.code}]`}`,
    ),
    unchanged: swapped
      ? `The restored database is already in place as ${plan.target.database} (${previous}).${appNote}`
      : `${
          targetIntact
            ? `The target database ${plan.target.database} was not changed (checked: same OID ${plan.target.databaseOid})`
            : `Whether the target database ${plan.target.database} is unchanged could not be confirmed: check it before anything else`
        }; ${stagingOutcome}.${appNote}`,
    hint: swapped
      ? startedOnRestored
        ? `Check ${appName}; once you have, drop ${plan.previousDatabase} yourself if it is still there`
        : `Start the app (docker start ${appName}) and check it`
      : o.undoFailures.length
        ? `Undoing failed at ${o.undoFailures[0]!.step} (${o.undoFailures[0]!.error.summary}); execute the plan again with resume: 'rollback' once the cause is fixed`
        : aborted
          ? 'Run the restore again when it can finish'
          : 'Fix the cause above and run the restore again',
    step: o.failedStep.id,
    backupId: plan.backup.id,
    cause: o.error,
  };
  // The inner error stays the cause; its code is in the message and in `causeCode`.
  throw aborted ? new AbortedError(details) : new UpgradeError('RESTORE_FAILED', details);
}
