import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepTestbed } from '../../src/testing/sweep';
import { ensureTestbed } from '../../testbed/ensure-testbed';

/** Makes the test bed ready (engine, compose, registry, images) before any integration test runs. */
export default async function setup(): Promise<() => Promise<void>> {
  const seconds = await ensureTestbed();
  process.stderr.write(`[testbed] ready in ${seconds.toFixed(1)} s\n`);
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  // Runs that use the default state dir (locks, journals, saved plans) write into the suite's own.
  const stateDir = mkdtempSync(join(tmpdir(), 'engram-state-'));
  process.env.ENGRAM_UPGRADE_STATE_DIR = stateDir;
  await sweepTestbed();
  return async () => {
    rmSync(stateDir, { recursive: true, force: true });
    await sweepTestbed();
  };
}
