import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngramStack } from '../../../src/testing';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';
import { killedAt } from '../killed-at';
import { planFor, runningApps, snapshot, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('fault 11: the upgrader is killed (SIGKILL) and run again', () => {
  it('killed after editing the config: the re-run refuses to guess, then resume continue finishes the hop', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const { dep, plan } = await planFor(stack, dirs, '0.15.0', '0.16.0');
    const file = join(dirs.make('engram-test-plan-'), 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    expect(await killedAt(stack.projectName, file, 'hop1.config', 'finished')).toBe('SIGKILL');
    expect(await runningApps(stack)).toBe(1);
    const refused = await executeUpgrade(dep, plan).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'INVALID_INPUT' });
    expect((refused as Error).message).toMatch(/interrupted/);
    const result = await executeUpgrade(dep, plan, { resume: 'continue' });
    expect(result.resumed).toBe(true);
    expect(result.hops.map((h) => h.to)).toEqual(['0.16.0']);
    expect((await stack.health()).body).toMatchObject({ version: '0.16.0' });
    expect(await runningApps(stack)).toBe(1);
  });

  it('killed mid-migration: resume rollback returns to the old version with nothing lost', async () => {
    await using stack = await startEngramStack({
      version: '0.15.0',
      faults: { migrationDelayMs: 1500, onlyVersion: '0.17.0' },
    });
    const { dep, plan } = await planFor(stack, dirs, '0.15.0', '0.17.0');
    const before = await snapshot(stack);
    const file = join(dirs.make('engram-test-plan-'), 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    expect(await killedAt(stack.projectName, file, 'hop1.watch', 'started')).toBe('SIGKILL');
    expect(await runningApps(stack)).toBeLessThanOrEqual(1);
    await executeUpgrade(dep, plan, { resume: 'rollback' }).catch((e: unknown) => {
      expect(e).toMatchObject({ rolledBack: true });
    });
    expect((await stack.health()).body).toMatchObject({ version: '0.15.0' });
    expect(await snapshot(stack)).toEqual(before);
    expect(await runningApps(stack)).toBe(1);
  });

  it.each([
    ['hop1.backup', 'rollback'],
    ['hop1.recreate', 'continue'],
    ['hop1.health', 'rollback'],
    ['hop1.record', 'continue'],
  ] as const)(
    'killed when %s finished, then resume %s: one app, the version it should be',
    async (at, resume) => {
      await using stack = await startEngramStack({ version: '0.15.0' });
      const { dep, plan } = await planFor(stack, dirs, '0.15.0', '0.16.0');
      const before = await snapshot(stack);
      const file = join(dirs.make('engram-test-plan-'), 'plan.json');
      writeFileSync(file, JSON.stringify(plan));
      expect(await killedAt(stack.projectName, file, at, 'finished')).toBe('SIGKILL');
      expect(await runningApps(stack)).toBeLessThanOrEqual(1);
      const outcome = await executeUpgrade(dep, plan, { resume }).then(
        (r) => r,
        (e: unknown) => e,
      );
      expect(await runningApps(stack)).toBe(1);
      if (resume === 'continue') {
        expect(outcome).toMatchObject({ resumed: true });
        expect((await stack.health()).body).toMatchObject({ version: '0.16.0' });
      } else {
        expect(outcome).toMatchObject({ rolledBack: true });
        expect(await snapshot(stack)).toEqual(before);
      }
    },
  );

  it('a rollback killed after its migrator step finishes when run again with resume continue', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const before = await snapshot(stack);
    const { dep, plan, stateDir } = await planFor(stack, dirs, '0.15.0', '0.16.0');
    await executeUpgrade(dep, plan);
    const { rollback } = await import('../../../src/rollback/plan-rollback');
    const { executeRollback } = await import('../../../src/rollback/execute-rollback');
    const back = await rollback(dep, { stateDir });
    expect(back.hops[0]!.strategy).toBe('migrator');
    const file = join(dirs.make('engram-test-plan-'), 'rollback.json');
    writeFileSync(file, JSON.stringify(back));
    expect(await killedAt(stack.projectName, file, 'migrator-1', 'finished', 'rollback')).toBe('SIGKILL');
    await expect(executeRollback(dep, back)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const done = await executeRollback(dep, back, { resume: 'continue' });
    expect(done.resumed).toBe(true);
    expect(await snapshot(stack)).toEqual(before);
    expect(await runningApps(stack)).toBe(1);
  });
});
