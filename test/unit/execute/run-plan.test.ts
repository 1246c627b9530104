import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/execute/journal';
import { journalPath } from '../../../src/execute/journal-list';
import { runPlan } from '../../../src/execute/run-plan';
import { findInterruptedRun, savedPlanPath, savePlan } from '../../../src/execute/saved-plan';
import type { ExecStep } from '../../../src/execute/step';
import type { Handlers } from '../../../src/execute/step-runner';
import { SecretSet } from '../../../src/secrets';

const project = 'engram';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'engram-test-state-'));
  dirs.push(d);
  return d;
}

const steps: ExecStep[] = [
  { id: 'a', kind: 'work', group: 'g', action: 'do a', undo: 'undo a', input: {} },
  { id: 'b', kind: 'work', group: 'g', action: 'do b', undo: 'undo b', input: {} },
];

function rig() {
  const did: string[] = [];
  const handlers: Handlers<null> = {
    work: {
      async run(s) {
        did.push(`run ${s.id}`);
        return { id: s.id };
      },
      async undo(s, out) {
        did.push(`undo ${s.id}${out === undefined ? ' (partial)' : ''}`);
      },
    },
  };
  return { did, handlers };
}

function input(dir: string, planId: string, handlers: Handlers<null>, resume?: 'continue' | 'rollback') {
  return {
    purpose: 'backup' as const,
    planId,
    plan: { id: planId, steps },
    project,
    stateDir: dir,
    steps,
    handlers,
    context: () => null,
    secrets: new SecretSet(),
    onFailure: 'undo-group' as const,
    resume,
    checkFresh: async () => undefined,
  };
}

/** What a run killed during step `a` leaves: its saved plan and a journal that ends in a started step. */
async function killedRun(dir: string, planId: string): Promise<string> {
  const run = '20261129T060000Z-0a1b2c3d';
  await savePlan(savedPlanPath(dir, project, run), { id: planId, steps });
  const journal = await Journal.create(journalPath(dir, project, run), {
    header: { run, planKind: 'backup', planId, project },
    secrets: new SecretSet(),
  });
  await journal.append({ type: 'step-started', step: 'a' });
  await journal.close();
  return run;
}

describe('runPlan', () => {
  it('saves the plan beside the journal, private, before the first step', async () => {
    const dir = stateDir();
    const r = rig();
    const run = await runPlan(input(dir, 'p1', r.handlers));
    expect(run.outcome.status).toBe('finished');
    const saved = savedPlanPath(dir, project, run.runId);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual({ id: 'p1', steps });
    expect(statSync(saved).mode & 0o777).toBe(0o600);
    expect(await findInterruptedRun(dir, project)).toBeUndefined();
  });

  it('an interrupted run is found with its plan; another plan is refused and told how to resume', async () => {
    const dir = stateDir();
    const run = await killedRun(dir, 'p1');
    const found = await findInterruptedRun(dir, project);
    expect(found?.run).toBe(run);
    expect(found?.plan).toEqual({ id: 'p1', steps });
    const r = rig();
    const refused = await runPlan(input(dir, 'p2', r.handlers)).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'PLAN_STALE' });
    expect((refused as Error).message).toContain('resumeInterrupted');
    expect(r.did).toEqual([]);
  });

  it('resume rollback undoes the interrupted step; then nothing is left to resume', async () => {
    const dir = stateDir();
    await killedRun(dir, 'p1');
    const r = rig();
    const run = await runPlan(input(dir, 'p1', r.handlers, 'rollback'));
    expect(run.resumed).toBe(true);
    expect(run.outcome.status).toBe('failed');
    expect(r.did).toEqual(['undo a (partial)']);
    expect(await findInterruptedRun(dir, project)).toBeUndefined();
  });

  it('resume continue runs the interrupted step again and the rest', async () => {
    const dir = stateDir();
    await killedRun(dir, 'p1');
    const r = rig();
    const run = await runPlan(input(dir, 'p1', r.handlers, 'continue'));
    expect(run.outcome.status).toBe('finished');
    expect(r.did).toEqual(['run a', 'run b']);
  });
});
