import { describe, expect, it } from 'vitest';
import { openDeployment } from '../../../src/deployment/deployment';
import type { LogLine } from '../../../src/docker/docker-port';
import { SecretSet } from '../../../src/secrets';
import { awaitMigrations } from '../../../src/upgrade/await-migrations';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';
import { psqlResponder } from '../fakes/fake-psql';

const CRASHED_RUN = [
  '== Running 20260814120000 Engram.Repo.Migrations.AddX.change/0 forward',
  '== Migrated 20260814120000 in 0.1s',
  '== Running 20260817080100 Engram.Repo.Migrations.DropY.change/0 forward',
  '** (Postgrex.Error) ERROR 42P01 (undefined_table) relation "y" does not exist',
];

/** A port whose followed log ends before the crash arrives, the way a restart can cut the stream. */
class CutLogDocker extends FakeDocker {
  follows = 0;
  override async *followLogs(): AsyncIterable<LogLine> {
    this.follows += 1;
    // The first follow (the watch) sees only the first lines; a later read gets the whole log.
    const lines = this.follows === 1 ? CRASHED_RUN.slice(0, 2) : CRASHED_RUN;
    for (const line of lines) yield { stream: 'stdout', line };
  }
}

describe('awaitMigrations', () => {
  it('names the failed migration from the whole log when the followed log ended before the crash', async () => {
    const app = composeContainer('engram', 'engram', { restartCount: 0 });
    const db = composeContainer('engram', 'postgres', {
      env: ['POSTGRES_USER=engram', 'POSTGRES_DB=engram'],
    });
    const docker = new CutLogDocker(
      [app, db],
      psqlResponder(() => [['20260814120000']]),
    );
    const dep = await openDeployment({ project: 'engram', docker });
    // The app restarted (restart: unless-stopped) by the time its state is read.
    const origInspect = docker.inspect.bind(docker);
    let inspected = 0;
    docker.inspect = async (id: string) => {
      const c = await origInspect(id);
      if (id === app.id && ++inspected > 1) return { ...c, restartCount: 1, exitCode: 1 };
      return c;
    };
    const err = await awaitMigrations(dep, {
      containerId: app.id,
      expected: ['20260814120000', '20260817080100'],
      pending: 2,
      deadlineMs: 10_000,
      signal: new AbortController().signal,
      secrets: new SecretSet(),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MIGRATION_FAILED', version: '20260817080100' });
    expect((err as Error).message).toContain('migration 20260817080100 failed');
    expect((err as Error).message).toContain('relation "y" does not exist');
  });
});
