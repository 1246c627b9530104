import { describe, expect, it } from 'vitest';
import { type FeedRecord, feedRecord, ndjson, UpgradeStatus } from '../../../examples/status-feed';
import type { StepEvent } from '../../../src/execute/step';

// Two hops of three steps each, as applyUpgrade names and groups them.
const plan = {
  hops: [
    { index: 1, from: '0.15.1', to: '0.17.0' },
    { index: 2, from: '0.17.0', to: '0.18.1' },
  ],
  steps: [1, 2].flatMap((i) =>
    ['pull', 'config', 'health'].map((s) => ({ id: `hop${i}.${s}`, group: `hop-${i}` })),
  ),
};

const step = (id: string, status: 'started' | 'finished' | 'failed', ms?: number): StepEvent => ({
  type: 'step',
  step: id,
  kind: id.split('.')[1]!,
  group: `hop-${id[3]}`,
  status,
  ...(ms === undefined ? {} : { ms }),
});
const undo = (id: string, status: 'started' | 'finished' | 'failed'): StepEvent => ({
  type: 'undo',
  step: id,
  kind: id.split('.')[1]!,
  group: `hop-${id[3]}`,
  status,
});

/** Hop 1 finishes; hop 2 pulls with progress, then its health gate fails and is undone. */
const run: StepEvent[] = [
  ...['pull', 'config', 'health'].flatMap((s) => [
    step(`hop1.${s}`, 'started'),
    step(`hop1.${s}`, 'finished', 5),
  ]),
  step('hop2.pull', 'started'),
  { type: 'progress', step: 'hop2.pull', phase: 'pull', current: 10, total: 40 },
  step('hop2.pull', 'finished', 7),
  step('hop2.config', 'started'),
  step('hop2.config', 'finished', 1),
  step('hop2.health', 'started'),
  { type: 'log', step: 'hop2.health', level: 'info', message: 'waiting for 0.18.1' },
  step('hop2.health', 'failed'),
  undo('hop2.health', 'started'),
  undo('hop2.health', 'finished'),
  undo('hop2.config', 'started'),
  undo('hop2.config', 'finished'),
];

describe('examples/status-feed: the wrapping tool’s own model and feed', () => {
  it('shows a finished hop, and a failed hop rolled back step by step', () => {
    const status = new UpgradeStatus(plan);
    expect(status.view().hops.map((h) => h.state)).toEqual(['pending', 'pending']);
    for (const e of run.slice(0, 8)) status.apply(e);
    expect(status.view().current).toEqual({ step: 'hop2.pull', phase: 'pull', current: 10, total: 40 });
    for (const e of run.slice(8)) status.apply(e);
    status.settle({ rolledBack: true, failedStep: 'hop2.health' });
    const view = status.view();
    expect(view.hops.map((h) => [h.title, h.state])).toEqual([
      ['0.15.1 → 0.17.0', 'done'],
      ['0.17.0 → 0.18.1', 'rolled-back'],
    ]);
    expect(view.hops[1]!.steps.map((s) => s.state)).toEqual(['done', 'undone', 'undone']);
    expect(view.hops[0]!.steps.map((s) => s.ms)).toEqual([5, 5, 5]);
    expect(view.messages).toEqual(['hop2.health: waiting for 0.18.1']);
    expect(view.current).toBeNull();
  });

  it('says a person is needed when an undo fails', () => {
    const status = new UpgradeStatus(plan);
    for (const e of [step('hop1.pull', 'started'), step('hop1.pull', 'failed'), undo('hop1.pull', 'failed')])
      status.apply(e);
    status.settle({ rolledBack: false, failedStep: 'hop1.pull' });
    expect(status.view().hops[0]!.state).toBe('needs-a-person');
  });

  it('writes one JSON object per line in its own record types, and nothing for an undo starting', () => {
    const at = '2026-11-29T00:00:00.000Z';
    const lines = run.flatMap((e) => {
      const r = feedRecord(e, at);
      return r ? [ndjson(r)] : [];
    });
    expect(lines).toHaveLength(run.length - 2);
    for (const line of lines) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
    const records = lines.map((l) => JSON.parse(l) as FeedRecord);
    expect(new Set(records.map((r) => r.t))).toEqual(new Set(['step', 'progress', 'message']));
    expect(
      records.filter((r) => r.t === 'step' && r.state === 'undone').map((r) => (r as { step: string }).step),
    ).toEqual(['hop2.health', 'hop2.config']);
  });
});
