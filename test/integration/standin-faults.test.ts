import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type EngramStack, startEngramStack } from '../../src/testing';

async function bump(stack: EngramStack, version: string): Promise<void> {
  stack.useVersion(version);
  await stack.compose(['up', '-d', 'engram']);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function exitedOnce(stack: EngramStack): Promise<{ restarts: number; exitCode: number }> {
  const id = await stack.containerId('engram');
  return waitFor('the engram container to exit', async () => {
    const c = await stack.docker.inspect(id);
    return c.restartCount >= 1 || (c.status === 'exited' && c.exitCode !== 0)
      ? { restarts: c.restartCount, exitCode: c.exitCode }
      : undefined;
  });
}

describe('stand-in: failure modes a deploy tool must see', () => {
  it('a release whose second migration fails leaves the first committed (partially migrated)', async () => {
    await using stack = await startEngramStack({
      version: '1.0.0',
      seed: false,
      env: { ENGRAM_INSTANCE_NAME: 'test' },
    });
    const before = await stack.migrationVersions();
    await bump(stack, '1.0.1');
    await exitedOnce(stack);
    const after = await stack.migrationVersions();
    expect(after).toEqual([...before, '20260902100000']);
    const logs = await stack.logs();
    expect(logs).toContain(
      '** (Postgrex.Error) ERROR 42P07 (duplicate_table) relation "notes" already exists',
    );
    expect(logs).toContain(
      '== Running 20260902100100 Engram.Repo.Migrations.CreateNotesSearchExpand.change/0 forward',
    );
    expect(logs).not.toContain('== Migrated 20260902100100');
  });

  it('the fault switch fails at a chosen migration and earlier new ones stay applied', async () => {
    await using stack = await startEngramStack({ version: '0.14.1', seed: false });
    writeFileSync(stack.envFile, '\nENGRAM_STANDIN_FAIL_AT_MIGRATION=20260808100100\n', { flag: 'a' });
    await bump(stack, '0.15.0');
    await exitedOnce(stack);
    expect(await stack.migrationVersions()).toContain('20260808100000');
    expect(await stack.migrationVersions()).not.toContain('20260808100100');
    expect(await stack.logs()).toContain('injected failure at migration 20260808100100');
  });

  it('a renamed variable: 0.16.0 refuses to start (before migrating) without the new name', async () => {
    await using stack = await startEngramStack({
      version: '0.15.1',
      seed: false,
      env: { ENGRAM_DEFAULT_REGISTRATION_MODE: null, REGISTRATION_ENABLED: 'false' },
    });
    const before = await stack.migrationVersions();
    await bump(stack, '0.16.0');
    await exitedOnce(stack);
    expect(await stack.logs()).toContain(
      '** (RuntimeError) environment variable ENGRAM_DEFAULT_REGISTRATION_MODE is missing.',
    );
    expect(await stack.migrationVersions()).toEqual(before);
  });

  it('a release that never becomes healthy: migrations applied, app start fails, container restarts', async () => {
    await using stack = await startEngramStack({
      version: '1.0.0',
      seed: false,
      env: { ENGRAM_INSTANCE_NAME: 'test' },
    });
    // 1.1.0 contains the fixed 1.0.1 migrations and its own.
    await bump(stack, '1.1.0');
    // Docker resets ExitCode when it restarts the container, so the logs are the evidence.
    await exitedOnce(stack);
    expect(await stack.migrationVersions()).toEqual(
      expect.arrayContaining(['20260902100000', '20260902100100', '20260909100000']),
    );
    expect(await stack.logs()).toContain(
      'Application engram exited: could not start Engram.Search.Supervisor',
    );
  });

  it('a required stop: 0.18.0 refuses a database that skipped 0.17 and changes nothing', async () => {
    await using stack = await startEngramStack({ version: '0.16.0', seed: false });
    const before = await stack.migrationVersions();
    await bump(stack, '0.18.0');
    await exitedOnce(stack);
    expect(await stack.logs()).toContain('upgrade to 0.17.x first');
    expect(await stack.migrationVersions()).toEqual(before);
  });

  it('1.0.0 refuses to start without its new required variable, before migrating', async () => {
    await using stack = await startEngramStack({ version: '0.18.1', seed: false });
    const before = await stack.migrationVersions();
    await bump(stack, '1.0.0');
    await exitedOnce(stack);
    expect(await stack.logs()).toContain('environment variable ENGRAM_INSTANCE_NAME is missing.');
    expect(await stack.migrationVersions()).toEqual(before);
  });

  it('never-healthy and crash-after-boot switches show in health and restart count', async () => {
    await using stack = await startEngramStack({
      version: '0.14.1',
      seed: false,
      wait: 'started',
      faults: { neverHealthy: true },
    });
    const reading = await waitFor('an answer on /api/health', () => stack.health());
    expect(reading.status).toBe(503);
    writeFileSync(
      stack.envFile,
      '\nENGRAM_STANDIN_NEVER_HEALTHY=false\nENGRAM_STANDIN_CRASH_AFTER_BOOT_MS=1500\n',
      {
        flag: 'a',
      },
    );
    await stack.compose(['up', '-d', 'engram']);
    const id = await stack.containerId('engram');
    const restarts = await waitFor('two restarts', async () => {
      const n = (await stack.docker.inspect(id)).restartCount;
      return n >= 2 ? n : undefined;
    });
    expect(restarts).toBeGreaterThanOrEqual(2);
  });
});
