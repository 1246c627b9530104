import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { openDeployment } from '../../../src/deployment/deployment';
import { planUpgradePath } from '../../../src/plan';
import { rehearse } from '../../../src/rehearse';
import { startEngramStack } from '../../../src/testing';
import { applyUpgrade } from '../../../src/upgrade/plan-upgrade';
import { tempDir } from '../temp-dir';
import { seriesReleases, snapshot } from '../upgrade/helpers';

const rehearsalDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('engram-rehearsal-'));

describe('rehearse: the whole path on a throwaway copy, the real deployment untouched', () => {
  it('runs 0.15.0 → 0.17.0 (a one-way hop) on a copy, times it, rolls it back by restore, leaves nothing', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    await stack.query("INSERT INTO users (email) VALUES ('real-user@example.test')");
    const dep = await openDeployment({ project: stack.projectName });
    const before = await snapshot(stack);
    const dirsBefore = rehearsalDirs();
    const phases: string[] = [];
    const path = planUpgradePath({ from: '0.15.0', to: '0.17.0', releases: seriesReleases() });

    const report = await rehearse(dep, path, {
      onEvent: (e) => {
        if (e.type === 'phase') phases.push(e.phase);
      },
    });

    expect(phases).toEqual([
      'backup',
      'copy',
      'start',
      'restore',
      'upgrade',
      ...path.hops.map(() => 'rollback'),
      'teardown',
    ]);
    expect(report.hops.map((h) => `${h.from}→${h.to}`)).toEqual(path.hops.map((h) => `${h.from}→${h.to}`));
    for (const hop of report.hops) {
      expect(hop.ms).toBeGreaterThan(0);
      expect(hop.downtimeMs).toBeGreaterThan(0);
      expect(hop.downtimeMs).toBeLessThanOrEqual(hop.ms);
      expect(hop.steps.recreate).toBeGreaterThan(0);
      expect(hop.rollback).toMatchObject({ ok: true });
    }
    // 0.17.0 ships an irreversible migration: its planned rollback restores the hop's backup.
    expect(report.hops.map((h) => h.rollback?.strategy)).toEqual(['restore']);
    expect(report.copyChanges.join('\n')).toMatch(/published ports dropped/);
    expect(report.backup.fresh).toBe(true);

    // The real deployment: same container config, image, rows, migrations and files.
    expect(await snapshot(stack)).toEqual(before);
    expect((await stack.health()).body).toMatchObject({ version: '0.15.0' });
    // The copy is gone: no container, volume or network of its project, no directory (its .env, the backup).
    const docker = new Docker();
    const label = `com.docker.compose.project=${report.rehearsalProject}`;
    expect(await docker.listContainers({ all: true, filters: { label: [label] } })).toEqual([]);
    expect((await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? []).toEqual([]);
    expect(await docker.listNetworks({ filters: { label: [label] } })).toEqual([]);
    expect(rehearsalDirs()).toEqual(dirsBefore);

    // The real plan shows the rehearsal's timings as estimates.
    const plan = await applyUpgrade(dep, path, {
      estimates: report,
      backupDir: tempDir('engram-backups-'),
      stateDir: tempDir('engram-test-state-'),
    });
    expect(plan.hops.map((h) => h.estimate)).toEqual(
      report.hops.map((h) => ({ ms: h.ms, downtimeMs: h.downtimeMs, rollbackMs: h.rollback!.ms })),
    );
  });
});
