// A downstream project's test of the harness's image errors: copied into the consumer project that
// test/integration/package/consumer.test.ts makes, and run there against the installed tarball.
import { existsSync } from 'node:fs';
import { isUpgradeError, UpgradeError } from 'engram-upgrade';
import { startEngramStack } from 'engram-upgrade/testing';
import { afterEach, expect, it } from 'vitest';

const saved = { registry: process.env.ENGRAM_UPGRADE_REGISTRY, dockerHost: process.env.DOCKER_HOST };
afterEach(() => {
  for (const [key, value] of [
    ['ENGRAM_UPGRADE_REGISTRY', saved.registry],
    ['DOCKER_HOST', saved.dockerHost],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function failure(version: string): Promise<UpgradeError> {
  const err: unknown = await startEngramStack({ version }).then(
    (stack) => stack.stop().then(() => 'started'),
    (e: unknown) => e,
  );
  // The error class the consumer imports from the main entry is the one the harness throws.
  expect(err).toBeInstanceOf(UpgradeError);
  if (!isUpgradeError(err)) throw new Error(`not an UpgradeError: ${String(err)}`);
  // Stack frames name files that exist in the installed package (no src/ paths that do not ship).
  const files = [...(err.stack ?? '').matchAll(/\((?:file:\/\/)?(\/[^():]+):\d+:\d+\)/g)].map((m) => m[1]!);
  expect(files.filter((f) => f.includes('/engram-upgrade/')).length).toBeGreaterThan(0);
  expect(files.filter((f) => !existsSync(f))).toEqual([]);
  return err;
}

it('images missing because their registry does not answer: says so, names the image and what to run', async () => {
  process.env.ENGRAM_UPGRADE_REGISTRY = '127.0.0.1:5999';
  const err = await failure('0.15.0');
  expect(err.code).toBe('TESTBED_REGISTRY_UNREACHABLE');
  expect(err.message).toContain('Image 127.0.0.1:5999/engram-app/engram:0.15.0 is not on this machine');
  expect(err.message).toContain('127.0.0.1:5999 does not answer');
  expect(err.message).toContain('npx engram-upgrade testbed');
  expect(err.message).toContain('ENGRAM_UPGRADE_REGISTRY=127.0.0.1:5999');
  expect(err.message).not.toMatch(/Cannot connect to the Docker daemon/i);
});

it('an image the registry does not have: names it and the versions the test bed builds', async () => {
  const err = await failure('0.13.9');
  expect(err.code).toBe('TESTBED_IMAGE_MISSING');
  expect(err.message).toMatch(
    /Image \S+\/engram-app\/engram:0\.13\.9 is not on this machine and registry \S+ does not have it/,
  );
  expect(err.message).toContain('manifest unknown');
  expect(err.message).toMatch(/The test bed builds Engram 0\.14\.0, .*latest/);
});

it('a Docker engine that does not answer: names the address it tried', async () => {
  process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
  const err = await failure('0.15.0');
  expect(err.code).toBe('DOCKER_UNAVAILABLE');
  expect(err.message).toContain('The Docker engine at tcp://127.0.0.1:1 does not answer (ECONNREFUSED)');
  expect(err.message).toContain('No container, network or file was created');
});
