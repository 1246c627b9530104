import { AbortedError, UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';
import type { ExecStep, StepEvent } from './step';

/** Where the runner records what it is about to do and what it did (a `Journal` in production). */
export interface JournalSink {
  append(entry: { type: JournalEventType; step?: string; data?: unknown }): Promise<unknown>;
}
export type JournalEventType =
  | 'step-started'
  | 'step-finished'
  | 'step-failed'
  | 'undo-started'
  | 'undo-finished'
  | 'undo-failed'
  | 'run-finished'
  | 'run-failed'
  | 'note';

/**
 * The journal of steps run inside another run (a backup within an upgrade's hop, a restore within a
 * rollback): that run journals them as one of its own steps, so they record nothing themselves.
 */
export const WITHIN_ANOTHER_RUN: JournalSink = { append: async () => undefined };

/** What a handler gets besides its step. */
export interface StepRuntime<Ctx> {
  ctx: Ctx;
  /** Outputs of the steps finished so far in this run (including those finished before a crash). */
  outputs: ReadonlyMap<string, unknown>;
  signal: AbortSignal;
  emit(event: StepEvent): void;
}

/**
 * Runs and undoes one kind of step. `run` returns a JSON value that is journalled and handed to later
 * steps and to `undo`. `undo` must be idempotent: it is also called for the step that failed (with
 * `output` undefined), and again after a crash if the process died while undoing.
 */
export interface StepHandler<Ctx> {
  run(step: ExecStep, rt: StepRuntime<Ctx>): Promise<unknown>;
  undo?(step: ExecStep, output: unknown, rt: StepRuntime<Ctx>): Promise<void>;
}

export type Handlers<Ctx> = Record<string, StepHandler<Ctx>>;

export interface RunStepsInput<Ctx> {
  steps: ExecStep[];
  handlers: Handlers<Ctx>;
  ctx: Ctx;
  journal: JournalSink;
  signal?: AbortSignal;
  onEvent?: (event: StepEvent) => void;
  /** Steps finished in an earlier, interrupted run of the same plan, with their outputs: skipped. */
  finished?: ReadonlyMap<string, unknown>;
  /** `undo-group`: undo the failed step's group in reverse; `stop`: leave everything as it is. */
  onFailure: 'undo-group' | 'stop';
  /** Redacts secrets from error text that reaches the journal and events. */
  secrets?: SecretSet;
}

export type RunOutcome =
  | { status: 'finished'; outputs: Map<string, unknown>; timings: Record<string, number> }
  | {
      status: 'failed';
      outputs: Map<string, unknown>;
      timings: Record<string, number>;
      failedStep: ExecStep;
      error: UpgradeError;
      /** Steps undone, in the order they were undone. */
      undone: string[];
      /** Undo handlers that failed: the deployment needs a person. */
      undoFailures: { step: string; error: UpgradeError }[];
    };

/**
 * The one step runner: every executor (upgrade, rollback) is a set of handlers it drives. Before a
 * step runs, its start is journalled (fsynced); after, its output. On a failure or an abort the
 * finished steps of the failed step's group are undone in reverse, the failed one included.
 */
export async function runSteps<Ctx>(input: RunStepsInput<Ctx>): Promise<RunOutcome> {
  const signal = input.signal ?? new AbortController().signal;
  const emit = (e: StepEvent) => input.onEvent?.(e);
  const outputs = new Map<string, unknown>(input.finished ?? []);
  const timings: Record<string, number> = {};
  const rt: StepRuntime<Ctx> = { ctx: input.ctx, outputs, signal, emit };
  requireKnownKinds(input.steps, input.handlers);
  for (const step of input.steps) {
    if (input.finished?.has(step.id)) {
      emit({ type: 'step', step: step.id, kind: step.kind, group: step.group, status: 'skipped' });
      continue;
    }
    const handler = input.handlers[step.kind]!;
    const started = Date.now();
    try {
      if (signal.aborted) throw abortedAt(step);
      await input.journal.append({ type: 'step-started', step: step.id });
      emit({ type: 'step', step: step.id, kind: step.kind, group: step.group, status: 'started' });
      const output = (await handler.run(step, rt)) ?? null;
      outputs.set(step.id, output);
      timings[step.id] = Date.now() - started;
      await input.journal.append({ type: 'step-finished', step: step.id, data: output });
      emit({
        type: 'step',
        step: step.id,
        kind: step.kind,
        group: step.group,
        status: 'finished',
        ms: timings[step.id],
      });
    } catch (raw) {
      timings[step.id] = Date.now() - started;
      const error = asUpgradeError(raw, step, signal);
      const text = input.secrets ? input.secrets.redact(error.summary) : error.summary;
      await input.journal
        .append({ type: 'step-failed', step: step.id, data: { code: error.code, message: text } })
        .catch(() => undefined);
      emit({
        type: 'step',
        step: step.id,
        kind: step.kind,
        group: step.group,
        status: 'failed',
        detail: text,
      });
      const undone: string[] = [];
      const undoFailures: { step: string; error: UpgradeError }[] = [];
      if (input.onFailure === 'undo-group') {
        const result = await undoGroup(input, step, rt);
        undone.push(...result.undone);
        undoFailures.push(...result.failures);
      }
      return { status: 'failed', outputs, timings, failedStep: step, error, undone, undoFailures };
    }
  }
  return { status: 'finished', outputs, timings };
}

/**
 * Undoes the failed step and the finished steps of its group, newest first. Runs even when the signal
 * has aborted: an abort asks for a rollback, not for a half-done deployment.
 */
export async function undoGroup<Ctx>(
  input: Pick<RunStepsInput<Ctx>, 'steps' | 'handlers' | 'journal' | 'onEvent' | 'secrets'>,
  failed: ExecStep,
  rt: StepRuntime<Ctx>,
): Promise<{ undone: string[]; failures: { step: string; error: UpgradeError }[] }> {
  const emit = (e: StepEvent) => input.onEvent?.(e);
  const upTo = input.steps.indexOf(failed);
  const scope = input.steps
    .slice(0, upTo + 1)
    .filter((s) => s.group === failed.group)
    .reverse();
  const undone: string[] = [];
  const failures: { step: string; error: UpgradeError }[] = [];
  // Undo must be able to wait (a container stopping, a health check) even after an abort.
  const undoRt: StepRuntime<Ctx> = { ...rt, signal: new AbortController().signal };
  for (const step of scope) {
    const handler = input.handlers[step.kind];
    if (!handler?.undo) continue;
    if (step !== failed && !rt.outputs.has(step.id)) continue;
    await input.journal.append({ type: 'undo-started', step: step.id }).catch(() => undefined);
    emit({ type: 'undo', step: step.id, kind: step.kind, group: step.group, status: 'started' });
    try {
      await handler.undo(step, rt.outputs.get(step.id), undoRt);
      undone.push(step.id);
      await input.journal.append({ type: 'undo-finished', step: step.id }).catch(() => undefined);
      emit({ type: 'undo', step: step.id, kind: step.kind, group: step.group, status: 'finished' });
    } catch (raw) {
      const error = asUpgradeError(raw, step, undefined);
      const text = input.secrets ? input.secrets.redact(error.summary) : error.summary;
      failures.push({ step: step.id, error });
      await input.journal
        .append({ type: 'undo-failed', step: step.id, data: { code: error.code, message: text } })
        .catch(() => undefined);
      emit({
        type: 'undo',
        step: step.id,
        kind: step.kind,
        group: step.group,
        status: 'failed',
        detail: text,
      });
      // Later (earlier-run) undos may depend on this one; stop and leave the rest to a person.
      break;
    }
  }
  return { undone, failures };
}

/** Refuses a plan with a step no handler runs, before anything is done. */
export function requireKnownKinds<Ctx>(steps: ExecStep[], handlers: Handlers<Ctx>): void {
  for (const step of steps) {
    if (!handlers[step.kind]) {
      throw new UpgradeError('INVALID_INPUT', {
        message: `The plan has a step of kind '${step.kind}' (${step.id}) that this executor does not know`,
        unchanged: 'Nothing was changed',
        hint: 'Make the plan with the same version of engram-upgrade that executes it',
      });
    }
  }
}

function abortedAt(step: ExecStep): AbortedError {
  return new AbortedError({ message: `The run was aborted before step ${step.id}`, step: step.id });
}

/** Every failure becomes an UpgradeError that names its step; the original is kept as the cause. */
export function asUpgradeError(raw: unknown, step: ExecStep, signal: AbortSignal | undefined): UpgradeError {
  if (signal?.aborted && !(raw instanceof AbortedError)) {
    return new AbortedError({
      message: `The run was aborted during step ${step.id}`,
      step: step.id,
      cause: raw,
    });
  }
  if (raw instanceof UpgradeError) return raw;
  const message = raw instanceof Error ? raw.message : String(raw);
  return new UpgradeError('UPGRADE_FAILED', {
    message: `Step ${step.id} failed: ${message}`,
    step: step.id,
    cause: raw,
  });
}
