import { spawn } from 'node:child_process';
import { join } from 'node:path';

export type KilledMode = 'upgrade' | 'rollback' | 'backup' | 'restore';

/**
 * Executes a saved plan in a child process that kills itself with SIGKILL at `step`/`status` (or at
 * the first progress event of a phase, `progress:<phase>`), the way an operator's terminal, a CI runner
 * or the OOM killer ends a run without warning. Resolves with the signal; rejects if it finished.
 */
export function killedAt(
  project: string,
  planFile: string,
  step: string,
  status: 'started' | 'finished',
  mode: KilledMode = 'upgrade',
): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'kill-child.ts'), mode, project, planFile, step, status],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: join(import.meta.dirname, '../..') },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal ? resolve(signal) : reject(new Error(`child exited ${code}: ${err}`)),
    );
  });
}
