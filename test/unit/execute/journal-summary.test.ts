import { describe, expect, it } from 'vitest';
import type { JournalEntry, JournalEntryType } from '../../../src/execute/journal-entry';
import { finishedOutputs, summarizeJournal } from '../../../src/execute/journal-summary';

/** Entries from `[type, step?, data?]` tuples, numbered in order. */
function journal(...items: [JournalEntryType, string?, unknown?][]): JournalEntry[] {
  return items.map(([type, step, data], i) => ({
    seq: i + 1,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    type,
    ...(step === undefined ? {} : { step }),
    ...(data === undefined ? {} : { data: data as JournalEntry['data'] }),
  }));
}

const empty = { finished: [], inFlight: null, failed: null, undone: [], undoInFlight: null, undoFailed: [] };

describe('summarizeJournal', () => {
  it('an empty journal: running, nothing done', () => {
    expect(summarizeJournal([])).toEqual({ ...empty, outcome: 'running' });
  });

  it('a finished run', () => {
    const s = summarizeJournal(
      journal(
        ['step-started', 'backup'],
        ['step-finished', 'backup'],
        ['note', undefined, 'pulled in 3 s'],
        ['step-started', 'swap'],
        ['step-finished', 'swap'],
        ['run-finished'],
      ),
    );
    expect(s).toEqual({ ...empty, finished: ['backup', 'swap'], outcome: 'finished' });
  });

  it('killed between steps: running, nothing in flight', () => {
    const s = summarizeJournal(journal(['step-started', 'backup'], ['step-finished', 'backup']));
    expect(s).toEqual({ ...empty, finished: ['backup'], outcome: 'running' });
  });

  it('killed during a step: that step is in flight', () => {
    const s = summarizeJournal(
      journal(['step-started', 'backup'], ['step-finished', 'backup'], ['step-started', 'migrate']),
    );
    expect(s).toEqual({ ...empty, finished: ['backup'], inFlight: 'migrate', outcome: 'running' });
  });

  it('a failed run, fully undone', () => {
    const s = summarizeJournal(
      journal(
        ['step-started', 'stop-old'],
        ['step-finished', 'stop-old'],
        ['step-started', 'start-new'],
        ['step-failed', 'start-new'],
        ['undo-started', 'start-new'],
        ['undo-finished', 'start-new'],
        ['undo-started', 'stop-old'],
        ['undo-finished', 'stop-old'],
        ['run-failed'],
      ),
    );
    expect(s).toEqual({
      ...empty,
      finished: ['stop-old'],
      failed: 'start-new',
      undone: ['start-new', 'stop-old'],
      outcome: 'failed',
    });
  });

  it('killed while undoing: the undo is in flight and the run still running', () => {
    const s = summarizeJournal(
      journal(
        ['step-started', 'a'],
        ['step-finished', 'a'],
        ['step-started', 'b'],
        ['step-failed', 'b'],
        ['undo-started', 'b'],
        ['undo-finished', 'b'],
        ['undo-started', 'a'],
      ),
    );
    expect(s).toEqual({
      ...empty,
      finished: ['a'],
      failed: 'b',
      undone: ['b'],
      undoInFlight: 'a',
      outcome: 'running',
    });
  });

  it('a failed undo is reported, and clears once a later undo of that step finishes', () => {
    const failedUndo = journal(
      ['step-started', 'a'],
      ['step-failed', 'a'],
      ['undo-started', 'a'],
      ['undo-failed', 'a'],
      ['run-failed'],
    );
    expect(summarizeJournal(failedUndo)).toMatchObject({ undoFailed: ['a'], undone: [], outcome: 'failed' });
    const retried = [...failedUndo, ...journal(['undo-started', 'a'], ['undo-finished', 'a'])].map(
      (e, i) => ({
        ...e,
        seq: i + 1,
      }),
    );
    expect(summarizeJournal(retried)).toMatchObject({ undoFailed: [], undone: ['a'], outcome: 'running' });
  });

  it('a step re-run after a crash and finished counts once, and is no longer in flight or failed', () => {
    const s = summarizeJournal(
      journal(
        ['step-started', 'a'],
        ['step-finished', 'a'],
        ['step-started', 'b'],
        // crash; the resumed run starts b again
        ['step-started', 'b'],
        ['step-failed', 'b'],
        ['step-started', 'b'],
        ['step-finished', 'b'],
        ['step-finished', 'a'],
      ),
    );
    expect(s).toEqual({ ...empty, finished: ['a', 'b'], outcome: 'running' });
  });

  it('work recorded after the run ended makes it running again', () => {
    const s = summarizeJournal(journal(['run-failed'], ['undo-started', 'x']));
    expect(s).toMatchObject({ undoInFlight: 'x', outcome: 'running' });
    expect(summarizeJournal(journal(['run-finished'], ['note'])).outcome).toBe('finished');
  });
});

describe('finishedOutputs', () => {
  it('maps each finished step to its latest recorded output', () => {
    const outputs = finishedOutputs(
      journal(
        ['step-started', 'pull'],
        ['step-finished', 'pull', { imageId: 'sha256:1' }],
        ['step-started', 'swap'],
        ['step-finished', 'pull', { imageId: 'sha256:2' }],
      ),
    );
    expect([...outputs]).toEqual([['pull', { imageId: 'sha256:2' }]]);
  });
});
