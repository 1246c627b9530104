import { describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';

describe('restore', () => {
  it('rolls a one-way upgrade back by restore: old head, old rows, old image healthy again', async () => {
    await using stack = await startEngramStack({ version: '0.16.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const taken = await executeBackup(dep, await backup(dep, { dir, mode: 'quiesced' }));
    expect((await stack.waitHealthy()).status).toBe(200); // quiesced backup started the app again

    stack.useVersion('0.17.0');
    await stack.compose(['up', '-d', '--wait', 'engram']);
    await stack.query("INSERT INTO users (email) VALUES ('after-upgrade@example.test')");
    expect(await stack.migrationVersions()).toContain('20260817080100');

    // Started now, the 0.17.0 image would migrate the restored database forward again: by default that
    // is refused, and with startApp: false the plan says which image to start instead.
    await expect(restore(taken.path, dep)).rejects.toMatchObject({ code: 'RESTORE_FAILED' });
    const plan = await restore(taken.path, dep, { startApp: false });
    expect(plan.target.migrationsAhead).toEqual(['20260817080000', '20260817080100']);
    // (A connection the replaced container left behind may be listed too: it is cut at the swap.)
    expect(plan.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('start the image the backup was taken with')]),
    );
    expect(plan.warnings.join(' ')).not.toContain('ENCRYPTION_MASTER_KEY');
    const result = await executeRestore(dep, plan);
    expect(result.previousDatabase).toBe(plan.previousDatabase);
    expect(await stack.migrationVersions()).toEqual(taken.manifest.migrations.applied);
    expect(Number((await stack.query('SELECT count(*) FROM users'))[0]![0])).toBe(
      taken.manifest.tables['public.users'],
    );
    const legacy = await stack.query(
      "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'legacy_body'",
    );
    expect(legacy[0]![0]).toBe('1');

    stack.useVersion('0.16.0');
    await stack.compose(['up', '-d', '--wait', 'engram']);
    expect((await stack.health()).body).toMatchObject({ version: '0.16.0' });
    const kept = await stack.query(
      `SELECT count(*) FROM pg_database WHERE datname = '${plan.previousDatabase}'`,
    );
    expect(kept[0]![0]).toBe('1');
  });

  it('restores into another deployment (a rehearsal stack) and warns about a different master key', async () => {
    await using source = await startEngramStack({ version: '0.15.1', seed: { users: 5, notesPerUser: 4 } });
    await using staging = await startEngramStack({ version: '0.15.1', seed: false });
    const src = await openDeployment({ project: source.projectName });
    const dst = await openDeployment({ project: staging.projectName });
    const dir = tempDir('engram-backups-');
    const taken = await executeBackup(src, await backup(src, { dir }));
    const plan = await restore(taken.path, dst, { keepPrevious: false });
    expect(plan.warnings.join(' ')).toContain('different ENCRYPTION_MASTER_KEY');
    await executeRestore(dst, plan);
    expect(Number((await staging.query('SELECT count(*) FROM notes'))[0]![0])).toBe(20);
    const left = await staging.query(`SELECT count(*) FROM pg_database WHERE datname LIKE 'engram\\_%'`);
    expect(left[0]![0]).toBe('0');
  });
});
