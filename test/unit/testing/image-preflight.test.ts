import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DockerPort, ImageRecord } from '../../../src/docker/docker-port';
import { UpgradeError } from '../../../src/errors';
import { lookUpImage } from '../../../src/testing/ensure-image';
import { imageMissing, registryUnreachable } from '../../../src/testing/image-errors';
import { probeRegistry, registryOf, registryProbeUrls } from '../../../src/testing/registry-probe';
import { prepareStackImages } from '../../../src/testing/stack-images';
import { findTestbedDir, testbedDir } from '../../../testbed/testbed-dir';

const IMAGE: ImageRecord = { id: 'sha256:1', repoTags: [], repoDigests: [], env: [], labels: {} };

type ImagePort = Pick<DockerPort, 'inspectImage' | 'readImageFiles'>;

function port(binEngram: string | 'absent'): ImagePort {
  return {
    inspectImage: async () => IMAGE,
    readImageFiles: async () => {
      if (binEngram === 'absent') {
        throw new UpgradeError('DOCKER_OPERATION', {
          message: 'Could not read /app/bin/engram',
          cause: Object.assign(new Error('no such file'), { statusCode: 404 }),
        });
      }
      return [{ name: 'engram', content: binEngram }];
    },
  };
}

const STANDIN_BIN = '#!/bin/sh\nexec python3 -B /app/lib/engram-"$vsn"/standin/engram.py "$@"\n';
const RELEASE_BIN = '#!/bin/sh\nexec "$REL_VSN_DIR/../../erts-15.2/bin/erl" -boot start "$@"\n';

describe('where an image comes from', () => {
  it('names the registry a reference is pulled from, Docker Hub when it names none', () => {
    expect(registryOf('127.0.0.1:5000/engram-app/engram:1.0.0')).toBe('127.0.0.1:5000');
    expect(registryOf('ghcr.io/engram-app/engram:0.18.1')).toBe('ghcr.io');
    expect(registryOf('postgres:18.4')).toBe('docker.io');
    expect(registryOf('localhost:5999/library/postgres:15')).toBe('localhost:5999');
  });

  it('asks a loopback registry over plain HTTP only, any other over HTTPS first', () => {
    expect(registryProbeUrls('127.0.0.1:5999')).toEqual(['http://127.0.0.1:5999/v2/']);
    expect(registryProbeUrls('docker.io')).toEqual([
      'https://registry-1.docker.io/v2/',
      'http://registry-1.docker.io/v2/',
    ]);
  });
});

describe('whether a registry answers', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('a registry that wants a login (401) answers', async () => {
    server = createServer((_req, res) => res.writeHead(401).end());
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port: p } = server.address() as { port: number };
    expect(await probeRegistry(`127.0.0.1:${p}`)).toEqual({ answers: true });
  });

  it('a port nobody listens on does not, and the reason says so', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port: p } = server.address() as { port: number };
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    expect(await probeRegistry(`127.0.0.1:${p}`)).toEqual({
      answers: false,
      reason: `http://127.0.0.1:${p}/v2/: ECONNREFUSED`,
    });
  });
});

describe('the three image errors', () => {
  it('an engine that does not answer is DOCKER_UNAVAILABLE naming the address tried', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    try {
      const silent = {
        inspectImage: async () => {
          throw new UpgradeError('DOCKER_UNAVAILABLE', {
            message: 'no engine',
            cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          });
        },
      };
      const err = await lookUpImage(silent, 'r/x:1').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
      expect((err as Error).message).toContain(
        'The Docker engine at tcp://127.0.0.1:1 does not answer (ECONNREFUSED)',
      );
      expect((err as Error).message).toContain('npx engram-upgrade testbed');
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  it("the test bed's own images point at the command that builds them; others at docker pull and login", () => {
    const bed = imageMissing({
      reference: '127.0.0.1:5000/engram-app/engram:0.13.9',
      registry: '127.0.0.1:5000',
      present: false,
      reason: 'manifest unknown',
    });
    expect(bed.code).toBe('TESTBED_IMAGE_MISSING');
    expect(bed.hint).toMatch(
      /^The test bed builds Engram 0\.14\.0, 0\.14\.1, .*, latest; use one of those versions/,
    );
    const real = imageMissing({
      reference: 'ghcr.io/engram-app/engram:0.13.9',
      registry: 'ghcr.io',
      present: false,
      reason: 'denied',
    });
    expect(real.hint).toContain('docker login ghcr.io');
    const down = registryUnreachable({
      reference: '127.0.0.1:5000/library/postgres:15',
      registry: '127.0.0.1:5000',
      present: true,
      reason: 'ECONNREFUSED',
    });
    expect(down.code).toBe('TESTBED_REGISTRY_UNREACHABLE');
    expect(down.message).toMatch(
      /^Image 127\.0\.0\.1:5000\/library\/postgres:15 could not be pulled: its registry/,
    );
    expect(down.message).toContain("'npx engram-upgrade testbed'");
  });
});

describe('fault switches', () => {
  const images = { engramImage: 'r/engram:1', postgresImage: 'r/postgres:18', pull: false };

  it('are refused, before anything is created, for an image that is not the stand-in', async () => {
    for (const bin of [RELEASE_BIN, 'absent'] as const) {
      const err = await prepareStackImages(port(bin), { ...images, faults: { neverHealthy: true } }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'INVALID_INPUT' });
      expect((err as Error).message).toContain(
        'Fault switches (ENGRAM_STANDIN_NEVER_HEALTHY) work only with the Engram stand-in image',
      );
    }
  });

  it('are accepted for the stand-in, and no switch asks nothing of the image', async () => {
    await expect(
      prepareStackImages(port(STANDIN_BIN), { ...images, faults: { failAtMigration: '20260808100000' } }),
    ).resolves.toBeUndefined();
    await expect(prepareStackImages(port(RELEASE_BIN), { ...images, faults: {} })).resolves.toBeUndefined();
  });
});

describe("the test bed's files", () => {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('are found from code bundled into dist/ (beside it as testbed/), and from the sources themselves', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'engram-unit-pkg-'));
    made.push(pkg);
    mkdirSync(join(pkg, 'testbed', 'images'), { recursive: true });
    writeFileSync(join(pkg, 'testbed', 'bootstrap.sh'), '#!/bin/sh\n');
    mkdirSync(join(pkg, 'dist', 'testing'), { recursive: true });
    const bundled = pathToFileURL(join(pkg, 'dist', 'testing', 'index.js')).href;
    expect(testbedDir(bundled)).toBe(join(pkg, 'testbed'));
    expect(testbedDir(new URL('../../../testbed/build-images.ts', import.meta.url).href)).toMatch(
      /\/testbed$/,
    );
  });

  it('missing, is a TESTBED error that says to reinstall', () => {
    const bare = mkdtempSync(join(tmpdir(), 'engram-unit-bare-'));
    made.push(bare);
    const url = pathToFileURL(join(bare, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'index.js')).href;
    expect(findTestbedDir(url)).toBeUndefined();
    expect(() => testbedDir(url)).toThrow(
      expect.objectContaining({ code: 'TESTBED', hint: expect.stringContaining('Reinstall') }),
    );
  });
});
