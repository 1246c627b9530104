import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';

describe('backup and restore plans are contracts: a plan made before the deployment changed is refused', () => {
  it('a quiesced backup planned while the app ran, executed after it stopped or after a migration: refused, nothing written', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');

    const beforeMigration = await backup(dep, { dir, mode: 'quiesced' });
    await stack.query('INSERT INTO schema_migrations (version, inserted_at) VALUES (29990101000000, now())');
    const migrated = await executeBackup(dep, beforeMigration).catch((e: unknown) => e);
    expect(migrated).toMatchObject({ code: 'PLAN_STALE' });
    expect((migrated as Error).message).toContain('migration head');
    expect((migrated as Error).message).toContain('Nothing was changed');
    await stack.query('DELETE FROM schema_migrations WHERE version = 29990101000000');

    const whileRunning = await backup(dep, { dir, mode: 'quiesced' });
    const app = await dep.app();
    await dep.docker.stop(app.id, 10);
    const stopped = await executeBackup(dep, whileRunning).catch((e: unknown) => e);
    expect(stopped).toMatchObject({ code: 'PLAN_STALE' });
    expect((stopped as Error).message).toContain('the app was running and is now stopped');
    // The plan said "stop, dump, start again": it must not start an app someone stopped on purpose.
    expect((await dep.app()).running).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    await dep.docker.start(app.id);
    await stack.waitHealthy();
  });

  it('a restore planned before the app was recreated is refused before anything changes', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const taken = await executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }));
    const plan = await restore(taken.path, dep);
    await stack.compose(['up', '-d', '--force-recreate', 'engram']);
    await stack.waitHealthy();
    const err = await executeRestore(dep, plan).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLAN_STALE' });
    expect((err as Error).message).toContain('app container');
    const dbs = (await stack.query('SELECT datname FROM pg_database')).map((r) => r[0]);
    expect(dbs).not.toContain(plan.stagingDatabase);
  });
});
