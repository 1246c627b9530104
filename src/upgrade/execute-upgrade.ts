import { checkedPlan } from '../backup/checked-plan';
import { type Deployment, secretsOf } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import { deploymentGuards } from '../execute/deployment-guards';
import { runSummary } from '../execute/deployment-plan';
import { runPlan } from '../execute/run-plan';
import type { StepEvent } from '../execute/step';
import { composeFilesOf, inspectDeployment } from './deployment-state';
import type { HopRecord } from './hop-record';
import type { Confirm } from './upgrade-context';
import { upgradeHandlers } from './upgrade-handlers';
import { type UpgradePlan, UpgradePlanSchema } from './upgrade-plan';

export interface ExecuteUpgradeOptions {
  signal?: AbortSignal;
  onEvent?: (event: StepEvent) => void;
  /** Asked before a manual step the library does not run on its own; without it such a step stops the hop. */
  confirm?: Confirm;
  /** Run recognised Engram release calls from "Upgrade from" sections without asking. @default false */
  allowManualSteps?: boolean;
  /** The values of the plan's `set` env edits (the plan holds only their hashes). */
  env?: Record<string, string>;
  /** `rollback`: a failed hop is rolled back to the version before it; `stop`: left as it failed. @default 'rollback' */
  onFailure?: 'rollback' | 'stop';
  /** What to do with an interrupted earlier run of this plan (required when there is one). */
  resume?: 'continue' | 'rollback';
}

export interface UpgradeResult {
  planId: string;
  run: string;
  journal: string;
  resumed: boolean;
  from: string;
  to: string;
  /** Hops finished in this run (and in the interrupted run it resumed), in order. */
  hops: HopRecord[];
  /** Milliseconds per step id. */
  timings: Record<string, number>;
  /** One paragraph for a person. */
  summary: string;
}

/** A failed upgrade: what happened, what state the deployment is in, what to do. */
export class UpgradeFailedError extends UpgradeError {
  override readonly name = 'UpgradeFailedError';
  /** The version the deployment runs now (the last good one), or null when that could not be confirmed. */
  readonly runningVersion: string | null;
  readonly rolledBack: boolean;
  readonly hops: HopRecord[];
  readonly journal: string;
  constructor(init: {
    cause: UpgradeError;
    message: string;
    unchanged: string;
    hint: string;
    step: string;
    runningVersion: string | null;
    rolledBack: boolean;
    hops: HopRecord[];
    journal: string;
  }) {
    super(init.cause.code === 'ABORTED' ? 'ABORTED' : 'UPGRADE_FAILED', {
      message: init.message,
      unchanged: init.unchanged,
      hint: init.hint,
      step: init.step,
      cause: init.cause,
    });
    this.runningVersion = init.runningVersion;
    this.rolledBack = init.rolledBack;
    this.hops = init.hops;
    this.journal = init.journal;
  }
}

/**
 * Executes an upgrade plan exactly as written, hop by hop, with one run per deployment. A plan made
 * against a deployment that changed since is refused before anything is touched. A failed hop is
 * rolled back to the version before it (unless `onFailure: 'stop'`); finished hops stay.
 */
export async function executeUpgrade(
  deployment: Deployment,
  planInput: UpgradePlan,
  options: ExecuteUpgradeOptions = {},
): Promise<UpgradeResult> {
  const plan = checkedPlan(UpgradePlanSchema, planInput, 'upgrade');
  if (plan.project !== deployment.project || plan.appService !== deployment.appService) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The plan is for project ${plan.project} (service ${plan.appService}), not ${deployment.project} (${deployment.appService})`,
      unchanged: 'Nothing was changed',
      hint: 'Execute it against the deployment it was made for, or make a new plan',
    });
  }
  const app = await deployment.app();
  const db = await deployment.db();
  const secrets = secretsOf(app, db);
  for (const v of Object.values(options.env ?? {})) secrets.add(v);
  const files = composeFilesOf(deployment.project, app);
  files.envFile = plan.compose.envFile;
  files.configFiles = plan.compose.configFiles;
  const run = await runPlan({
    purpose: 'upgrade',
    planId: plan.id,
    plan,
    project: plan.project,
    stateDir: plan.stateDir,
    steps: plan.steps,
    handlers: upgradeHandlers,
    context: ({ runId, runDir }) => ({
      deployment,
      plan,
      files,
      secrets,
      env: options.env ?? {},
      runId,
      runDir,
      confirm: options.confirm,
      allowManualSteps: options.allowManualSteps ?? false,
    }),
    secrets,
    signal: options.signal,
    onEvent: options.onEvent,
    onFailure: (options.onFailure ?? 'rollback') === 'rollback' ? 'undo-group' : 'stop',
    resume: options.resume,
    ...deploymentGuards(deployment, 'upgrade', plan.boundTo),
  });
  const hops = [...run.outcome.outputs.entries()]
    .filter(([id]) => id.endsWith('.record'))
    .map(([, v]) => v as HopRecord);
  if (run.outcome.status === 'finished') {
    return {
      ...runSummary(plan, run, run.outcome.timings),
      hops,
      summary: `Upgraded ${plan.project} from ${plan.from} to ${plan.to} in ${hops.length} hop(s): ${hops.map((h) => `${h.from} → ${h.to}`).join(', ')}. Every hop ended healthy on its target; each is recorded for rollback.`,
    };
  }
  const o = run.outcome;
  const failedHop = plan.hops.find((h) => o.failedStep.group === `hop-${h.index}`)!;
  const rolledBack = o.undoFailures.length === 0 && o.undone.length > 0;
  const clean = o.undoFailures.length === 0;
  const lastGood = hops.at(-1)?.to ?? plan.from;
  // Read only to tell the person where things stand; when it cannot be read, the message says so.
  let runningVersion: string | null = null;
  let unreadable: string | null = null;
  try {
    runningVersion = (await inspectDeployment(deployment)).version;
  } catch (err) {
    unreadable = err instanceof Error ? err.message : String(err);
  }
  const what = `Upgrading ${plan.project} from ${failedHop.from} to ${failedHop.to} failed at step ${o.failedStep.id}: ${o.error.summary}`;
  const where = !clean
    ? `Rolling that hop back failed at ${o.undoFailures[0]!.step} (${o.undoFailures[0]!.error.summary}); the deployment needs a person: the journal ${run.journal} lists what was done`
    : runningVersion === lastGood
      ? `The deployment runs ${lastGood} again${hops.length ? ` (after ${hops.length} finished hop(s))` : ''}${rolledBack ? ', with the failed hop rolled back' : ''}; config files and the database are as they were before that hop`
      : unreadable
        ? `The deployment could not be read after the rollback (${unreadable}): check that ${lastGood} runs`
        : `The app now reports ${runningVersion ?? 'no version'} (expected ${lastGood})`;
  throw new UpgradeFailedError({
    cause: o.error,
    message: secrets.redact(what),
    unchanged: secrets.redact(where),
    hint: clean
      ? `Fix the cause, then plan again from ${runningVersion ?? lastGood}`
      : `Read the journal, then run executeUpgrade with resume: 'rollback' to finish the rollback`,
    step: o.failedStep.id,
    runningVersion,
    rolledBack,
    hops,
    journal: run.journal,
  });
}
