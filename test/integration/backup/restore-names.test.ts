import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { startEngramStack } from '../../../src/testing';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function backupDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'engram-backups-'));
  dirs.push(d);
  return d;
}

async function databases(stack: { query(sql: string): Promise<string[][]> }): Promise<string[]> {
  const rows = await stack.query('SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1');
  return rows.map((r) => r[0]!);
}

describe('restore with database names near the 63-byte limit', () => {
  it('restores a 63-byte database twice; a failed staging never drops the live database', async () => {
    const name = `engram_${'x'.repeat(56)}`;
    expect(name).toHaveLength(63);
    await using stack = await startEngramStack({ version: '0.15.1', database: name });
    const dep = await openDeployment({ project: stack.projectName });
    const taken = await executeBackup(dep, await backup(dep, { dir: backupDir() }));

    const first = await restore(taken.path, dep, { startApp: true });
    for (const n of [first.stagingDatabase, first.previousDatabase]) {
      expect(Buffer.byteLength(n)).toBeLessThanOrEqual(63);
      expect(n).not.toBe(name);
    }
    await executeRestore(dep, first);
    const second = await restore(taken.path, dep, { startApp: true });
    expect(second.previousDatabase).not.toBe(first.previousDatabase);
    await executeRestore(dep, second);
    expect(await stack.migrationVersions()).toEqual(taken.manifest.migrations.applied);
    const all = await databases(stack);
    expect(all).toContain(name);
    expect(all).toContain(first.previousDatabase);
    expect(all).toContain(second.previousDatabase);

    // A staging name already taken by someone else: CREATE DATABASE fails, and cleanup must leave
    // that database (and the live one) alone.
    const third = await restore(taken.path, dep);
    await stack.query(`CREATE DATABASE "${third.stagingDatabase}"`);
    await stack.query(`INSERT INTO users (email) VALUES ('written-before-failed-restore@example.test')`);
    const err = await executeRestore(dep, third).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RESTORE_FAILED' });
    expect((err as Error).message).toContain(`The target database ${name} was not changed (checked`);
    const after = await databases(stack);
    expect(after).toContain(name);
    expect(after).toContain(third.stagingDatabase);
    const kept = await stack.query(
      "SELECT count(*) FROM users WHERE email = 'written-before-failed-restore@example.test'",
    );
    expect(kept[0]![0]).toBe('1');
    expect((await stack.waitHealthy()).status).toBe(200);
  });

  it('refuses to execute a restore plan whose target database was replaced since planning', async () => {
    await using stack = await startEngramStack({ version: '0.15.1' });
    const dep = await openDeployment({ project: stack.projectName });
    const taken = await executeBackup(dep, await backup(dep, { dir: backupDir() }));
    const plan = await restore(taken.path, dep);
    await executeRestore(dep, await restore(taken.path, dep)); // the live database is now another one
    const err = await executeRestore(dep, plan).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLAN_STALE' });
    expect((err as Error).message).toContain('Nothing was changed');
  });
});
