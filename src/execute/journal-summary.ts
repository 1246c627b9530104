import type { JournalEntry, JsonValue } from './journal-entry';

/** Where a run stands, as its journal tells it. What a resumed run needs to decide what to do next. */
export interface JournalSummary {
  /** Steps whose latest entry is `step-finished`, in the order they finished. */
  finished: string[];
  /** The step started and neither finished nor failed: it may have run in part. */
  inFlight: string | null;
  /** The step that failed last (and has not finished since). */
  failed: string | null;
  /** Steps whose undo finished, in the order they were undone. */
  undone: string[];
  /** The step whose undo started and neither finished nor failed. */
  undoInFlight: string | null;
  /** Steps whose undo failed (and has not finished since), in the order they failed. */
  undoFailed: string[];
  /**
   * `finished` or `failed` once the run recorded that it ended (and did nothing after); otherwise
   * `running` — which, read after the process is gone, means it was interrupted.
   */
  outcome: 'running' | 'finished' | 'failed';
}

type Phase = 'started' | 'finished' | 'failed';

/** Folds a journal's entries into where the run stands. Pure. */
export function summarizeJournal(entries: readonly JournalEntry[]): JournalSummary {
  const steps = new Tracker();
  const undos = new Tracker();
  let outcome: JournalSummary['outcome'] = 'running';
  for (const e of entries) {
    if (e.type === 'run-finished') outcome = 'finished';
    else if (e.type === 'run-failed') outcome = 'failed';
    else if (e.type !== 'note' && e.step !== undefined) {
      const [kind, phase] = e.type.split('-') as ['step' | 'undo', Phase];
      (kind === 'step' ? steps : undos).record(e.step, phase);
      // Work recorded after the run said it ended means the run was taken up again.
      outcome = 'running';
    }
  }
  return {
    finished: steps.inOrder('finished'),
    inFlight: steps.inOrder('started').at(-1) ?? null,
    failed: steps.inOrder('failed').at(-1) ?? null,
    undone: undos.inOrder('finished'),
    undoInFlight: undos.inOrder('started').at(-1) ?? null,
    undoFailed: undos.inOrder('failed'),
    outcome,
  };
}

/** Each step's latest phase, and the order in which steps reached it. */
class Tracker {
  readonly #latest = new Map<string, Phase>();
  readonly #order: { step: string; phase: Phase }[] = [];

  record(step: string, phase: Phase): void {
    this.#latest.set(step, phase);
    // A step finishing twice (re-run after a crash that lost nothing) keeps its first place.
    if (phase === 'finished' && this.#order.some((o) => o.step === step && o.phase === 'finished')) return;
    this.#order.push({ step, phase });
  }

  /** Steps whose latest phase is `phase`, ordered by when they reached it (first time, for `finished`). */
  inOrder(phase: Phase): string[] {
    const out: string[] = [];
    for (const o of this.#order) {
      if (o.phase !== phase || this.#latest.get(o.step) !== phase) continue;
      if (phase === 'finished') out.push(o.step);
      else {
        // Reached this phase more than once: only its latest arrival counts.
        const at = out.indexOf(o.step);
        if (at >= 0) out.splice(at, 1);
        out.push(o.step);
      }
    }
    return out;
  }
}

/**
 * The recorded output (`data` of `step-finished`) of each step whose latest entry says it finished, so
 * a resumed run can hand earlier outputs to later steps. Secrets in outputs come back as `[redacted]`.
 */
export function finishedOutputs(entries: readonly JournalEntry[]): Map<string, JsonValue | undefined> {
  const finished = new Set(summarizeJournal(entries).finished);
  const out = new Map<string, JsonValue | undefined>();
  for (const e of entries) {
    if (e.type === 'step-finished' && e.step !== undefined && finished.has(e.step)) out.set(e.step, e.data);
  }
  return out;
}
