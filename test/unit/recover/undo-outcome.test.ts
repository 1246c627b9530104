import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/execute/journal';
import type { JournalEntry } from '../../../src/execute/journal-entry';
import { journalPath } from '../../../src/execute/journal-list';
import { undoOutcome } from '../../../src/recover/undo-outcome';
import { SecretSet } from '../../../src/secrets';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const RUN = '20261129T090000Z-0a1b2c3d';
type Entry = Omit<JournalEntry, 'seq' | 'at'>;

async function journal(entries: Entry[]): Promise<string> {
  const path = journalPath(dir, 'engram', RUN);
  await using j = await Journal.create(path, {
    header: { run: RUN, planKind: 'backup', planId: 'plan-1', project: 'engram' },
    secrets: new SecretSet(),
  });
  for (const e of entries) await j.append(e);
  return path;
}

const killedMidDump: Entry[] = [
  { type: 'step-finished', step: 'stop-app' },
  { type: 'step-started', step: 'dump' },
];

describe('undoOutcome', () => {
  it('an undo that finished every step it started and recorded the end is clean', async () => {
    const path = await journal([
      ...killedMidDump,
      { type: 'undo-started', step: 'dump' },
      { type: 'undo-finished', step: 'dump' },
      { type: 'undo-started', step: 'stop-app' },
      { type: 'undo-finished', step: 'stop-app' },
      { type: 'run-failed' },
    ]);
    expect(await undoOutcome(path)).toEqual({ clean: true, undone: ['dump', 'stop-app'] });
  });

  it('an undo that failed, or stopped half way, or a run still open is not', async () => {
    const failed = await journal([
      ...killedMidDump,
      { type: 'undo-started', step: 'dump' },
      { type: 'undo-failed', step: 'dump' },
      { type: 'run-failed' },
    ]);
    expect((await undoOutcome(failed)).clean).toBe(false);
    rmSync(failed);
    const halfWay = await journal([
      ...killedMidDump,
      { type: 'undo-started', step: 'dump' },
      { type: 'run-failed' },
    ]);
    expect((await undoOutcome(halfWay)).clean).toBe(false);
    rmSync(halfWay);
    const open = await journal(killedMidDump);
    expect(await undoOutcome(open)).toEqual({ clean: false, undone: [] });
  });
});
