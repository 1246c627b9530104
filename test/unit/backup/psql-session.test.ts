import { describe, expect, it } from 'vitest';
import { psqlQuery } from '../../../src/db/psql';
import { PsqlSession } from '../../../src/db/psql-session';
import { UpgradeError } from '../../../src/errors';
import { SecretSet } from '../../../src/secrets';
import { composeContainer, FakeDocker } from '../fakes/fake-docker';
import { type PsqlLog, psqlResponder, type SqlAnswer } from '../fakes/fake-psql';

const CANARY = 'Session-Canary-91b2';

function db(answer: (sql: string) => SqlAnswer) {
  const log: PsqlLog = { sql: [] };
  const pg = composeContainer('engram', 'postgres', { env: [`POSTGRES_PASSWORD=${CANARY}`] });
  const docker = new FakeDocker([pg], psqlResponder(answer, log));
  const secrets = new SecretSet().addFromEnv(pg.env);
  return { docker, log, id: pg.id, secrets };
}

function within<T>(p: Promise<T>, ms = 1000): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ]);
}

describe('PsqlSession', () => {
  it('answers each query with its own rows, in order, in one psql', async () => {
    const { docker, id, log } = db((sql) => {
      if (sql.startsWith('BEGIN')) return [];
      if (sql.includes('pg_export_snapshot')) return [['00000003-0000001B-1']];
      if (sql.includes('FROM notes'))
        return [
          ['1', 'first'],
          ['2', 'second|with\ttab'],
        ];
      return [];
    });
    await using s = PsqlSession.open(docker, id, 'engram', 'engram');
    expect(await s.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')).toEqual([]);
    expect(await s.query('SELECT pg_export_snapshot()')).toEqual([['00000003-0000001B-1']]);
    expect(await s.query('SELECT id, title FROM notes;')).toEqual([
      ['1', 'first'],
      ['2', 'second|with\ttab'],
    ]);
    expect(await s.query('SELECT 1 WHERE false')).toEqual([]);
    // Each statement was terminated once, whether or not the caller ended it with ';'.
    expect(log.sql).toEqual([
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;',
      'SELECT pg_export_snapshot();',
      'SELECT id, title FROM notes;',
      'SELECT 1 WHERE false;',
    ]);
    expect(docker.calls.filter((c) => c.method === 'exec')).toHaveLength(1);
  });

  it('rejects the pending query with a redacted DATABASE error when psql exits mid-session', async () => {
    const { docker, id, secrets } = db((sql) =>
      sql.includes('boom')
        ? { error: `FATAL: terminating connection; password for "engram" was ${CANARY}` }
        : [['ok']],
    );
    const s = PsqlSession.open(docker, id, 'engram', 'engram', secrets);
    expect(await s.query('SELECT 1')).toEqual([['ok']]);
    const err = await within(s.query('SELECT boom')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as UpgradeError).code).toBe('DATABASE');
    expect((err as UpgradeError).message).toContain('The database session ended');
    expect((err as UpgradeError).message).toContain('terminating connection');
    expect((err as UpgradeError).message).toContain('[redacted]');
    expect((err as UpgradeError).message).not.toContain(CANARY);
    // Later queries fail the same way instead of hanging.
    await expect(within(s.query('SELECT 2'))).rejects.toMatchObject({ code: 'DATABASE' });
    await s.close();
  });

  it('rejects when Docker itself fails to run psql', async () => {
    const pg = composeContainer('engram', 'postgres', { running: false });
    const docker = new FakeDocker([pg]);
    const s = PsqlSession.open(docker, pg.id, 'engram', 'engram');
    await expect(within(s.query('SELECT 1'))).rejects.toMatchObject({ code: 'DATABASE' });
    await s.close();
  });

  it('ends psql on close, so the exec finishes', async () => {
    let exited = false;
    const pg = composeContainer('engram', 'postgres');
    const answer = psqlResponder(() => []);
    const docker = new FakeDocker([pg], async (e) => {
      const r = await answer(e);
      exited = true;
      return r;
    });
    const s = PsqlSession.open(docker, pg.id, 'engram', 'engram');
    await s.query('SELECT 1');
    expect(exited).toBe(false);
    await within(s.close());
    expect(exited).toBe(true);
  });

  // Callers may fire queries without awaiting each: they are sent one at a time, in order.
  it('keeps the answers of two queries sent without waiting apart', async () => {
    const { docker, id } = db((sql) => [[sql.includes('one') ? '1' : '2']]);
    const s = PsqlSession.open(docker, id, 'engram', 'engram');
    try {
      const [a, b] = await within(Promise.all([s.query("SELECT 'one'"), s.query("SELECT 'two'")]));
      expect(a).toEqual([['1']]);
      expect(b).toEqual([['2']]);
    } finally {
      await s.close();
    }
  });
});

describe('psqlQuery', () => {
  it('returns the rows split on the field separator', async () => {
    const { docker, id } = db(() => [
      ['18.1', '180001', '42'],
      ['a', '', 'c'],
    ]);
    const rows = await psqlQuery(
      { docker, containerId: id, user: 'engram', database: 'engram' },
      'SELECT',
      'x',
    );
    expect(rows).toEqual([
      ['18.1', '180001', '42'],
      ['a', '', 'c'],
    ]);
  });

  it('says what it tried to do, and redacts the error', async () => {
    const { docker, id, secrets } = db(() => ({ error: `role "x" password ${CANARY} rejected` }));
    const err = await psqlQuery(
      { docker, containerId: id, user: 'engram', database: 'engram', secrets },
      'SELECT 1',
      'count the rows',
    ).then(
      () => undefined,
      (e: unknown) => e as UpgradeError,
    );
    expect(err?.code).toBe('DATABASE');
    expect(err?.message).toContain('Could not count the rows: ERROR:');
    expect(err?.message).not.toContain(CANARY);
  });
});
