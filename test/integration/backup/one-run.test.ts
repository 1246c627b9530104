import { describe, expect, it } from 'vitest';
import { backup, executeBackup, executeRestore, restore, verifyBackup } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';

const BULK =
  "INSERT INTO users (email) VALUES ('bulk@example.test'); INSERT INTO notes (user_id, title, body) " +
  "SELECT (SELECT id FROM users WHERE email = 'bulk@example.test'), 'n' || g, repeat(md5(random()::text), 16) " +
  'FROM generate_series(1, 150000) g';

describe('one run per deployment: backup, restore, upgrade and rollback share one lock', () => {
  it('a restore started during an online backup is refused (same or another state dir); the backup finishes', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const first = await executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }));
    await stack.query(BULK);
    const sameDir = await restore(first.path, dep);
    const otherDir = await restore(first.path, dep, { stateDir: tempDir('engram-test-state-') });

    let dumping!: () => void;
    const dumpStarted = new Promise<void>((resolve) => {
      dumping = resolve;
    });
    const running = executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }), {
      onEvent: (e) => {
        if (e.type === 'progress' && e.phase === 'dump') dumping();
      },
    });
    await dumpStarted;
    // The lock file in the shared state dir names the owner; another state dir meets the database lock.
    const refused = await executeRestore(dep, sameDir).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'LOCKED' });
    const refusedElsewhere = await executeRestore(dep, otherDir).catch((e: unknown) => e);
    expect(refusedElsewhere).toMatchObject({ code: 'LOCKED' });
    expect((refusedElsewhere as Error).message).toContain('Another run holds the database lock');

    const taken = await running;
    expect((await verifyBackup(taken.path, { deployment: dep })).id).toBe(taken.manifest.id);
    const rows = await stack.query('SELECT count(*) FROM notes');
    expect(taken.manifest.tables['public.notes']).toBe(Number(rows[0]![0]));
  });
});
