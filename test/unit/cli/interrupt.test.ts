import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { interruptOnSignals } from '../../../src/cli/interrupt';

describe('interruptOnSignals', () => {
  it('the first signal aborts and says how to leave at once; the second leaves with 130', () => {
    const proc = new EventEmitter();
    const said: string[] = [];
    const left: number[] = [];
    const { signal, dispose } = interruptOnSignals(
      (t) => said.push(t),
      (c) => left.push(c),
      proc as never,
    );
    expect(signal.aborted).toBe(false);
    proc.emit('SIGINT', 'SIGINT');
    expect(signal.aborted).toBe(true);
    expect(left).toEqual([]);
    expect(said.join('')).toContain('being undone');
    proc.emit('SIGTERM', 'SIGTERM');
    expect(left).toEqual([130]);
    expect(said.join('')).toContain('engram-upgrade recover');
    dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
  });
});
