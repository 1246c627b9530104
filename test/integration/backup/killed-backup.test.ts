import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backup, executeBackup, restore, verifyBackup } from '../../../src/backup';
import { CLI_OUTPUT_SCHEMAS } from '../../../src/cli/cli-output-schemas';
import { openDeployment } from '../../../src/deployment/deployment';
import { resumeInterrupted } from '../../../src/recover/resume-interrupted';
import { startEngramStack } from '../../../src/testing';
import { cli } from '../cli/run-cli';
import { killedAt } from '../killed-at';
import { tempDir } from '../temp-dir';
import { dumpCopies } from './dump-copies';

const BULK =
  "INSERT INTO users (email) VALUES ('bulk@example.test'); INSERT INTO notes (user_id, title, body) " +
  "SELECT (SELECT id FROM users WHERE email = 'bulk@example.test'), 'n' || g, repeat(md5(random()::text), 16) " +
  'FROM generate_series(1, 150000) g';

function savedPlan(plan: unknown): string {
  const file = join(tempDir('engram-test-plan-'), 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

describe('fault 11 for backups and restores: SIGKILL mid-run, then a re-run', () => {
  it('killed mid-dump of a quiesced backup: a new plan is refused, resume rollback starts the app and removes the partial dir', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    await stack.query(BULK);
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const plan = await backup(dep, { dir, mode: 'quiesced' });
    expect(await killedAt(stack.projectName, savedPlan(plan), 'progress:dump', 'started', 'backup')).toBe(
      'SIGKILL',
    );
    // What the killed run left: the app stopped, a working directory.
    expect((await dep.app()).running).toBe(false);
    expect(readdirSync(dir).some((n) => n.includes('.partial-'))).toBe(true);

    // A new backup does not act over it; it says what to do.
    const refused = await executeBackup(dep, await backup(dep, { dir, mode: 'quiesced' })).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'PLAN_STALE' });
    expect((refused as Error).message).toContain('interrupted');
    expect((refused as Error).message).toContain('resumeInterrupted');

    const resumed = await resumeInterrupted(dep, { resume: 'rollback' }).catch((e: unknown) => e);
    expect(resumed).toMatchObject({ code: 'BACKUP_FAILED' });
    expect((resumed as Error).message).toContain('was started again');
    expect(readdirSync(dir)).toEqual([]);
    expect((await dep.app()).running).toBe(true);
    expect((await stack.waitHealthy()).status).toBe(200);
    // Nothing left to resume, and a new backup now runs.
    expect(await resumeInterrupted(dep, { resume: 'rollback' })).toBeNull();
    const taken = await executeBackup(dep, await backup(dep, { dir }));
    expect((await verifyBackup(taken.path, { deployment: dep })).id).toBe(taken.manifest.id);
  });

  it('killed mid-dump, resume continue: the backup is finished, verified, and the app started again', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    await stack.query(BULK);
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const plan = await backup(dep, { dir, mode: 'quiesced' });
    expect(await killedAt(stack.projectName, savedPlan(plan), 'progress:dump', 'started', 'backup')).toBe(
      'SIGKILL',
    );
    const resumed = await resumeInterrupted(dep, { resume: 'continue' });
    expect(resumed?.kind).toBe('backup');
    const path = resumed?.kind === 'backup' ? resumed.result.path : '';
    expect(path).toBe(plan.destination.path);
    expect(readdirSync(dir)).toEqual([plan.id]);
    expect((await verifyBackup(path, { deployment: dep })).id).toBe(plan.id);
    expect((await dep.app()).running).toBe(true);
    expect((await stack.waitHealthy()).status).toBe(200);
  });

  it('killed mid-restore into staging: resume rollback drops the orphan staging database, starts the app, the target is as it was', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    await stack.query(BULK);
    const dep = await openDeployment({ project: stack.projectName });
    const taken = await executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }));
    await stack.query("INSERT INTO users (email) VALUES ('written-after-backup@example.test')");
    const before = await stack.query('SELECT email FROM users ORDER BY email');
    const plan = await restore(taken.path, dep);
    expect(await killedAt(stack.projectName, savedPlan(plan), 'progress:restore', 'started', 'restore')).toBe(
      'SIGKILL',
    );
    const databases = async () =>
      (await stack.query('SELECT datname FROM pg_database ORDER BY 1')).map((r) => r[0]);
    expect(await databases()).toContain(plan.stagingDatabase);
    expect((await dep.app()).running).toBe(false);

    // Through the command line, as an operator would: the undo asked for is a success.
    const r = cli(['recover', '--project', stack.projectName, '--resume', 'rollback', '--yes', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const resumed = CLI_OUTPUT_SCHEMAS.recover.parse(JSON.parse(r.out));
    expect(resumed).toMatchObject({ kind: 'restore', report: { code: 'RESTORE_FAILED' } });
    expect((resumed as { undone: string[] }).undone.length).toBeGreaterThan(0);
    expect(JSON.stringify(resumed)).toContain('was not changed (checked');
    expect(await databases()).not.toContain(plan.stagingDatabase);
    // The copy of the dump the killed run was writing into the Postgres container went with the undo.
    expect(await dumpCopies(stack)).toEqual([]);
    expect(await stack.query('SELECT email FROM users ORDER BY email')).toEqual(before);
    expect((await stack.waitHealthy()).status).toBe(200);
  });

  it('killed right after the swap: resume continue starts the app on the restored database', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const taken = await executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }));
    await stack.query("INSERT INTO users (email) VALUES ('written-after-backup@example.test')");
    const plan = await restore(taken.path, dep);
    expect(await killedAt(stack.projectName, savedPlan(plan), 'swap', 'finished', 'restore')).toBe('SIGKILL');
    expect((await dep.app()).running).toBe(false);
    const resumed = await resumeInterrupted(dep, { resume: 'continue' });
    expect(resumed?.kind).toBe('restore');
    expect((await stack.waitHealthy()).status).toBe(200);
    const after = await stack.query(
      "SELECT count(*) FROM users WHERE email = 'written-after-backup@example.test'",
    );
    expect(after[0]![0]).toBe('0');
  });
});
