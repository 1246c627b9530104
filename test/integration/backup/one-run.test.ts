import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore, verifyBackup } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { startEngramStack } from '../../../src/testing';
import { spawnScript } from '../killed-at';
import { tempDir } from '../temp-dir';

const BULK =
  "INSERT INTO users (email) VALUES ('bulk@example.test'); INSERT INTO notes (user_id, title, body) " +
  "SELECT (SELECT id FROM users WHERE email = 'bulk@example.test'), 'n' || g, repeat(md5(random()::text), 16) " +
  'FROM generate_series(1, 150000) g';

/** Whether the process is stopped (state T in /proc). */
function stopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

describe('one run per deployment: backup, restore, upgrade and rollback share one lock', () => {
  it('a restore started during an online backup is refused (same or another state dir); the backup finishes', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const first = await executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }));
    await stack.query(BULK);
    const sameDir = await restore(first.path, dep);
    const otherDir = await restore(first.path, dep, { stateDir: tempDir('engram-test-state-') });

    // The backup runs in a child that stops itself mid-dump, holding both locks, until it is continued.
    const plan = await backup(dep, { dir: tempDir('engram-backups-') });
    const planFile = join(tempDir('engram-test-plan-'), 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const run = spawnScript(
      join(import.meta.dirname, '../kill-child.ts'),
      ['backup', stack.projectName, planFile, 'progress:dump', 'started'],
      { ...process.env, ENGRAM_TEST_SIGNAL: 'SIGSTOP' },
    );
    const { child } = run;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; !stopped(child.pid!); i++) {
        if (i > 600) throw new Error(`the backup child never reached its dump: ${run.stderr()}`);
        await delay(100);
      }
      // The lock file in the shared state dir names the owner; another state dir meets the database lock.
      const refused = await executeRestore(dep, sameDir).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'LOCKED' });
      const refusedElsewhere = await executeRestore(dep, otherDir).catch((e: unknown) => e);
      expect(refusedElsewhere).toMatchObject({ code: 'LOCKED' });
      expect((refusedElsewhere as Error).message).toContain('Another run holds the database lock');
    } finally {
      child.kill('SIGCONT');
    }
    expect(await exited).toBe(0);
    expect((await verifyBackup(plan.destination.path, { deployment: dep })).id).toBe(plan.id);
    const manifest = JSON.parse(readFileSync(join(plan.destination.path, 'manifest.json'), 'utf8'));
    const rows = await stack.query('SELECT count(*) FROM notes');
    expect(manifest.tables['public.notes']).toBe(Number(rows[0]![0]));
  });
});
