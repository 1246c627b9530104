import { describe, expect, it } from 'vitest';
import { openDeployment } from '../../../src/deployment/deployment';
import { envMap } from '../../../src/docker/env-entries';
import { UpgradeError } from '../../../src/errors';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';

const HOSTILE = [
  '1.0;touch /tmp/pwned',
  '$(id)',
  '--help',
  'a'.repeat(201),
  'engram\nrm -rf /',
  'Engram',
  '',
  ' engram',
  '../engram',
];

async function rejection(p: Promise<unknown>): Promise<UpgradeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpgradeError);
  return err as UpgradeError;
}

describe('openDeployment', () => {
  it('accepts a 70-character project name, as compose does', async () => {
    const project = `p${'x'.repeat(69)}`;
    const docker = new FakeDocker([composeContainer(project, 'postgres')]);
    const dep = await openDeployment({ project, docker });
    expect(dep.project).toBe(project);
  });

  for (const field of ['project', 'appService', 'dbService'] as const) {
    it.each(HOSTILE)(`rejects ${field} %j before touching Docker`, async (bad) => {
      const docker = new FakeDocker([composeContainer('engram', 'postgres')]);
      const opts = { project: 'engram', docker, [field]: bad };
      const err = await rejection(openDeployment(opts));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toContain(field);
      expect(err.message).toContain('Nothing was changed');
      expect(docker.calls).toEqual([]);
    });
  }

  it('accepts the names compose produces', async () => {
    const docker = new FakeDocker([composeContainer('my_stack-2', 'db_1')]);
    const dep = await openDeployment({ project: 'my_stack-2', dbService: 'db_1', docker });
    expect((await dep.db()).name).toBe('my_stack-2-db_1-1');
    expect(dep.appService).toBe('engram');
  });

  it('says which project and service it could not find, and that nothing changed', async () => {
    const docker = new FakeDocker([composeContainer('other', 'postgres')]);
    const err = await rejection(openDeployment({ project: 'engram', docker }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain("'engram'");
    expect(err.message).toContain("'postgres'");
    expect(err.message).toContain('Nothing was changed');
    expect(err.message).toContain('docker compose ls');
  });

  it('prefers the running container when compose left an old one behind', async () => {
    const docker = new FakeDocker([
      composeContainer('engram', 'postgres', { id: 'old', name: 'old', running: false }),
      composeContainer('engram', 'postgres', { id: 'new', name: 'new' }),
    ]);
    const dep = await openDeployment({ project: 'engram', docker });
    expect((await dep.db()).id).toBe('new');
  });
});

describe('Deployment.dbIdentity', () => {
  async function identity(env: string[]) {
    const docker = new FakeDocker([composeContainer('engram', 'postgres', { env })]);
    return (await openDeployment({ project: 'engram', docker })).dbIdentity();
  }

  it('defaults like the official image: user postgres, database named after the user', async () => {
    expect(await identity(['POSTGRES_PASSWORD=x-canary'])).toEqual({
      user: 'postgres',
      database: 'postgres',
    });
    expect(await identity(['POSTGRES_USER=engram'])).toEqual({ user: 'engram', database: 'engram' });
    expect(await identity(['POSTGRES_USER=engram', 'POSTGRES_DB=engram_prod'])).toEqual({
      user: 'engram',
      database: 'engram_prod',
    });
    // An empty value counts as unset, as in the image's entrypoint.
    expect(await identity(['POSTGRES_USER=', 'POSTGRES_DB='])).toEqual({
      user: 'postgres',
      database: 'postgres',
    });
  });
});

describe('Deployment.secrets', () => {
  it('collects secrets from both the app and the Postgres container', async () => {
    const docker = new FakeDocker([
      composeContainer('engram', 'postgres', { env: ['POSTGRES_PASSWORD=db-canary-1'] }),
      composeContainer('engram', 'engram', {
        env: ['SECRET_KEY_BASE=app-canary-2', 'DATABASE_URL=postgres://engram:url-canary-3@postgres/engram'],
      }),
    ]);
    const s = await (await openDeployment({ project: 'engram', docker })).secrets();
    expect(s.redact('db-canary-1 app-canary-2 url-canary-3')).toBe('[redacted] [redacted] [redacted]');
  });

  it('still works when the app container is gone', async () => {
    const docker = new FakeDocker([
      composeContainer('engram', 'postgres', { env: ['POSTGRES_PASSWORD=db-canary-1'] }),
    ]);
    const s = await (await openDeployment({ project: 'engram', docker })).secrets();
    expect(s.redact('db-canary-1')).toBe('[redacted]');
  });
});

describe('envMap', () => {
  it('splits at the first = and keeps later ones in the value', () => {
    expect(envMap(['A=1', 'URL=postgres://u:p=q@h/db', 'BROKEN', '=nokey'])).toEqual({
      A: '1',
      URL: 'postgres://u:p=q@h/db',
    });
  });
});
