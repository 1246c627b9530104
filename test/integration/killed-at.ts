import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { builtChildScript } from './cli/built-cli';

export type KilledMode = 'upgrade' | 'rollback' | 'backup' | 'restore';

/**
 * A TypeScript script of the test suite run in its own Node process, from the repository root: its
 * JavaScript from the run's build (the script must be one of `CHILD_SCRIPTS`), on plain `node`.
 */
export function spawnScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; stderr(): string } {
  const child = spawn(process.execPath, [builtChildScript(script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: join(import.meta.dirname, '../..'),
    env,
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { child, stderr: () => err };
}

/** Resolves with the signal that ended a script's process; rejects if it exited by itself. */
export function endedBySignal(run: ReturnType<typeof spawnScript>): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    run.child.on('error', reject);
    run.child.on('exit', (code, signal) =>
      signal ? resolve(signal) : reject(new Error(`child exited ${code}: ${run.stderr()}`)),
    );
  });
}

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
  return endedBySignal(
    spawnScript(join(import.meta.dirname, 'kill-child.ts'), [mode, project, planFile, step, status]),
  );
}
