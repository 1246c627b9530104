import { checkedPlan } from '../backup/checked-plan';
import { type Deployment, secretsOf } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import { deploymentGuards } from '../execute/deployment-guards';
import { runSummary } from '../execute/deployment-plan';
import { runPlan } from '../execute/run-plan';
import type { StepEvent } from '../execute/step';
import type { Confirm } from '../upgrade/upgrade-context';
import { rollbackHandlers } from './rollback-handlers';
import { type RollbackPlan, RollbackPlanSchema } from './rollback-plan';

export interface ExecuteRollbackOptions {
  signal?: AbortSignal;
  onEvent?: (event: StepEvent) => void;
  /** Agree that a restore discards what was written since its backup. @default false */
  acceptDataLoss?: boolean;
  /** Asked when the plan needs consent and `acceptDataLoss` is not set. */
  confirm?: Confirm;
  /** What to do with an interrupted earlier run of this plan. */
  resume?: 'continue' | 'rollback';
}

export interface RollbackResult {
  planId: string;
  run: string;
  journal: string;
  resumed: boolean;
  from: string;
  to: string;
  timings: Record<string, number>;
  summary: string;
}

/**
 * Executes a rollback plan step by step. A stale plan is refused before anything changes. A failed
 * step stops the rollback where it is (a rollback does not roll itself back) and says what is left
 * to do; running it again with `resume: 'continue'` finishes it once the cause is fixed.
 */
export async function executeRollback(
  deployment: Deployment,
  planInput: RollbackPlan,
  options: ExecuteRollbackOptions = {},
): Promise<RollbackResult> {
  const plan = checkedPlan(RollbackPlanSchema, planInput, 'rollback');
  if (plan.project !== deployment.project) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The rollback plan is for project ${plan.project}, not ${deployment.project}`,
      unchanged: 'Nothing was changed',
      hint: 'Execute it against the deployment it was made for',
    });
  }
  if (plan.data.needsConsent && !options.acceptDataLoss) {
    const changed = Object.entries(plan.data.changedSinceBackup)
      .map(([t, n]) => `${t} ${n > 0 ? '+' : ''}${n}`)
      .join(', ');
    const agreed = options.confirm
      ? await options.confirm({
          kind: 'data-loss',
          text: `The rollback restores a backup and discards what was written since it was taken (${changed})`,
          commands: [],
        })
      : false;
    if (!agreed) {
      throw new UpgradeError('CONSENT_REQUIRED', {
        message: `The rollback restores a backup, which discards rows written since it was taken (${changed}), and that was not agreed to`,
        unchanged: 'Nothing was changed',
        hint: 'Pass acceptDataLoss: true (or a confirm callback that answers true), or export the new rows first',
      });
    }
  }
  const secrets = secretsOf(await deployment.app(), await deployment.db());
  const files = {
    project: plan.project,
    workingDir: plan.compose.workingDir,
    configFiles: plan.compose.configFiles,
    envFile: plan.compose.envFile,
  };
  const run = await runPlan({
    purpose: 'rollback',
    planId: plan.id,
    plan,
    project: plan.project,
    stateDir: plan.stateDir,
    steps: plan.steps,
    handlers: rollbackHandlers,
    context: ({ runId }) => ({
      deployment,
      plan,
      files,
      secrets,
      runId,
    }),
    secrets,
    signal: options.signal,
    onEvent: options.onEvent,
    onFailure: 'stop',
    resume: options.resume,
    ...deploymentGuards(deployment, 'rollback', plan.boundTo),
  });
  const o = run.outcome;
  if (o.status === 'finished') {
    const how = plan.hops.map((h) => `${h.from} ← ${h.to}: ${h.strategy}`).join('; ');
    return {
      ...runSummary(plan, run, o.timings),
      summary: `Rolled ${plan.project} back from ${plan.from} to ${plan.to} (${how}). ${plan.to} is healthy; writes since the upgrade were ${plan.data.writesSinceUpgrade}.`,
    };
  }
  const done = plan.steps.filter((s) => o.outputs.has(s.id)).map((s) => s.id);
  throw new UpgradeError(o.error.code === 'ABORTED' ? 'ABORTED' : 'ROLLBACK_FAILED', {
    message: secrets.redact(
      `Rolling ${plan.project} back from ${plan.from} to ${plan.to} stopped at step ${o.failedStep.id}: ${o.error.summary}`,
    ),
    unchanged: done.length
      ? `Steps already done: ${done.join(', ')}; nothing after ${o.failedStep.id} ran`
      : 'Nothing was changed',
    hint: `Fix the cause, then run executeRollback with the same plan and resume: 'continue' (journal: ${run.journal})`,
    step: o.failedStep.id,
    cause: o.error,
  });
}
