import { open, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UpgradeError } from '../errors';
import { type JournalListing, listJournals } from './journal-list';
import { assertProjectName, assertRunId, ensureStateDir } from './state-dir';

const SUFFIX = '.plan.json';

/** `<stateDir>/<project>/<run>.plan.json`: the plan a run follows, beside its journal. */
export function savedPlanPath(stateDir: string, project: string, run: string): string {
  return join(stateDir, assertProjectName(project), `${assertRunId(run)}${SUFFIX}`);
}

/**
 * Writes the plan a run is about to follow (plans hold no secrets), private and fsynced, before its
 * journal exists: whoever finds an interrupted journal also finds the plan to resume it with.
 */
export async function savePlan(path: string, plan: unknown): Promise<void> {
  await ensureStateDir(dirname(path));
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(plan, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** An interrupted run of a project: its journal and the plan it was following. */
export interface InterruptedRun extends JournalListing {
  /** The plan as the run saved it; hand it back to the executor of `header.planKind` with `resume`. */
  plan: unknown;
  planPath: string;
}

/**
 * The project's run that was interrupted (killed, or its machine lost) and never finished, with the
 * plan it followed; undefined when there is none. Changes nothing.
 */
export async function findInterruptedRun(
  stateDir: string,
  project: string,
): Promise<InterruptedRun | undefined> {
  const running = (await listJournals(stateDir, project)).find((j) => j.summary.outcome === 'running');
  if (!running) return undefined;
  const planPath = savedPlanPath(stateDir, project, running.run);
  let text: string;
  try {
    text = await readFile(planPath, 'utf8');
  } catch (cause) {
    throw new UpgradeError('JOURNAL', {
      message: `Run ${running.run} of ${project} was interrupted, and its plan ${planPath} cannot be read: ${(cause as Error).message}`,
      unchanged: 'Nothing was changed',
      hint: `Resume it by executing the plan it followed (id ${running.header.planId}) with resume: 'continue' or 'rollback'`,
      cause,
    });
  }
  try {
    return { ...running, plan: JSON.parse(text), planPath };
  } catch (cause) {
    throw new UpgradeError('JOURNAL', {
      message: `The saved plan ${planPath} of interrupted run ${running.run} is not valid JSON`,
      unchanged: 'Nothing was changed',
      hint: `Resume it by executing the plan it followed (id ${running.header.planId}) with resume: 'continue' or 'rollback'`,
      cause,
    });
  }
}
