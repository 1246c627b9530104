import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { AbortedError, UpgradeError } from '../src/errors';
import { buildTestbedImages } from './build-images';
import { testbedDir } from './testbed-dir';

export interface EnsureTestbedOptions {
  /** Stops the bootstrap (its process is killed) and the image builds between steps. */
  signal?: AbortSignal;
}

/**
 * Makes the whole test bed ready: machine parts (engine, compose, registry, base image) through
 * bootstrap.sh, then the test images. Idempotent; a warm run takes seconds. Returns the seconds taken.
 * Progress goes to stderr as `[testbed]` lines.
 */
export async function ensureTestbed(options: EnsureTestbedOptions = {}): Promise<number> {
  const started = Date.now();
  await runBootstrap(join(testbedDir(import.meta.url), 'bootstrap.sh'), options.signal);
  options.signal?.throwIfAborted();
  try {
    await buildTestbedImages();
  } catch (err) {
    throw new UpgradeError('TESTBED', {
      message: `Building the test images failed: ${(err as Error).message}`,
      unchanged: 'Images built and pushed before the failure stay; nothing else was changed',
      hint: 'Fix what the message names and run again (every image is cached, so a rerun is quick)',
      cause: err,
    });
  }
  return (Date.now() - started) / 1000;
}

/** Runs bootstrap.sh with its `[testbed]` lines passed through to stderr, keeping the last ones for an error. */
function runBootstrap(script: string, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'inherit', 'pipe'], signal });
    const lines: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - 20));
    });
    child.on('error', (err) => {
      if (signal?.aborted)
        reject(new AbortedError({ message: 'The test bed bootstrap was aborted', cause: signal.reason }));
      else
        reject(
          new UpgradeError('TESTBED', { message: `Could not run ${script}: ${err.message}`, cause: err }),
        );
    });
    child.on('close', (code) => {
      if (code === 0) return resolve();
      if (signal?.aborted) return; // reported by 'error'
      const said = lines.filter((l) => l.includes('ERROR')).pop() ?? lines[lines.length - 1] ?? '';
      reject(
        new UpgradeError('TESTBED', {
          message: `The test bed bootstrap failed (exit ${code})${said ? `: ${said.replace(/^\[testbed\] (ERROR: )?/, '')}` : ''}`,
          unchanged: 'What it had already installed or started stays; no image was built',
          hint: `Read the [testbed] lines above; ${script} can be run by hand to retry`,
          cause: new Error(lines.join('\n')),
        }),
      );
    });
  });
}
