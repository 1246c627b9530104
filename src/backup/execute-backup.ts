import type { Deployment } from '../deployment/deployment';
import { AbortedError, UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import { errnoIn } from '../errors/errno';
import { acquireDatabaseLock } from '../execute/database-lock';
import { runPlan } from '../execute/run-plan';
import type { StepEvent } from '../execute/step';
import { type RunOutcome, runSteps, WITHIN_ANOTHER_RUN } from '../execute/step-runner';
import type { SecretSet } from '../secrets';
import { type BackupEventHandler, emitter } from './backup-events';
import { type BackupCtx, backupHandlers } from './backup-handlers';
import { type DumpedBackup, manifestAt, manifestOf, type PreparedBackup } from './backup-manifest';
import { type BackupPlan, BackupPlanSchema } from './backup-plan';
import { checkedPlan } from './checked-plan';
import { requireFreshDatabasePlan } from './database-binding';
import type { BackupManifest } from './manifest';

export interface ExecuteBackupOptions {
  signal?: AbortSignal;
  onEvent?: BackupEventHandler;
  /** Host dumps only: the database password. @default POSTGRES_PASSWORD of the Postgres container */
  password?: string;
  /** What to do with an interrupted earlier run of this plan (required when there is one). */
  resume?: 'continue' | 'rollback';
}

export interface BackupResult {
  path: string;
  manifest: BackupManifest;
}

/** The events of the runner, in the backup's own event vocabulary. */
export function stepEvents(emit: BackupEventHandler): (e: StepEvent) => void {
  return (e) => {
    if (e.type === 'step' && (e.status === 'started' || e.status === 'finished'))
      emit({ type: 'step', step: e.step, status: e.status, detail: e.detail });
  };
}

function contextOf(
  deployment: Deployment,
  plan: BackupPlan,
  secrets: SecretSet,
  options: ExecuteBackupOptions,
) {
  const emit = emitter(options.onEvent);
  if (options.password) secrets.add(options.password);
  return { deployment, plan, secrets, password: options.password, emit } satisfies BackupCtx;
}

/**
 * Carries out a backup plan, step by step as the plan lists them, with one run per deployment (the
 * run lock and the database lock). A plan made before the deployment changed (containers, the app's
 * image or running state, the migration head) is refused before anything is touched. On any failure
 * nothing is left at the final path and an app the run stopped is started again. A run that was
 * killed is finished or undone by executing the same plan with `resume`.
 */
export async function executeBackup(
  deployment: Deployment,
  planInput: BackupPlan,
  options: ExecuteBackupOptions = {},
): Promise<BackupResult> {
  const plan = checkedPlan(BackupPlanSchema, planInput, 'backup');
  throwIfAborted(options.signal, {
    message: 'The backup was aborted before it started',
    unchanged: 'Nothing was changed',
  });
  requireSameProject('backup', plan.project, deployment);
  const secrets = await deployment.secrets();
  const ctx = contextOf(deployment, plan, secrets, options);
  const run = await runPlan({
    purpose: 'backup',
    planId: plan.id,
    plan,
    project: plan.project,
    stateDir: plan.stateDir,
    steps: plan.steps,
    handlers: backupHandlers,
    context: () => ctx,
    secrets,
    signal: options.signal,
    onEvent: stepEvents(ctx.emit),
    onFailure: 'undo-group',
    resume: options.resume,
    holdLock: (runId) => acquireDatabaseLock(deployment, runId),
    checkFresh: () => requireFreshDatabasePlan('backup', plan.boundTo, deployment),
  });
  return backupOutcome(plan, run.outcome, ctx, options);
}

/**
 * The same steps inside another run (an upgrade's hop): that run holds the locks and journals the
 * backup as one of its steps; a failure here undoes this backup's own steps.
 */
export async function runBackupWithin(
  deployment: Deployment,
  plan: BackupPlan,
  options: ExecuteBackupOptions = {},
): Promise<BackupResult> {
  const secrets = await deployment.secrets();
  const ctx = contextOf(deployment, plan, secrets, options);
  const outcome = await runSteps({
    steps: plan.steps,
    handlers: backupHandlers,
    ctx,
    journal: WITHIN_ANOTHER_RUN,
    signal: options.signal,
    onEvent: stepEvents(ctx.emit),
    onFailure: 'undo-group',
    secrets,
  });
  return backupOutcome(plan, outcome, ctx, options);
}

async function backupOutcome(
  plan: BackupPlan,
  outcome: RunOutcome,
  ctx: BackupCtx,
  options: ExecuteBackupOptions,
): Promise<BackupResult> {
  const appName = plan.source.appContainer ?? 'the app';
  if (outcome.status === 'finished') {
    // The manifest as written: the same timings the file holds.
    const { path, totalMs } = outcome.outputs.get('commit') as { path: string; totalMs: number };
    const prep = outcome.outputs.get('prepare') as PreparedBackup;
    const { verifyMs } = outcome.outputs.get('verify') as { verifyMs: number };
    const dump = outcome.outputs.get('dump') as DumpedBackup;
    const manifest = manifestOf(plan, prep, dump, { verifyMs, totalMs });
    return { path, manifest };
  }
  // Killed or failed after the rename: the backup is complete at its final path, whatever the journal says.
  const published =
    outcome.outputs.has('commit') ||
    (await manifestAt(plan.destination.path).catch(() => null))?.id === plan.id;
  if (published) {
    // What failed came after the rename (starting the app, or the journal): the backup is complete.
    throw new UpgradeError('BACKUP_FAILED', {
      message: ctx.secrets.redact(
        `Backup ${plan.id} is complete at ${plan.destination.path}, but the run did not finish: ${outcome.error.summary}`,
      ),
      unchanged: `The backup is complete and verified${outcome.outputs.has('stop-app') && !outcome.outputs.has('start-app') ? `; ${appName} may be STOPPED` : ''}`,
      hint: `Check that ${appName} runs (docker start ${appName}) and use the backup`,
      step: outcome.failedStep.id,
      backupId: plan.id,
      cause: outcome.error,
    });
  }
  const stopped = outcome.outputs.has('stop-app') || outcome.failedStep.id === 'stop-app';
  const restartFailed = outcome.undoFailures.some((f) => f.step === 'stop-app');
  throw backupFailure(outcome.error, {
    step: outcome.failedStep.id,
    finalPath: plan.destination.path,
    restarted: stopped && !restartFailed,
    appName: stopped ? appName : undefined,
    secrets: ctx.secrets,
    id: plan.id,
    aborted: options.signal?.aborted === true || outcome.error.code === 'ABORTED',
  });
}

export function requireSameProject(kind: string, project: string, deployment: Deployment): void {
  if (project !== deployment.project) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The ${kind} plan is for project ${project}, not ${deployment.project}`,
      unchanged: 'Nothing was changed',
      hint: 'Execute it against the deployment it was made for, or make a new plan',
    });
  }
}

function backupFailure(
  err: unknown,
  ctx: {
    step: string;
    finalPath: string;
    restarted: boolean;
    appName?: string;
    secrets: SecretSet;
    id: string;
    aborted: boolean;
  },
): UpgradeError {
  const inner = err instanceof UpgradeError ? err : undefined;
  const base = inner ? `${inner.summary} [${inner.code}]` : ((err as Error).message ?? String(err));
  // The disk filling up may surface wrapped (a write through the Docker stream): look down the causes.
  const noSpace = ['ENOSPC', 'EDQUOT'].includes(errnoIn(err) ?? '');
  // A backup fails with a backup code; a Docker or database error underneath stays the cause (causeCode).
  const code = noSpace ? 'BACKUP_NO_SPACE' : inner?.code.startsWith('BACKUP_') ? inner.code : 'BACKUP_FAILED';
  const what = ctx.aborted ? 'it was aborted' : noSpace ? 'the backup dir ran out of space' : base;
  const app = ctx.appName
    ? ctx.restarted
      ? ` ${ctx.appName} was started again.`
      : ` ${ctx.appName} is STOPPED and could not be started: start it with docker start ${ctx.appName}.`
    : '';
  const details = {
    message: ctx.secrets.redact(`Backup ${ctx.id} failed during '${ctx.step}': ${what}`),
    unchanged: `Nothing was left at ${ctx.finalPath}; the partial files were removed.${app} The database was only read`,
    hint: ctx.aborted
      ? 'Run the backup again when it can finish'
      : inner?.hint
        ? inner.hint
        : noSpace
          ? 'Free space in the backup dir or choose another, then run the backup again'
          : 'Fix the cause above and run the backup again',
    step: ctx.step,
    backupId: ctx.id,
    cause: err,
  };
  return ctx.aborted ? new AbortedError(details) : new UpgradeError(code, details);
}
