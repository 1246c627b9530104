import { readFileSync, writeFileSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { backup, executeBackup } from '../../../src/backup';
import { run } from '../../../src/process/run-command';
import { executeRollback } from '../../../src/rollback/execute-rollback';
import { rollback } from '../../../src/rollback/plan-rollback';
import { RollbackPlanSchema } from '../../../src/rollback/rollback-plan';
import { startEngramStack } from '../../../src/testing';
import { engramImage, testbedRegistry } from '../../../src/testing/images';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';
import { type HopRecord, readHopHistory } from '../../../src/upgrade/hop-record';
import { readImageMigrations } from '../../../src/upgrade/image-migrations';
import { appConfig, planFor, runningApps, snapshot, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const docker = new Docker();

describe('rollback', () => {
  it('rolls three hops back: one reversible hop by migrator (writes kept), then to the start by restore (needs consent)', async () => {
    await using stack = await startEngramStack({ version: '0.15.1' });
    const start = await snapshot(stack);
    const first = await planFor(stack, dirs, '0.15.1', '0.18.1');
    const { dep, stateDir } = first;
    expect(first.plan.hops.map((h) => h.to)).toEqual(['0.17.0', '0.18.1']);
    await executeUpgrade(dep, first.plan);
    const at0181 = await snapshot(stack);
    const env = { ENGRAM_INSTANCE_NAME: 'home' };
    const third = await planFor(stack, dirs, '0.18.1', '1.0.0', { env, stateDir });
    await executeUpgrade(dep, third.plan, { env });
    expect((await stack.health()).body).toMatchObject({ version: '1.0.0' });
    await stack.query("INSERT INTO users (email) VALUES ('written-on-1.0.0@example.test')");

    // One hop back: 1.0.0's migration is reversible, so the migrator reverts it from the 1.0.0 image.
    const one = await rollback(dep, { stateDir });
    expect(RollbackPlanSchema.parse(JSON.parse(JSON.stringify(one)))).toEqual(one);
    expect(one.hops).toEqual([
      expect.objectContaining({
        from: '0.18.1',
        to: '1.0.0',
        strategy: 'migrator',
        migratorVersion: '20260830100000',
      }),
    ]);
    expect(one.data).toMatchObject({ writesSinceUpgrade: 'kept', needsConsent: false });
    await executeRollback(dep, one);
    expect((await stack.health()).body).toMatchObject({ version: '0.18.1' });
    const back1 = await snapshot(stack);
    expect({ ...back1, users: at0181.users }).toEqual(at0181);
    expect(back1.users).toContain('written-on-1.0.0@example.test');
    const workspaces = await stack.query(
      "SELECT count(*) FROM information_schema.tables WHERE table_name = 'workspaces'",
    );
    expect(workspaces[0]![0]).toBe('0');

    // Back to the start: 0.17.0 dropped a column (one-way), so only its quiesced backup undoes it, and
    // that restore also undoes 0.18.1: its migrator step is left out.
    const two = await rollback(dep, { stateDir, to: { version: '0.15.1' } });
    expect(two.hops).toEqual([
      expect.objectContaining({ from: '0.17.0', to: '0.18.1', strategy: 'covered-by-restore' }),
      expect.objectContaining({ from: '0.15.1', to: '0.17.0', strategy: 'restore' }),
    ]);
    expect(two.steps.map((x) => x.kind)).not.toContain('migrator-rollback');
    expect(two.data.writesSinceUpgrade).toBe('discarded');
    expect(two.data.changedSinceBackup).toEqual({ 'public.users': 1 });
    expect(two.data.needsConsent).toBe(true);
    const refused = await executeRollback(dep, two).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect((refused as Error).message).toContain('Nothing was changed');
    expect((await stack.health()).body).toMatchObject({ version: '0.18.1' });
    await executeRollback(dep, two, { acceptDataLoss: true });
    const back0 = await snapshot(stack);
    expect(back0).toEqual(start);
    expect(await runningApps(stack)).toBe(1);
    const up = await stack.compose(['up', '-d']);
    expect(up.stderr).not.toMatch(/Recreat/);

    // Nothing is left to roll back.
    await expect(rollback(dep, { stateDir })).rejects.toMatchObject({ code: 'ROLLBACK_UNAVAILABLE' });
  });

  it('refuses hostile and wrong migrator versions before any change (fault 7)', async () => {
    await using stack = await startEngramStack({ version: '0.14.1' });
    const start = await snapshot(stack);
    const { dep, plan, stateDir } = await planFor(stack, dirs, '0.14.1', '0.15.0');
    await executeUpgrade(dep, plan);
    const before = await snapshot(stack);
    for (const v of [
      '1; System.halt()',
      '$(id)',
      '2026080810000',
      '202608081000000',
      '20990101000000',
      '20260808100000\n',
    ]) {
      const err = await rollback(dep, { stateDir, migratorVersion: v }).catch((e: unknown) => e);
      expect(err, v).toMatchObject({ code: 'INVALID_INPUT' });
      expect((err as Error).message).toContain('Nothing was changed');
    }
    expect(await snapshot(stack)).toEqual(before);
    // The highest applied version (Engram's Preflight hint) would revert one too few here: refused.
    const hinted = await rollback(dep, { stateDir, migratorVersion: '20260808100100' }).catch(
      (e: unknown) => e,
    );
    expect(hinted).toMatchObject({ code: 'INVALID_INPUT' });
    expect((hinted as Error).message).toContain('must be 20260808100000');
    // The computed one is the lowest version the hop applied (Ecto's `down, to:` is inclusive).
    const ok = await rollback(dep, { stateDir, migratorVersion: '20260808100000' });
    expect(ok.hops[0]).toMatchObject({
      migratorVersion: '20260808100000',
      reverts: ['20260808100000', '20260808100100'],
    });
    // Fault 16: only the NEW image knows these migrations; the old image could not revert them.
    const oldFiles = await readImageMigrations(dep.docker, start.imageId);
    const newFiles = await readImageMigrations(dep.docker, before.imageId);
    expect(oldFiles.migrations.map((m) => m.version)).not.toContain('20260808100000');
    expect(newFiles.migrations.map((m) => m.version)).toContain('20260808100000');

    // A backup that no recorded hop took is no rollback point: the error says what to do by hand.
    const loose = await executeBackup(dep, await backup(dep, { dir: dirs.make('engram-backups-') }));
    const unknown = await rollback(dep, { stateDir, to: { backup: loose.path } }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'ROLLBACK_UNAVAILABLE' });
    expect((unknown as Error).message).toContain('Nothing was changed');
    // The hop's own backup names a point to return to: restored, even though the migrator could do it.
    const history = await readHopHistory(stateDir, stack.projectName);
    const hop = history.at(-1) as HopRecord;
    const toBackup = await rollback(dep, { stateDir, to: { backup: hop.backup!.path } });
    expect(toBackup.hops[0]).toMatchObject({ strategy: 'restore' });
    expect(toBackup.hops[0]!.why).toMatch(/its backup was named/);
    await executeRollback(dep, toBackup, { acceptDataLoss: true });
    expect((await stack.health()).body).toMatchObject({ version: '0.14.1' });
    expect(await snapshot(stack)).toEqual(start);
  });

  it('fault 7: hostile versions in a path are refused before any change, with no file created', async () => {
    await using stack = await startEngramStack({ version: '0.14.1' });
    const { dep, path } = await planFor(stack, dirs, '0.14.1', '0.15.0');
    const { applyUpgrade } = await import('../../../src/upgrade/plan-upgrade');
    const before = await snapshot(stack);
    for (const to of ['1.0;touch /tmp/pwned', '$(id)', '--help', `1.${'9'.repeat(127)}`, '1.0\n0']) {
      const hostile = { ...path, to, hops: path.hops.map((h) => ({ ...h, to, releases: [to] })) };
      const err = await applyUpgrade(dep, hostile, { stateDir: dirs.make('engram-test-state-') }).catch(
        (e: unknown) => e,
      );
      expect(err, to).toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(await snapshot(stack)).toEqual(before);
    expect(() => readFileSync('/tmp/pwned')).toThrow();
  });

  it('fault 17: the old tag moved after the upgrade; rollback brings back the saved image id', async () => {
    // The tag is moved in a repository of this test's own (local tags and registry), so test files
    // running at the same time keep pulling the shared 0.14.1 they expect.
    const repo = `${testbedRegistry()}/engram-app/engram-fault17`;
    const own = (v: string) => `${repo}:${v}`;
    const original = (await docker.getImage(engramImage('0.14.1')).inspect()).Id;
    try {
      for (const v of ['0.14.1', '0.15.0']) {
        await docker.getImage(engramImage(v)).tag({ repo, tag: v });
        await run('docker', ['push', '--quiet', own(v)]);
      }
      await using stack = await startEngramStack({ version: '0.14.1', repository: repo });
      const before = await snapshot(stack);
      const { dep, plan, stateDir } = await planFor(stack, dirs, '0.14.1', '0.15.0');
      await executeUpgrade(dep, plan);
      // Re-pushed tag: 0.14.1 now names another build, here and in the registry.
      await docker.getImage(engramImage('0.18.1')).tag({ repo, tag: '0.14.1' });
      await run('docker', ['push', '--quiet', own('0.14.1')]);
      const back = await rollback(dep, { stateDir });
      await executeRollback(dep, back);
      expect((await stack.health()).body).toMatchObject({ version: '0.14.1' });
      const after = await snapshot(stack);
      expect(after.imageId).toBe(original);
      expect(after).toEqual(before);
    } finally {
      for (const v of ['0.14.1', '0.15.0']) await run('docker', ['image', 'rm', own(v)], { allowFail: true });
    }
  });

  it.each(['compose', 'engine'] as const)(
    'fault 14 (%s driver): env equal to an image default, an anonymous volume, an alias, a label, caps, ulimits, logging, resources and a healthcheck survive upgrade and rollback',
    async (driver) => {
      await using stack = await startEngramStack({ version: '0.15.0' });
      const doc = parseDocument(readFileSync(stack.composeFile, 'utf8'));
      doc.setIn(['services', 'engram', 'environment', 'PHX_SERVER'], 'true'); // the image's own default
      doc.setIn(['services', 'engram', 'volumes'], ['/app/cache']);
      doc.setIn(['services', 'engram', 'networks'], { default: { aliases: ['notes-api'] } });
      doc.setIn(['services', 'engram', 'labels', 'example.owner'], 'ops');
      doc.setIn(['services', 'engram', 'cap_drop'], ['NET_RAW']);
      doc.setIn(['services', 'engram', 'ulimits'], { nofile: { soft: 4096, hard: 8192 } });
      doc.setIn(['services', 'engram', 'logging'], { driver: 'json-file', options: { 'max-size': '5m' } });
      doc.setIn(['services', 'engram', 'mem_limit'], '768m');
      writeFileSync(stack.composeFile, doc.toString());
      await stack.compose(['up', '-d', '--wait', 'engram']);
      const before = await snapshot(stack);
      const { dep, plan, stateDir } = await planFor(stack, dirs, '0.15.0', '0.15.1', { driver });
      expect(plan.driver).toBe(driver);
      expect(plan.warnings).toEqual([]);
      await executeUpgrade(dep, plan);
      // Only the image's own ENV may differ (RELEASE_SHA names the build): everything compose set is kept.
      const withoutBuild = (c: Record<string, unknown>) => ({
        ...c,
        env: (c.env as string[]).filter((e) => !e.startsWith('RELEASE_SHA=')),
      });
      const upgraded = await appConfig(stack);
      expect(withoutBuild(upgraded)).toEqual(withoutBuild(before.config));
      expect(upgraded.env).toContain('PHX_SERVER=true');
      const upgradedId = (await docker.getContainer(await stack.containerId('engram')).inspect()).Id;
      expect((await stack.compose(['up', '-d'])).stderr).not.toMatch(/Recreat/);
      expect(await stack.containerId('engram')).toBe(upgradedId);
      const back = await rollback(dep, { stateDir, driver });
      expect(back.driver).toBe(driver);
      await executeRollback(dep, back);
      expect(await snapshot(stack)).toEqual(before);
      const up = await stack.compose(['up', '-d']);
      expect(up.stderr).not.toMatch(/Recreat/);
      expect(await runningApps(stack)).toBe(1);
    },
  );
});
