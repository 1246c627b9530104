import { afterAll, describe, expect, it } from 'vitest';
import { type FeedRecord, upgradeWithFeed } from '../../../examples/status-feed';
import { openDeployment } from '../../../src/deployment/deployment';
import { planUpgradePath } from '../../../src/plan';
import { startEngramStack } from '../../../src/testing';
import { applyUpgrade } from '../../../src/upgrade';
import { seriesReleases, tempDirs } from '../upgrade/helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('examples/status-feed', () => {
  it('turns a real upgrade into its own NDJSON feed and status model', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const deployment = await openDeployment({ project: stack.projectName });
    const path = planUpgradePath({ from: '0.15.0', to: '0.15.1', releases: seriesReleases() });
    const plan = await applyUpgrade(deployment, path, {
      backupDir: dirs.make('engram-backups-'),
      stateDir: dirs.make('engram-test-state-'),
    });
    let feed = '';
    const { ok, status } = await upgradeWithFeed(deployment, plan, { write: (line) => (feed += line) });
    expect(ok).toBe(true);

    const records = feed
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as FeedRecord);
    expect(records[0]).toMatchObject({ t: 'start', from: '0.15.0', to: '0.15.1', hops: ['0.15.0 → 0.15.1'] });
    expect(records.at(-1)).toMatchObject({ t: 'end', ok: true, version: '0.15.1' });
    const finished = records.flatMap((r) => (r.t === 'step' && r.state === 'done' ? [r.step] : []));
    expect(finished).toEqual(plan.steps.map((s) => s.id));
    const view = status.view();
    expect(view.hops).toEqual([expect.objectContaining({ title: '0.15.0 → 0.15.1', state: 'done' })]);
    expect(view.hops[0]!.steps.every((s) => s.state === 'done' && typeof s.ms === 'number')).toBe(true);
    expect((await stack.health()).body).toMatchObject({ version: '0.15.1' });
  });
});
