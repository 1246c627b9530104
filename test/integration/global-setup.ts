import { sweepTestbed } from '../../src/testing/sweep';
import { ensureTestbed } from '../../testbed/ensure-testbed';

/** Makes the test bed ready (engine, compose, registry, images) before any integration test runs. */
export default async function setup(): Promise<() => Promise<void>> {
  const seconds = await ensureTestbed();
  process.stderr.write(`[testbed] ready in ${seconds.toFixed(1)} s\n`);
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  await sweepTestbed();
  return async () => {
    await sweepTestbed();
  };
}
