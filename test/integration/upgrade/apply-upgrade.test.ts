import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDeployment } from '../../../src/deployment/deployment';
import type { StepEvent } from '../../../src/execute/step';
import { planUpgradePath } from '../../../src/plan';
import { startEngramStack } from '../../../src/testing';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';
import { applyUpgrade } from '../../../src/upgrade/plan-upgrade';
import { upgradeHandlers } from '../../../src/upgrade/upgrade-handlers';
import { UpgradePlanSchema } from '../../../src/upgrade/upgrade-plan';
import { runningApps, seriesReleases, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('applyUpgrade + executeUpgrade', () => {
  it('takes 0.14.1 to 1.0.0 in three hops (a one-way hop, an env rename, a new required variable)', async () => {
    const canary = 'Canary-pw-7f3a9$x';
    await using stack = await startEngramStack({
      version: '0.14.1',
      env: { ENGRAM_DEFAULT_REGISTRATION_MODE: null, REGISTRATION_ENABLED: 'invite_only' },
      secrets: { postgresPassword: canary },
    });
    const dep = await openDeployment({ project: stack.projectName });
    const path = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases: seriesReleases() });
    expect(path.hops.map((h) => h.to)).toEqual(['0.17.0', '0.18.1', '1.0.0']);
    const stateDir = dirs.make('engram-test-state-');
    const plan = await applyUpgrade(dep, path, {
      stateDir,
      backupDir: dirs.make('engram-backups-'),
      env: { ENGRAM_INSTANCE_NAME: 'home' },
    });
    // A plan is a value: it survives JSON and validates; it holds no secret.
    const json = JSON.stringify(plan);
    expect(UpgradePlanSchema.parse(JSON.parse(json))).toEqual(plan);
    expect(json).not.toContain(canary);
    expect(json).not.toContain('home"');
    // Every step says how it is undone (or that it cannot be), and has a handler.
    for (const s of plan.steps) {
      expect(s.undo !== undefined || s.irreversible === true, s.id).toBe(true);
      expect(upgradeHandlers[s.kind], s.kind).toBeDefined();
    }
    expect(plan.healthTimeoutMs).toBe(60_000); // the harness healthcheck: 30 s + 10 s × 3, at least 60 s
    expect(plan.hops[0]!.envEdits).toEqual([
      expect.objectContaining({
        op: 'rename',
        from: 'REGISTRATION_ENABLED',
        to: 'ENGRAM_DEFAULT_REGISTRATION_MODE',
      }),
    ]);

    const events: StepEvent[] = [];
    const result = await executeUpgrade(dep, JSON.parse(json), {
      env: { ENGRAM_INSTANCE_NAME: 'home' },
      onEvent: (e) => events.push(e),
    });
    expect(result.hops.map((h) => `${h.from}>${h.to}`)).toEqual([
      '0.14.1>0.17.0',
      '0.17.0>0.18.1',
      '0.18.1>1.0.0',
    ]);
    expect((await stack.health()).body).toMatchObject({ version: '1.0.0', build_sha: 'a61f9d3' });
    expect(await stack.migrationVersions()).toContain('20260830100000');
    expect(await runningApps(stack)).toBe(1);
    const env = readFileSync(stack.envFile, 'utf8');
    expect(env).toMatch(/^ENGRAM_DEFAULT_REGISTRATION_MODE=invite_only$/m);
    expect(env).toMatch(/^# REGISTRATION_ENABLED=invite_only/m);
    expect(env).toMatch(/^ENGRAM_INSTANCE_NAME=/m);
    expect(readFileSync(stack.composeFile, 'utf8')).toMatch(/engram:1\.0\.0@sha256:[0-9a-f]{64}/);
    expect(events.some((e) => e.type === 'progress' && e.phase === 'migrate')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(canary);
    expect(readFileSync(result.journal, 'utf8')).not.toContain(canary);

    // The deployment is what compose itself would make: a plain `up -d` changes nothing.
    const before = await stack.containerId('engram');
    const up = await stack.compose(['up', '-d']);
    expect(up.stderr).not.toMatch(/Recreat/);
    expect(await stack.containerId('engram')).toBe(before);
  });

  it("refuses Engram's stock compose file (build: . and no image) with an explanation, changing nothing", async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const { readFileSync: read, writeFileSync } = await import('node:fs');
    const { parseDocument } = await import('yaml');
    const doc = parseDocument(read(stack.composeFile, 'utf8'));
    doc.deleteIn(['services', 'engram', 'image']);
    doc.setIn(['services', 'engram', 'build'], '.');
    writeFileSync(stack.composeFile, doc.toString());
    const before = read(stack.composeFile, 'utf8');
    const dep = await openDeployment({ project: stack.projectName });
    const path = planUpgradePath({ from: '0.15.0', to: '0.15.1', releases: seriesReleases() });
    const err = await applyUpgrade(dep, path, { stateDir: dirs.make('engram-test-state-') }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'COMPOSE_NO_IMAGE' });
    expect((err as Error).message).toMatch(/build/);
    expect((err as Error).message).toMatch(/image:/);
    expect(read(stack.composeFile, 'utf8')).toBe(before);
  });
});
