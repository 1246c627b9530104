/**
 * What rolling back one hop costs, by the migrator and by restoring the hop's backup, on the same
 * database in the same run: 0.15.1 → 0.16.0 (one reversible migration) on ~1 GB of notes, rolled back
 * once each way (the upgrade is applied again in between). The wall time of executeRollback is what a
 * rollback plan can quote to an operator.
 * Run: npx tsx bench/rollback.ts [--gb 1.0]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDeployment } from '../src/deployment/deployment';
import { parseGitHubReleases } from '../src/notes';
import { planUpgradePath } from '../src/plan';
import { executeRollback, rollback } from '../src/rollback';
import { startEngramStack } from '../src/testing';
import { applyUpgrade, executeUpgrade } from '../src/upgrade';
import { ensureTestbed } from '../testbed/ensure-testbed';

const gbArg = process.argv.indexOf('--gb');
const GB = gbArg > 0 ? Number(process.argv[gbArg + 1]) : 1.0;

async function main(): Promise<void> {
  await ensureTestbed();
  const json = readFileSync(
    join(import.meta.dirname, '../test/fixtures/releases/github-releases.json'),
    'utf8',
  );
  const releases = parseGitHubReleases(JSON.parse(json));
  await using stack = await startEngramStack({ version: '0.15.1', seed: false });
  const rows = Math.ceil((GB * 1024 ** 3) / 560);
  await stack.query("INSERT INTO users (email) VALUES ('bench@example.test')");
  for (let done = 0; done < rows; done += 500_000) {
    await stack.query(
      `INSERT INTO notes (user_id, title, body) SELECT (SELECT id FROM users LIMIT 1), 'n' || g, ` +
        `repeat(md5(random()::text) || md5(random()::text), 8) FROM generate_series(1, ${Math.min(500_000, rows - done)}) g`,
    );
  }
  await stack.query('VACUUM ANALYZE notes');
  const dbBytes = Number((await stack.query('SELECT pg_database_size(current_database())'))[0]![0]);
  process.stderr.write(`seeded ${(dbBytes / 1024 ** 3).toFixed(2)} GiB\n`);
  const state = mkdtempSync(join(tmpdir(), 'engram-bench-state-'));
  const backups = mkdtempSync(join(tmpdir(), 'engram-backups-'));
  try {
    const dep = await openDeployment({ project: stack.projectName });
    const upgrade = async () => {
      const path = planUpgradePath({ from: '0.15.1', to: '0.16.0', releases });
      const t = performance.now();
      await executeUpgrade(dep, await applyUpgrade(dep, path, { stateDir: state, backupDir: backups }));
      return performance.now() - t;
    };
    const timeRollback = async (strategy: 'auto' | 'restore') => {
      const plan = await rollback(dep, { stateDir: state, strategy, acceptDataLoss: true });
      const t = performance.now();
      await executeRollback(dep, plan, { acceptDataLoss: true });
      return { ms: performance.now() - t, strategy: plan.hops[0]!.strategy };
    };
    const up1 = await upgrade();
    const migrator = await timeRollback('auto');
    const up2 = await upgrade();
    const restored = await timeRollback('restore');
    process.stdout.write(
      `database ${(dbBytes / 1024 ** 3).toFixed(2)} GiB\n` +
        `upgrade (incl. online backup)   ${(up1 / 1000).toFixed(1)} s, again ${(up2 / 1000).toFixed(1)} s\n` +
        `rollback by ${migrator.strategy.padEnd(8)}           ${(migrator.ms / 1000).toFixed(1)} s\n` +
        `rollback by ${restored.strategy.padEnd(8)}           ${(restored.ms / 1000).toFixed(1)} s   (${(restored.ms / migrator.ms).toFixed(1)} × the migrator)\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ dbBytes, upgradeMs: [up1, up2], migratorMs: migrator.ms, restoreMs: restored.ms, restoreToMigrator: restored.ms / migrator.ms })}\n`,
    );
  } finally {
    rmSync(state, { recursive: true, force: true });
    rmSync(backups, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rollback bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
