import { join } from 'node:path';
import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';
import { Journal } from './journal';
import { type JournalListing, journalPath, listJournals } from './journal-list';
import { finishedOutputs } from './journal-summary';
import { acquireRunLock } from './run-lock';
import type { RunPurpose } from './run-lock-owner';
import { savedPlanPath, savePlan } from './saved-plan';
import { ensureStateDir, newRunId } from './state-dir';
import type { ExecStep, StepEvent } from './step';
import { type Handlers, type RunOutcome, requireKnownKinds, runSteps, undoGroup } from './step-runner';

export interface RunPlanInput<Ctx> {
  purpose: RunPurpose;
  planId: string;
  /** The plan itself (plain JSON, no secrets): saved beside the journal so an interrupted run can be resumed. */
  plan: unknown;
  project: string;
  stateDir: string;
  steps: ExecStep[];
  handlers: Handlers<Ctx>;
  /** Builds the handlers' context once the run id (and its directory in the state dir) is known. */
  context(run: { runId: string; runDir: string }): Ctx;
  secrets: SecretSet;
  signal?: AbortSignal;
  onEvent?: (event: StepEvent) => void;
  onFailure: 'undo-group' | 'stop';
  /** What to do with an interrupted earlier run of the same plan; required when there is one. */
  resume?: 'continue' | 'rollback';
  /** Refuses a stale plan (runs only for a fresh run: a resumed one changed the deployment itself). */
  checkFresh(): Promise<void>;
  /** A second lock held for the run beside the lock file (the deployment's database lock). */
  holdLock?(runId: string): Promise<{ release(): Promise<void> }>;
}

export interface PlanRun {
  runId: string;
  journal: string;
  resumed: boolean;
  outcome: RunOutcome;
}

/**
 * Everything every executor does around its steps: the state directory, the one-run-per-deployment
 * lock, the plan's freshness, the journal, and resuming an interrupted run from it.
 */
export async function runPlan<Ctx>(input: RunPlanInput<Ctx>): Promise<PlanRun> {
  const stateDir = await ensureStateDir(input.stateDir);
  const fresh = newRunId();
  await using _lock = await acquireRunLock({
    stateDir,
    project: input.project,
    run: fresh,
    purpose: input.purpose,
  });
  const interrupted = (await listJournals(stateDir, input.project)).filter(
    (j) => j.summary.outcome === 'running',
  );
  const ours = interrupted.find((j) => j.header.planId === input.planId);
  const other = interrupted.find((j) => j.header.planId !== input.planId);
  if (other && !ours) {
    throw new UpgradeError('PLAN_STALE', {
      message: `An earlier ${other.header.planKind} run (${other.run}, plan ${other.header.planId}) was interrupted${other.summary.inFlight ? ` during step ${other.summary.inFlight}` : ''} and never finished`,
      unchanged: 'Nothing was changed by this run',
      hint: `Finish or undo it first: resumeInterrupted(deployment, { resume: 'continue' | 'rollback' }), or execute its plan (${savedPlanPath(stateDir, input.project, other.run)}) again with that resume option; its journal is ${other.path}`,
    });
  }
  if (ours && !input.resume) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `This plan's run ${ours.run} was interrupted${ours.summary.inFlight ? ` during step ${ours.summary.inFlight}` : ''}; it has ${ours.summary.finished.length} finished step(s)`,
      unchanged: 'Nothing was changed by this run',
      hint: "Run it again with resume: 'continue' (finish it) or resume: 'rollback' (undo the interrupted hop)",
    });
  }
  if (!ours && input.resume) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `resume: '${input.resume}' was given, and no interrupted run of plan ${input.planId} exists`,
      unchanged: 'Nothing was changed',
      hint: 'Execute the plan without resume',
    });
  }
  const runId = ours?.run ?? fresh;
  const held = input.holdLock ? await input.holdLock(runId) : undefined;
  try {
    return await runLocked(input, stateDir, ours, runId);
  } finally {
    await held?.release();
  }
}

async function runLocked<Ctx>(
  input: RunPlanInput<Ctx>,
  stateDir: string,
  ours: JournalListing | undefined,
  runId: string,
): Promise<PlanRun> {
  const runDir = join(stateDir, input.project, runId);
  const ctx = input.context({ runId, runDir });
  let journal: Journal;
  let outcome: RunOutcome;
  // An unknown step kind is refused before a journal exists that would count as an interrupted run.
  requireKnownKinds(input.steps, input.handlers);
  // Resuming a run in which no step had started is a fresh run in all but name: check the plan too.
  if (!ours || (ours.summary.finished.length === 0 && !ours.summary.inFlight && !ours.summary.failed)) {
    await input.checkFresh();
  }
  if (!ours) {
    await savePlan(savedPlanPath(stateDir, input.project, runId), input.plan);
    journal = await Journal.create(journalPath(stateDir, input.project, runId), {
      header: { run: runId, planKind: input.purpose, planId: input.planId, project: input.project },
      secrets: input.secrets,
    });
  } else {
    journal = await Journal.openForAppend(ours.path, { secrets: input.secrets });
  }
  try {
    if (ours) {
      const { entries } = await Journal.read(ours.path);
      const finished = finishedOutputs(entries) as Map<string, unknown>;
      const stuck = ours.summary.inFlight ?? ours.summary.failed ?? ours.summary.undoInFlight;
      const undoing = ours.summary.failed !== null || ours.summary.undoInFlight !== null;
      if (input.resume === 'rollback' || undoing) {
        const failedStep =
          input.steps.find((s) => s.id === stuck) ??
          input.steps.find((s) => s.id === ours.summary.finished.at(-1));
        const rt = {
          ctx,
          outputs: finished,
          signal: new AbortController().signal,
          emit: (e: StepEvent) => input.onEvent?.(e),
        };
        const timings = {};
        const allDone = input.steps.every((s) => finished.has(s.id));
        // Killed between groups (a hop finished, the next not started): nothing is half done.
        const groupDone =
          failedStep !== undefined &&
          failedStep.id === ours.summary.finished.at(-1) &&
          !ours.summary.inFlight &&
          !undoing &&
          input.steps.filter((s) => s.group === failedStep.group).every((s) => finished.has(s.id));
        if (!failedStep || allDone) {
          outcome = { status: 'finished', outputs: finished, timings };
        } else if (groupDone) {
          outcome = {
            status: 'failed',
            outputs: finished,
            timings,
            failedStep,
            error: new UpgradeError('UPGRADE_FAILED', {
              message: `Run ${runId} was interrupted after ${failedStep.group} finished; nothing was half done, so nothing was undone`,
              step: failedStep.id,
            }),
            undone: [],
            undoFailures: [],
          };
        } else {
          const undone = await undoGroup({ ...input, journal }, failedStep, rt);
          outcome = {
            status: 'failed',
            outputs: finished,
            timings,
            failedStep,
            error: new UpgradeError('UPGRADE_FAILED', {
              message: `Run ${runId} was interrupted during ${failedStep.id} and rolled back on request`,
              step: failedStep.id,
            }),
            undone: undone.undone,
            undoFailures: undone.failures,
          };
        }
      } else {
        outcome = await runSteps({ ...input, ctx, journal, finished });
      }
    } else {
      outcome = await runSteps({ ...input, ctx, journal });
    }
    await journal.append({
      type: outcome.status === 'finished' ? 'run-finished' : 'run-failed',
      data:
        outcome.status === 'finished'
          ? { steps: input.steps.length }
          : { step: outcome.failedStep.id, code: outcome.error.code, undone: outcome.undone },
    });
    return { runId, journal: journal.path, resumed: Boolean(ours), outcome };
  } finally {
    await journal.close();
  }
}
