import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { engramImage, prepareEngramImages, startEngramStack, testbedRegistry } from '../../../src/testing';
import { cli } from '../cli/run-cli';
import { tempDir } from '../temp-dir';

async function withEnv<T>(key: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[key];
  process.env[key] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[key];
    else process.env[key] = saved;
  }
}

describe('prepareEngramImages and `engram-upgrade testbed`', () => {
  it('pulls the versions asked for from a registry instead of building (the way to real images)', async () => {
    const prepared = await prepareEngramImages({ source: 'registry', versions: ['0.15.0', '0.16.0'] });
    expect(prepared).toMatchObject({ source: 'registry', versions: ['0.15.0', '0.16.0'] });
    const docker = new DockerodeDocker();
    for (const v of prepared.versions) expect(await docker.inspectImage(engramImage(v))).not.toBeNull();
    expect(await docker.inspectImage(prepared.postgresImage)).not.toBeNull();
  });

  it('a version the registry does not have is TESTBED_IMAGE_MISSING, from the call and from the command line', async () => {
    const err = await prepareEngramImages({ source: 'registry', versions: ['0.13.9'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'TESTBED_IMAGE_MISSING' });
    expect((err as Error).message).toContain(
      `Image ${testbedRegistry()}/engram-app/engram:0.13.9 is not on this machine and registry`,
    );

    const r = cli(['testbed', '--pull', '0.13.9']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('registry 127.0.0.1:5000 does not have it');
    expect(r.err).toContain('The test bed builds Engram 0.14.0');
  });

  it('`engram-upgrade testbed` builds (cached) the test bed and lists what it can start', () => {
    const r = cli(['testbed', '--json']);
    expect(r.code, r.err).toBe(0);
    const prepared = JSON.parse(r.out) as { source: string; versions: string[]; seconds: number };
    expect(prepared.source).toBe('testbed');
    expect(prepared.versions).toEqual(expect.arrayContaining(['0.14.0', '0.15.0', '1.0.0', 'latest']));
    expect(r.err).toContain('[testbed] machine parts ready');
  });

  it('an engine named by DOCKER_HOST that does not answer is reported without starting one', async () => {
    const started = Date.now();
    const err = await withEnv('DOCKER_HOST', 'tcp://127.0.0.1:1', () => prepareEngramImages()).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
    expect((err as Error).message).toContain('The Docker engine at tcp://127.0.0.1:1 does not answer');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a test bed registry that cannot be started is TESTBED_REGISTRY_UNREACHABLE, naming it', async () => {
    // Its own state directory, so that the bootstrap's registry config of this machine is not touched.
    const state = tempDir('engram-testbed-state-');
    const err = await withEnv('ENGRAM_UPGRADE_TESTBED_DIR', state, () =>
      withEnv('ENGRAM_UPGRADE_REGISTRY', 'registry.invalid:5000', () => prepareEngramImages()),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TESTBED_REGISTRY_UNREACHABLE' });
    expect((err as Error).message).toContain("The test bed's registry registry.invalid:5000 does not answer");
    expect((err as Error).message).toContain('is not on loopback');
    expect((err as { causeCode?: string }).causeCode).toBe('TESTBED');
  });

  it('fault switches asked of an image that is not the stand-in are refused before anything is created', async () => {
    const projectName = `engram-test-notstandin-${process.pid}`;
    // Any image that is not the stand-in stands for a real release here: the test bed's Postgres.
    const err = await startEngramStack({
      version: '15',
      repository: `${testbedRegistry()}/library/postgres`,
      projectName,
      faults: { neverHealthy: true },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect((err as Error).message).toContain('work only with the Engram stand-in image');
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith(projectName))).toEqual([]);
    const containers = await new DockerodeDocker().findContainers({
      'com.docker.compose.project': projectName,
    });
    expect(containers).toEqual([]);
  });
});
