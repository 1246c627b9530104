import { Journal } from '../execute/journal';
import { summarizeJournal } from '../execute/journal-summary';

export interface UndoOutcome {
  /** The run recorded its end, and every undo it started finished: the asked-for undo is complete. */
  clean: boolean;
  /** Steps undone, in the order they were undone. */
  undone: string[];
}

/**
 * What a run's journal says of its undo, read after `resume: 'rollback'` ended it. An executor reports
 * a run it undid as failed (its plan did not happen), which is exactly what an operator who asked for
 * the undo wanted: this tells that case from an undo that stopped half way.
 */
export async function undoOutcome(journalPath: string): Promise<UndoOutcome> {
  const summary = summarizeJournal((await Journal.read(journalPath)).entries);
  return {
    clean: summary.outcome === 'failed' && summary.undoFailed.length === 0 && summary.undoInFlight === null,
    undone: summary.undone,
  };
}
