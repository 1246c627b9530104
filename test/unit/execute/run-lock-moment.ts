import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves at `epochMs`: sleeps until shortly before, then spins, so racers in different processes
 * start within a fraction of a millisecond of each other.
 */
export async function untilMoment(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now() - 5;
  if (wait > 0) await sleep(wait);
  while (Date.now() < epochMs) {
    // spin
  }
}
