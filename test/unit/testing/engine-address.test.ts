import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineAddress, engineNamed } from '../../../src/testing/image-errors';

const VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG'] as const;
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
const made: string[] = [];
afterEach(() => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the harness names the engine as the docker CLI would choose it', () => {
  it('DOCKER_HOST, a context (DOCKER_CONTEXT), or the default socket; only the first two are "named"', () => {
    const config = mkdtempSync(join(tmpdir(), 'engram-harness-config-'));
    made.push(config);
    const key = createHash('sha256').update('far').digest('hex');
    mkdirSync(join(config, 'contexts', 'meta', key), { recursive: true });
    writeFileSync(
      join(config, 'contexts', 'meta', key, 'meta.json'),
      JSON.stringify({ Name: 'far', Endpoints: { docker: { Host: 'ssh://ops@far.example' } } }),
    );
    process.env.DOCKER_CONFIG = config;
    delete process.env.DOCKER_HOST;
    delete process.env.DOCKER_CONTEXT;
    expect(engineAddress()).toBe('unix:///var/run/docker.sock');
    expect(engineNamed()).toBe(false);
    process.env.DOCKER_CONTEXT = 'far';
    expect(engineAddress()).toBe('ssh://ops@far.example (context far)');
    expect(engineNamed()).toBe(true);
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    expect(engineAddress()).toBe('tcp://127.0.0.1:1');
    // A context that does not exist is still "named": the harness must not start a local engine for it.
    delete process.env.DOCKER_HOST;
    process.env.DOCKER_CONTEXT = 'missing';
    expect(engineNamed()).toBe(true);
  });
});
