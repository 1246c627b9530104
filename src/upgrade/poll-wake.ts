import { setTimeout as delay } from 'node:timers/promises';

/**
 * Paces a polling loop by what it watches instead of a fixed tick. `wait(minMs, maxMs)` returns once
 * `poke()` was called since the previous wait (a log line came, say), but never before `minMs`; with
 * no poke, after `maxMs`; and at once when `signal` aborts (the loop's own abort check then throws).
 */
export class PollWake {
  #poked = false;
  #wakeUp: (() => void) | null = null;

  poke(): void {
    this.#poked = true;
    this.#wakeUp?.();
  }

  async wait(minMs: number, maxMs: number, signal?: AbortSignal): Promise<void> {
    // An abort ends the wait early; it is not this wait's error to report.
    await delay(minMs, undefined, { signal }).catch(() => undefined);
    if (!this.#poked && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#wakeUp = null;
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, maxMs - minMs));
        signal?.addEventListener('abort', done, { once: true });
        this.#wakeUp = done;
      });
    }
    this.#poked = false;
  }
}
