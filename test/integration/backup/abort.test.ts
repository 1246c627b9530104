import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { isUpgradeError } from '../../../src/errors';
import { type EngramStack, startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';
import { dumpCopies } from './dump-copies';

const BULK =
  "INSERT INTO users (email) VALUES ('bulk@example.test'); INSERT INTO notes (user_id, title, body) " +
  "SELECT (SELECT id FROM users WHERE email = 'bulk@example.test'), 'n' || g, repeat(md5(random()::text), 16) " +
  'FROM generate_series(1, 150000) g';

describe('AbortSignal', () => {
  // Both aborts leave the deployment as they found it (that is what they test): one stack serves both.
  let stack: EngramStack;
  beforeAll(async () => {
    stack = await startEngramStack({ version: '0.15.0' });
    await stack.query(BULK);
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('aborting a quiesced backup mid-dump leaves nothing behind and starts the app again', async () => {
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const controller = new AbortController();
    const err = await executeBackup(dep, await backup(dep, { dir, mode: 'quiesced' }), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.phase === 'dump') controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isUpgradeError(err) && err.code).toBe('ABORTED');
    expect(String((err as Error).message)).toContain('was started again');
    expect(readdirSync(dir)).toEqual([]);
    expect((await stack.waitHealthy()).status).toBe(200);
  });

  it('aborting a restore before the swap leaves the target database exactly as it was', async () => {
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const taken = await executeBackup(dep, await backup(dep, { dir }));
    await stack.query("INSERT INTO users (email) VALUES ('written-after-backup@example.test')");
    const usersBefore = await stack.query('SELECT email FROM users ORDER BY email');

    const controller = new AbortController();
    const plan = await restore(taken.path, dep);
    const err = await executeRestore(dep, plan, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.phase === 'restore') controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(isUpgradeError(err) && err.code).toBe('ABORTED');
    expect(String((err as Error).message)).toContain(`The target database engram was not changed`);
    expect(await stack.query('SELECT email FROM users ORDER BY email')).toEqual(usersBefore);
    const leftovers = await stack.query("SELECT datname FROM pg_database WHERE datname LIKE 'engram\\_%'");
    expect(leftovers).toEqual([]);
    // The copy of the dump that pg_restore reads went with the aborted run.
    expect(await dumpCopies(stack)).toEqual([]);
    expect((await stack.waitHealthy()).status).toBe(200);
  });
});
