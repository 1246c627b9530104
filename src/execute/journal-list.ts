import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UpgradeError } from '../errors';
import { Journal } from './journal';
import type { JournalHeader } from './journal-entry';
import { type JournalSummary, summarizeJournal } from './journal-summary';
import { assertProjectName, assertRunId, isRunId } from './state-dir';

const SUFFIX = '.journal.jsonl';

/** `<stateDir>/<project>/<run>.journal.jsonl`, after checking that neither name can leave the directory. */
export function journalPath(stateDir: string, project: string, run: string): string {
  return join(stateDir, assertProjectName(project), `${assertRunId(run)}${SUFFIX}`);
}

export interface JournalListing {
  path: string;
  run: string;
  header: JournalHeader;
  summary: JournalSummary;
  /** The journal ends in a torn line (its run was killed while writing). */
  torn: boolean;
}

/**
 * The journals of a project, newest first, each with its summary; a re-run looks here for one whose
 * outcome is still `running`. A damaged journal is an error rather than skipped: it may be the record
 * of an interrupted upgrade, and acting without it could undo the wrong thing.
 */
export async function listJournals(stateDir: string, project: string): Promise<JournalListing[]> {
  const dir = join(stateDir, assertProjectName(project));
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UpgradeError('JOURNAL', {
      message: `Could not list the journals in ${dir}: ${(cause as Error).message}`,
      unchanged: 'Nothing was changed',
      hint: 'Check that the state directory is readable by this user',
      cause,
    });
  }
  const out: JournalListing[] = [];
  for (const name of names) {
    if (!name.endsWith(SUFFIX)) continue;
    const run = name.slice(0, -SUFFIX.length);
    if (!isRunId(run)) continue;
    const path = join(dir, name);
    const { header, entries, torn } = await Journal.read(path);
    if (header.run !== run || header.project !== project) {
      throw new UpgradeError('JOURNAL', {
        message: `The journal ${path} belongs to run ${header.run} of project '${header.project}', not to the run and project its path names`,
        unchanged: 'Nothing was changed',
        hint: 'Move the file back where it belongs, or aside, and try again',
      });
    }
    out.push({ path, run, header, summary: summarizeJournal(entries), torn });
  }
  // ISO times from toISOString() sort as strings; the run id breaks a tie within one millisecond.
  return out.sort((a, b) => cmp(b.header.createdAt, a.header.createdAt) || cmp(b.run, a.run));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
