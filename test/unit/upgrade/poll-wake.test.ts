import { describe, expect, it } from 'vitest';
import { PollWake } from '../../../src/upgrade/poll-wake';

async function timed(p: Promise<void>): Promise<number> {
  const t = performance.now();
  await p;
  return performance.now() - t;
}

describe('PollWake', () => {
  it('waits the longest time when nothing pokes it', async () => {
    const ms = await timed(new PollWake().wait(10, 300));
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  it('returns soon after a poke, but not before the shortest time', async () => {
    const wake = new PollWake();
    setTimeout(() => wake.poke(), 60);
    const ms = await timed(wake.wait(20, 5000));
    expect(ms).toBeGreaterThanOrEqual(55);
    expect(ms).toBeLessThan(2000);

    wake.poke(); // poked before the wait: it still waits the shortest time
    const early = await timed(wake.wait(80, 5000));
    expect(early).toBeGreaterThanOrEqual(75);
    expect(early).toBeLessThan(2000);
  });

  it('forgets a poke once a wait has used it', async () => {
    const wake = new PollWake();
    wake.poke();
    await wake.wait(0, 5000);
    const ms = await timed(wake.wait(0, 200));
    expect(ms).toBeGreaterThanOrEqual(190);
  });

  it('returns at once when its signal aborts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const ms = await timed(new PollWake().wait(2000, 10_000, ac.signal));
    expect(ms).toBeLessThan(1500);
  });
});
