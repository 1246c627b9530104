import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors';
import { acquireDatabaseLock } from '../../../src/execute/database-lock';
import { acquireRunLock } from '../../../src/execute/run-lock';
import type { StepEvent } from '../../../src/execute/step';
import { type EngramStack, startEngramStack } from '../../../src/testing';
import { executeUpgrade, UpgradeFailedError } from '../../../src/upgrade/execute-upgrade';
import { CmdlineWatch } from '../backup/cmdline-watch';
import { planFor, runningApps, snapshot, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

/** The "nothing lost" check after a failed hop: the old version runs exactly as before. */
async function expectAsBefore(
  stack: Awaited<ReturnType<typeof startEngramStack>>,
  before: Awaited<ReturnType<typeof snapshot>>,
) {
  const after = await snapshot(stack);
  expect(after).toEqual(before);
  expect(await runningApps(stack)).toBe(1);
}

describe('executeUpgrade when a hop fails', () => {
  // Each fault-8 run must leave the deployment as it found it (both check that): one stack serves both.
  describe('fault 8 on one 0.15.1 stack whose third new migration fails', () => {
    const canary = "Canary'pw$9";
    let stack: EngramStack;
    beforeAll(async () => {
      stack = await startEngramStack({
        version: '0.15.1',
        faults: { failAtMigration: '20260817080100' },
        secrets: { postgresPassword: canary },
      });
    });
    afterAll(async () => {
      await stack?.dispose();
    });

    /** Plans 0.15.1 → 0.17.0 and runs it: the failed hop's error, events and canary sightings. */
    async function failingUpgrade(driver?: 'engine') {
      const { dep, plan } = await planFor(stack, dirs, '0.15.1', '0.17.0', driver ? { driver } : undefined);
      const before = await snapshot(stack);
      const events: StepEvent[] = [];
      using watch = CmdlineWatch.start(canary);
      const err = (await executeUpgrade(dep, plan, { onEvent: (e) => events.push(e) }).catch(
        (e: unknown) => e,
      )) as UpgradeFailedError;
      expect(err).toBeInstanceOf(UpgradeFailedError);
      expect(err.rolledBack).toBe(true);
      expect(err.runningVersion).toBe('0.15.1');
      await expectAsBefore(stack, before);
      return { plan, events, err, hits: watch.hits() };
    }

    it('fault 8: a migration fails on boot after two of three committed → migrator rollback, old image, pre-upgrade head', async () => {
      const { events, err, hits } = await failingUpgrade();
      expect(err.code).toBe('UPGRADE_FAILED');
      expect(err.step).toBe('hop1.watch');
      expect(err.message).toContain('20260817080100');
      expect(err.message).toContain('runs 0.15.1 again');
      const logs = events
        .filter((e) => e.type === 'log')
        .map((e) => (e as { message: string }).message)
        .join('\n');
      expect(logs).toMatch(/reverting 2 migration\(s\) from 20260814120000/);
      expect((await stack.health()).body).toMatchObject({ version: '0.15.1' });
      for (const text of [JSON.stringify(events), err.message, JSON.stringify(err)])
        expect(text).not.toContain(canary);
      expect(hits).toEqual([]);
    });

    it('fault 8 with the engine driver: the failed hop is undone and the old version recreated over the Engine API, as before to the byte; no canary anywhere', async () => {
      const { plan, events, err, hits } = await failingUpgrade('engine');
      expect(plan.driver).toBe('engine');
      expect(plan.steps.find((x) => x.kind === 'recreate')?.action).toMatch(/over the Engine API/);
      expect((await stack.compose(['up', '-d'])).stderr).not.toMatch(/Recreat/);
      for (const text of [JSON.stringify(events), err.message, JSON.stringify(err), JSON.stringify(plan)])
        expect(text).not.toContain(canary);
      expect(hits).toEqual([]);
    });
  });

  it('fault 9: a crash loop after migrations is caught through the restart count and rolled back', async () => {
    await using stack = await startEngramStack({ version: '1.0.0', env: { ENGRAM_INSTANCE_NAME: 'home' } });
    const { dep, plan } = await planFor(stack, dirs, '1.0.0', '1.1.0');
    const before = await snapshot(stack);
    const err = (await executeUpgrade(dep, plan).catch((e: unknown) => e)) as UpgradeFailedError;
    expect(err).toBeInstanceOf(UpgradeFailedError);
    expect(err.step).toBe('hop1.health');
    expect(err.message).toMatch(/restarted|exited|restarting/);
    await expectAsBefore(stack, before);
  });

  it('fault 10: a slow start within the deadline is not rolled back', async () => {
    await using stack = await startEngramStack({
      version: '0.15.0',
      faults: { bootDelayMs: 6000, onlyVersion: '0.15.1' },
    });
    const { dep, plan } = await planFor(stack, dirs, '0.15.0', '0.15.1', { healthTimeoutMs: 60_000 });
    const ok = await executeUpgrade(dep, plan);
    expect(ok.hops.map((h) => h.to)).toEqual(['0.15.1']);
    expect((await stack.health()).body).toMatchObject({ version: '0.15.1' });
  });

  it('fault 10: health that never passes is rolled back after the deadline', async () => {
    await using stack = await startEngramStack({
      version: '0.15.1',
      faults: { neverHealthy: true, onlyVersion: '0.16.0' },
    });
    const { dep, plan } = await planFor(stack, dirs, '0.15.1', '0.16.0', { healthTimeoutMs: 15_000 });
    const before = await snapshot(stack);
    const err = (await executeUpgrade(dep, plan).catch((e: unknown) => e)) as UpgradeFailedError;
    expect(err).toBeInstanceOf(UpgradeFailedError);
    expect(err.step).toBe('hop1.health');
    expect(err.message).toMatch(/did not become healthy within 15 s/);
    await expectAsBefore(stack, before);
  });

  // Fault 6 changes nothing (it checks that); the stale-plan test edits .env, so it runs last.
  describe('on one 0.15.0 stack', () => {
    const canary = 'Canary-6-pw$x';
    let stack: EngramStack;
    beforeAll(async () => {
      stack = await startEngramStack({ version: '0.15.0', secrets: { postgresPassword: canary } });
    });
    afterAll(async () => {
      await stack?.dispose();
    });

    it('fault 6 + 18: a tag missing from the registry fails the pull with nothing changed and no secret shown', async () => {
      const { dep, plan } = await planFor(stack, dirs, '0.15.0', '0.15.1');
      const before = await snapshot(stack);
      const missing = plan.hops[0]!.image.replace(/:0\.15\.1$/, ':9.9.9');
      const edited = {
        ...plan,
        steps: plan.steps.map((s) =>
          s.kind === 'pull' ? { ...s, input: { ...s.input, reference: missing } } : s,
        ),
      };
      const events: StepEvent[] = [];
      using watch = CmdlineWatch.start(canary);
      const err = (await executeUpgrade(dep, edited, { onEvent: (e) => events.push(e) }).catch(
        (e: unknown) => e,
      )) as UpgradeFailedError;
      expect(err.cause).toMatchObject({ code: 'PULL_FAILED' });
      expect(err.message).toContain('9.9.9');
      expect(err.runningVersion).toBe('0.15.0');
      await expectAsBefore(stack, before);
      const { readFileSync } = await import('node:fs');
      for (const text of [
        JSON.stringify(events),
        err.message,
        JSON.stringify(err),
        JSON.stringify(plan),
        readFileSync(err.journal, 'utf8'),
      ]) {
        expect(text).not.toContain(canary);
        expect(text).not.toContain(encodeURIComponent(canary));
      }
      expect(watch.hits()).toEqual([]);
    });

    it('fault 13 and stale plans: a second run is refused naming the holder; a changed deployment refuses the plan', async () => {
      const { dep, plan, stateDir } = await planFor(stack, dirs, '0.15.0', '0.15.1');
      const before = await snapshot(stack);
      {
        await using _held = await acquireRunLock({
          stateDir,
          project: stack.projectName,
          run: '20261129T000000Z-0000abcd',
          purpose: 'backup',
        });
        const err = await executeUpgrade(dep, plan).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'LOCKED' });
        expect((err as Error).message).toContain(String(process.pid));
        expect((err as Error).message).toContain('backup');
      }
      {
        // Another machine (another state directory) running against the same database.
        const other = await acquireDatabaseLock(dep, '20261129T000000Z-0000beef');
        try {
          const err = await executeUpgrade(dep, plan).catch((e: unknown) => e);
          expect(err).toMatchObject({ code: 'LOCKED' });
          expect((err as Error).message).toContain('engram-upgrade 20261129T000000Z-0000beef');
        } finally {
          await other.release();
        }
      }
      const { appendFileSync } = await import('node:fs');
      appendFileSync(stack.envFile, '# an operator edited this file\n');
      const stale = await executeUpgrade(dep, plan).catch((e: unknown) => e);
      expect(stale).toMatchObject({ code: 'PLAN_STALE' });
      expect((stale as Error).message).toContain('.env was edited');
      expect((stale as Error).message).toContain('Nothing was changed');
      const after = await snapshot(stack);
      expect({ ...after, env: before.env }).toEqual(before);
    });
  });

  it('fault 12: an abort during the health wait rolls the hop back, then rejects with ABORTED', async () => {
    await using stack = await startEngramStack({
      version: '0.15.0',
      faults: { bootDelayMs: 15_000, onlyVersion: '0.15.1' },
    });
    const { dep, plan } = await planFor(stack, dirs, '0.15.0', '0.15.1', { healthTimeoutMs: 60_000 });
    const before = await snapshot(stack);
    const ac = new AbortController();
    const err = (await executeUpgrade(dep, plan, {
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 'hop1.health' && e.status === 'started')
          setTimeout(() => ac.abort(), 1000);
      },
    }).catch((e: unknown) => e)) as UpgradeFailedError;
    expect(err).toBeInstanceOf(UpgradeError);
    expect(err.code).toBe('ABORTED');
    expect(err.rolledBack).toBe(true);
    await expectAsBefore(stack, before);
  });
});
