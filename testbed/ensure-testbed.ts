import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildTestbedImages } from './build-images';

/**
 * Makes the whole test bed ready: machine parts (engine, compose, registry, base image) through
 * bootstrap.sh, then the test images. Idempotent; a warm run takes seconds. Returns the seconds taken.
 */
export async function ensureTestbed(): Promise<number> {
  const started = Date.now();
  const script = fileURLToPath(new URL('./bootstrap.sh', import.meta.url));
  const r = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0)
    throw new Error(`test bed bootstrap failed (exit ${r.status}); see the [testbed] lines above`);
  await buildTestbedImages();
  return (Date.now() - started) / 1000;
}
