import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeployment } from '../../../src/deployment/deployment';
import type { DockerPort } from '../../../src/docker/docker-port';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { SecretSet } from '../../../src/secrets';
import { type EngramStack, startEngramStack } from '../../../src/testing';
import { readHealth } from '../../../src/upgrade/app-health';
import { AppliedReader, readApplied } from '../../../src/upgrade/deployment-state';
import { HealthProbe } from '../../../src/upgrade/health-probe';

/** A Docker port that counts the commands run in containers (each one a `docker exec`). */
function countingDocker(): { docker: DockerPort; execs: string[] } {
  const real = new DockerodeDocker();
  const execs: string[] = [];
  const docker = new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'exec') {
        return (id: string, req: Parameters<DockerPort['exec']>[1]) => {
          execs.push(req.cmd[0] ?? '');
          return target.exec(id, req);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as DockerPort;
  return { docker, execs };
}

describe('waits that ask every second use one docker exec', () => {
  let stack: EngramStack;
  beforeAll(async () => {
    stack = await startEngramStack({ version: '0.15.0' });
  });
  afterAll(async () => {
    await stack?.dispose();
  });

  it('HealthProbe reads what readHealth reads, through one exec for any number of readings', async () => {
    const { docker, execs } = countingDocker();
    const app = await docker.inspect(await stack.containerId('engram'));
    const once = await readHealth(docker, app);
    const onceDeep = await readHealth(docker, app, '/api/health/deep');
    expect(once.status).toBe(200);
    execs.length = 0;
    await using probe = new HealthProbe(docker, app);
    for (let i = 0; i < 5; i++) {
      expect(await probe.read()).toEqual(once);
      expect(await probe.read('/api/health/deep')).toEqual(onceDeep);
    }
    expect(execs).toEqual(['sh']);
  });

  it('HealthProbe reports no answer the way readHealth does (curl exit code) when nothing listens', async () => {
    const { docker, execs } = countingDocker();
    const app = await docker.inspect(await stack.containerId('engram'));
    // The same container, asked on a port nothing listens on.
    const elsewhere = { id: app.id, env: [...app.env.filter((e) => !e.startsWith('PORT=')), 'PORT=4999'] };
    const direct = await readHealth(docker, elsewhere);
    expect(direct).toEqual({ status: 0, body: null, error: 'curl exited 7' });
    execs.length = 0;
    // The probe's shell reads PORT from the container's own environment, so it is given here through
    // a second container record that names the port in the exec instead: the loop's answer for a
    // closed port must match.
    await using probe = new HealthProbe(withPort(docker, '4999'), app);
    expect(await probe.read()).toEqual(direct);
    expect(execs).toEqual(['sh']);
  });

  it('AppliedReader reads what readApplied reads through one exec, and survives a Postgres restart', async () => {
    const { docker, execs } = countingDocker();
    const dep = await openDeployment({ project: stack.projectName, docker });
    const db = await dep.db();
    const secrets = new SecretSet().add(stack.secrets.postgresPassword);
    const expected = await readApplied(dep, db, secrets);
    expect(expected.length).toBeGreaterThan(0);
    execs.length = 0;
    await using reader = new AppliedReader(dep, db, secrets);
    for (let i = 0; i < 5; i++) expect(await reader.read()).toEqual(expected);
    expect(execs).toEqual(['psql']);
    // Postgres restarts under the session: the next read is made the usual way, then a new session serves.
    await stack.compose(['restart', 'postgres']);
    await waitFor(async () => (await stack.query('SELECT 1'))[0]?.[0] === '1');
    execs.length = 0;
    expect(await reader.read()).toEqual(expected);
    expect(await reader.read()).toEqual(expected);
    expect(execs.length).toBeLessThanOrEqual(2);
  });
});

/** The port with every exec given `PORT` in its environment (an exec's env overrides the container's). */
function withPort(docker: DockerPort, port: string): DockerPort {
  return new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop === 'exec') {
        return (id: string, req: Parameters<DockerPort['exec']>[1]) =>
          target.exec(id, { ...req, env: { ...req.env, PORT: port } });
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('Postgres did not come back');
}
