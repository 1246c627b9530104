// A second process for the run-lock race test. Prints `ready`, then for each stdin line `<project>
// <run> <epoch ms>` waits until that moment, tries to take that project's lock in the state dir given
// as argv[2], and prints the outcome as JSON. Locks it wins are held until stdin closes.
import { createInterface } from 'node:readline';
import { acquireRunLock, type RunLock } from '../../../src/execute/run-lock';
import { untilMoment } from './run-lock-moment';

const stateDir = process.argv[2] ?? '';
const held: RunLock[] = [];
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [project = '', run = '', at = '0'] = line.trim().split(' ');
  await untilMoment(Number(at));
  try {
    held.push(await acquireRunLock({ stateDir, project, run, purpose: 'upgrade' }));
    process.stdout.write(`${JSON.stringify({ project, run, ok: true })}\n`);
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    process.stdout.write(`${JSON.stringify({ project, run, ok: false, code, message })}\n`);
  }
}
for (const lock of held) await lock.release();
