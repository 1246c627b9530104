import { describe, expect, it } from 'vitest';
import { AbortedError, UpgradeError } from '../../../src/errors';
import type { ExecStep } from '../../../src/execute/step';
import { type Handlers, type JournalSink, runSteps } from '../../../src/execute/step-runner';

function step(id: string, kind: string, group = 'hop-1'): ExecStep {
  return { id, kind, group, action: `do ${id}`, undo: `undo ${id}`, input: {} };
}

/** A journal in memory, and a log of what the handlers did, in order. */
function rig(failAt?: string) {
  const did: string[] = [];
  const entries: { type: string; step?: string }[] = [];
  const journal: JournalSink = {
    async append(e) {
      entries.push({ type: e.type, step: e.step });
    },
  };
  const handlers: Handlers<null> = {
    work: {
      async run(s) {
        did.push(`run ${s.id}`);
        if (s.id === failAt) throw new UpgradeError('MIGRATION_FAILED', { message: `${s.id} broke` });
        return { id: s.id };
      },
      async undo(s, out) {
        did.push(`undo ${s.id}${out === undefined ? ' (partial)' : ''}`);
      },
    },
    read: {
      async run(s) {
        did.push(`run ${s.id}`);
        return null;
      },
    },
  };
  return { did, entries, journal, handlers };
}

describe('runSteps', () => {
  it('runs every step in order and journals each start before it runs and its end after', async () => {
    const r = rig();
    const steps = [step('a', 'work'), step('b', 'read'), step('c', 'work')];
    const out = await runSteps({
      steps,
      handlers: r.handlers,
      ctx: null,
      journal: r.journal,
      onFailure: 'undo-group',
    });
    expect(out.status).toBe('finished');
    expect(r.did).toEqual(['run a', 'run b', 'run c']);
    expect(r.entries.map((e) => `${e.type} ${e.step}`)).toEqual([
      'step-started a',
      'step-finished a',
      'step-started b',
      'step-finished b',
      'step-started c',
      'step-finished c',
    ]);
  });

  it('undoes the failed step and the finished steps of its group, newest first; other groups stay', async () => {
    const r = rig('h2c');
    const steps = [
      step('h1a', 'work', 'hop-1'),
      step('h2a', 'work', 'hop-2'),
      step('h2b', 'read', 'hop-2'),
      step('h2c', 'work', 'hop-2'),
      step('h2d', 'work', 'hop-2'),
    ];
    const out = await runSteps({
      steps,
      handlers: r.handlers,
      ctx: null,
      journal: r.journal,
      onFailure: 'undo-group',
    });
    expect(out.status).toBe('failed');
    if (out.status !== 'failed') return;
    expect(out.error.code).toBe('MIGRATION_FAILED');
    expect(out.failedStep.id).toBe('h2c');
    expect(r.did).toEqual(['run h1a', 'run h2a', 'run h2b', 'run h2c', 'undo h2c (partial)', 'undo h2a']);
    expect(out.undone).toEqual(['h2c', 'h2a']);
    expect(r.entries.filter((e) => e.type.startsWith('undo')).map((e) => `${e.type} ${e.step}`)).toEqual([
      'undo-started h2c',
      'undo-finished h2c',
      'undo-started h2a',
      'undo-finished h2a',
    ]);
  });

  it("leaves everything as it is with onFailure 'stop'", async () => {
    const r = rig('b');
    const out = await runSteps({
      steps: [step('a', 'work'), step('b', 'work')],
      handlers: r.handlers,
      ctx: null,
      journal: r.journal,
      onFailure: 'stop',
    });
    expect(out.status).toBe('failed');
    expect(r.did).toEqual(['run a', 'run b']);
  });

  it('skips steps an interrupted run finished and hands their outputs on', async () => {
    const r = rig();
    const seen: unknown[] = [];
    r.handlers.read = {
      async run(_s, rt) {
        seen.push(rt.outputs.get('a'));
        return null;
      },
    };
    const finished = new Map<string, unknown>([['a', { id: 'a', from: 'the journal' }]]);
    const out = await runSteps({
      steps: [step('a', 'work'), step('b', 'read')],
      handlers: r.handlers,
      ctx: null,
      journal: r.journal,
      onFailure: 'undo-group',
      finished,
    });
    expect(out.status).toBe('finished');
    expect(r.did).toEqual([]);
    expect(seen).toEqual([{ id: 'a', from: 'the journal' }]);
  });

  it('an abort stops before the next step, is an AbortedError, and undoes the group', async () => {
    const r = rig();
    const ac = new AbortController();
    r.handlers.read = {
      async run() {
        ac.abort();
        return null;
      },
    };
    const out = await runSteps({
      steps: [step('a', 'work'), step('b', 'read'), step('c', 'work')],
      handlers: r.handlers,
      ctx: null,
      journal: r.journal,
      signal: ac.signal,
      onFailure: 'undo-group',
    });
    expect(out.status).toBe('failed');
    if (out.status !== 'failed') return;
    expect(out.error).toBeInstanceOf(AbortedError);
    expect(out.failedStep.id).toBe('c');
    expect(r.did).toEqual(['run a', 'undo c (partial)', 'undo a']);
  });

  it('refuses a plan with a step kind it does not know before running anything', async () => {
    const r = rig();
    await expect(
      runSteps({
        steps: [step('a', 'work'), step('b', 'format-disk')],
        handlers: r.handlers,
        ctx: null,
        journal: r.journal,
        onFailure: 'undo-group',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(r.did).toEqual([]);
    expect(r.entries).toEqual([]);
  });

  it('wraps a foreign error once, naming the step, and keeps it as the cause', async () => {
    const r = rig();
    const boom = new TypeError('socket hang up');
    r.handlers.read = {
      async run() {
        throw boom;
      },
    };
    const out = await runSteps({
      steps: [step('x', 'read')],
      handlers: r.handlers,
      ctx: null,
      journal: r.journal,
      onFailure: 'stop',
    });
    if (out.status !== 'failed') throw new Error('expected a failure');
    expect(out.error).toBeInstanceOf(UpgradeError);
    expect(out.error.step).toBe('x');
    expect(out.error.cause).toBe(boom);
  });
});
