import { spawn } from 'node:child_process';
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

describe('restore into what is actually running', () => {
  it('refuses to restore a 0.15.0 backup under a 0.17.0 app that would migrate it forward again', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = mkdtempSync(join(tmpdir(), 'engram-backups-'));
    dirs.push(dir);
    const taken = await executeBackup(dep, await backup(dep, { dir }));
    stack.useVersion('0.17.0');
    await stack.compose(['up', '-d', '--wait', 'engram']);
    const head = await stack.migrationVersions();
    const err = await restore(taken.path, dep).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RESTORE_FAILED' });
    const message = (err as Error).message;
    expect(message).toContain('20260817080100');
    expect(message).toContain('Nothing was changed');
    expect(message).toContain("newerImage: 'migrate-forward'");
    expect(await stack.migrationVersions()).toEqual(head);
    // Accepted on request: the plan says what will happen.
    const plan = await restore(taken.path, dep, { newerImage: 'migrate-forward' });
    expect(plan.warnings.join(' ')).toContain('migrates it forward again');
  });

  it('lists other clients connected to the database, which the swap will cut off', async () => {
    await using stack = await startEngramStack({ version: '0.15.1' });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = mkdtempSync(join(tmpdir(), 'engram-backups-'));
    dirs.push(dir);
    const taken = await executeBackup(dep, await backup(dep, { dir }));
    // A client with an open transaction, as a reporting job would hold one.
    const pg = await stack.containerId('postgres');
    const client = spawn('docker', [
      'exec',
      '-i',
      '-e',
      'PGAPPNAME=nightly-report',
      pg,
      'psql',
      '-X',
      '-U',
      'engram',
      '-d',
      'engram',
    ]);
    client.stdin.write("BEGIN; INSERT INTO users (email) VALUES ('uncommitted@example.test');\n");
    try {
      let plan = await restore(taken.path, dep);
      for (
        let i = 0;
        i < 20 && !plan.target.otherConnections.some((c) => c.application === 'nightly-report');
        i++
      ) {
        await new Promise((r) => setTimeout(r, 250));
        plan = await restore(taken.path, dep);
      }
      expect(plan.target.otherConnections).toEqual(
        expect.arrayContaining([expect.objectContaining({ application: 'nightly-report', user: 'engram' })]),
      );
      expect(plan.warnings.join(' ')).toMatch(/nightly-report.*terminated/);
      // The app's own connections are not counted among the others: it is stopped first.
      expect(plan.warnings.join(' ')).not.toMatch(/engram as engram from \d/);
      await executeRestore(dep, plan);
      const rows = await stack.query("SELECT count(*) FROM users WHERE email = 'uncommitted@example.test'");
      expect(rows[0]![0]).toBe('0');
    } finally {
      client.kill();
    }
  });
});
