import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerodeDocker } from '../../src/docker/dockerode-docker';
import { sweepTestbed } from '../../src/testing/sweep';
import { ensureTestbed } from '../../testbed/ensure-testbed';
import { BUILT_CLI_ENV, buildCli } from './cli/built-cli';
import { LeftoverCheck } from './leftovers';

/**
 * Makes the test bed ready (engine, compose, registry, images) before any integration test runs, and
 * afterwards fails the run, naming them, when its tests left containers, volumes, networks or
 * temporary directories behind (they are removed then, so the next run starts clean).
 *
 * Both integration projects (the concurrent one and the serial one) name this file; vitest calls it once
 * per project in the same process, so the first call does the work and the last teardown checks.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const shared = globalThis as { [SHARED]?: { users: number; ready: Promise<() => Promise<void>> } };
  const state = shared[SHARED] ?? { users: 0, ready: prepare() };
  shared[SHARED] = state;
  state.users += 1;
  const teardown = await state.ready;
  return async () => {
    state.users -= 1;
    if (state.users === 0) {
      delete shared[SHARED];
      await teardown();
    }
  };
}

const SHARED = Symbol.for('engram-upgrade.integration-setup');

async function prepare(): Promise<() => Promise<void>> {
  const seconds = await ensureTestbed();
  process.stderr.write(`[testbed] ready in ${seconds.toFixed(1)} s\n`);
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  await sweepTestbed();
  const docker = new DockerodeDocker();
  const leftovers = await LeftoverCheck.start(docker);
  // Runs that use the default state dir (locks, journals, saved plans) write into the suite's own.
  const stateDir = mkdtempSync(join(tmpdir(), 'engram-state-'));
  process.env.ENGRAM_UPGRADE_STATE_DIR = stateDir;
  // Command-line tests run the binary as built, once for the whole run.
  const cli = await buildCli();
  process.env[BUILT_CLI_ENV] = cli.bin;
  return async () => {
    cli.dispose();
    rmSync(stateDir, { recursive: true, force: true });
    const left = await leftovers.finish();
    await sweepTestbed();
    if (left.length) {
      // A throw from a teardown is only logged; the exit code is what fails the run.
      process.exitCode = 1;
      throw new Error(
        `The integration tests left ${left.length} thing(s) behind (removed now; fix the test that made them):\n  ${left.join('\n  ')}`,
      );
    }
  };
}
