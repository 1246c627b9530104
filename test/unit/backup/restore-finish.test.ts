import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DUMP_FILE, executeRestore, MANIFEST_FILE, restore } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { UpgradeError } from '../../../src/errors';
import { composeContainer, FakeDocker, type FakeExec, type FakeReply } from '../fakes/fake-docker';
import { psqlResponder, type SqlAnswer } from '../fakes/fake-psql';
import { FIXTURE_DUMP, fixtureManifest } from '../fakes/manifest-fixture';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const APPLIED = ['20250101000000', '20250301000000'];

/** A finished backup whose manifest lists notes and schema_migrations, as a real one does. */
async function backupOnDisk(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'engram-backup-finish-'));
  dirs.push(dir);
  const manifest = fixtureManifest({
    tables: { 'public.notes': 3, 'public.schema_migrations': APPLIED.length },
  });
  await writeFile(join(dir, DUMP_FILE), FIXTURE_DUMP);
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return dir;
}

/**
 * Postgres as a restore meets it: databases by name and OID (created, marked, renamed, swapped), and
 * the commands run in its container. `renamedBehindOurBack` gives the replaced database another name
 * once it has been swapped out, so dropping it by identity refuses.
 */
function cluster(opts: { renamedBehindOurBack?: string } = {}) {
  const byName = new Map<string, string>([['engram', '16384']]);
  const comments = new Map<string, string>();
  let nextOid = 20000;
  const dropped: string[] = [];
  /** Statements that change or read the databases, by their shape. */
  const rules: [RegExp, (m: RegExpMatchArray, sql: string) => SqlAnswer][] = [
    [
      /^CREATE DATABASE "([^"]+)"$/,
      (m) => {
        byName.set(m[1]!, String(nextOid++));
        return [];
      },
    ],
    [
      /^BEGIN; COMMENT ON DATABASE "([^"]+)" IS '([^']*)'; ALTER DATABASE "[^"]+" RENAME TO "([^"]+)"; COMMIT;$/,
      (m) => {
        comments.set(m[3]!, m[2]!);
        byName.set(m[3]!, byName.get(m[1]!)!);
        byName.delete(m[1]!);
        return [];
      },
    ],
    [
      /^BEGIN; ALTER DATABASE "([^"]+)" RENAME TO "([^"]+)"; ALTER DATABASE "([^"]+)" RENAME TO "([^"]+)"; COMMIT;$/,
      (m) => {
        const [a, aTo, b, bTo] = [m[1]!, m[2]!, m[3]!, m[4]!];
        const [oa, ob] = [byName.get(a)!, byName.get(b)!];
        byName.delete(a);
        byName.delete(b);
        byName.set(aTo, oa);
        byName.set(bTo, ob);
        if (opts.renamedBehindOurBack && oa === '16384') {
          byName.delete(aTo);
          byName.set(opts.renamedBehindOurBack, oa);
        }
        return [];
      },
    ],
    [
      /FROM pg_database WHERE datname = '([^']+)'/,
      (m, sql) => {
        const oid = byName.get(m[1]!);
        if (sql.startsWith('SELECT coalesce(shobj_description'))
          return oid ? [[comments.get(m[1]!) ?? '']] : [];
        return oid ? [[oid]] : [];
      },
    ],
    [
      /^SELECT datname FROM pg_database WHERE oid = '(\d+)'::oid$/,
      (m) => {
        const name = [...byName].find(([, oid]) => oid === m[1])?.[0];
        return name ? [[name]] : [];
      },
    ],
    [
      /^DROP DATABASE "([^"]+)"/,
      (m) => {
        dropped.push(m[1]!);
        byName.delete(m[1]!);
        return [];
      },
    ],
  ];
  const answer = (sql: string): SqlAnswer => {
    // The run lock's session.
    if (sql.startsWith('SET application_name')) return [];
    if (sql.includes('pg_try_advisory_lock') || sql.includes('pg_advisory_unlock')) return [['true']];
    if (sql.includes('server_version_num')) return [['180001', byName.get('engram')!]];
    if (sql.includes("to_regclass('public.schema_migrations')")) return [[APPLIED.at(-1)!]];
    if (sql.includes('FROM pg_stat_activity') && sql.startsWith('SELECT coalesce')) return [];
    if (sql.includes('pg_terminate_backend')) return [];
    for (const [shape, apply] of rules) {
      const m = sql.match(shape);
      if (m) return apply(m, sql);
    }
    if (sql.startsWith('SELECT n.nspname, c.relname')) {
      return [
        ['public', 'notes'],
        ['public', 'schema_migrations'],
      ];
    }
    if (sql.startsWith("SELECT 'public.notes', count(*)")) {
      return [
        ['public.notes', '3'],
        ['public.schema_migrations', String(APPLIED.length)],
      ];
    }
    if (sql === 'SELECT version FROM schema_migrations ORDER BY version') return APPLIED.map((v) => [v]);
    return { error: `unexpected query ${sql}` };
  };
  const shell = async (e: FakeExec): Promise<FakeReply> => {
    const [cmd, , script, , arg] = e.cmd;
    if (cmd === 'sh' && script?.startsWith('rm -rf')) return { exitCode: 0, stdout: `${arg}.A1b2C3d4\n2\n` };
    if (cmd === 'sh') {
      await e.stdinText();
      return { exitCode: 0 };
    }
    if (cmd === 'pg_restore' || cmd === 'rm') return { exitCode: 0 };
    return { exitCode: 127, stderr: `${cmd}: not found` };
  };
  const app = composeContainer('engram', 'engram', { image: 'ghcr.io/engram-app/engram:0.17.0' });
  const db = composeContainer('engram', 'postgres', {
    image: 'postgres:18.1',
    env: ['POSTGRES_USER=engram', 'POSTGRES_PASSWORD=pw-canary', 'POSTGRES_DB=engram'],
  });
  const docker = new FakeDocker([db, app], psqlResponder(answer, { sql: [] }, shell));
  // The app image's migrations are not modelled: the plan warns that it could not read them.
  docker.readImageFiles = async () => {
    throw new UpgradeError('DOCKER_OPERATION', { message: 'no image files in this fake' });
  };
  return { docker, byName, dropped, app };
}

describe('the end of a restore', () => {
  it('starts the app on the restored database, then drops the replaced one', async () => {
    const dir = await backupOnDisk();
    const pg = cluster();
    const target = await openDeployment({ project: 'engram', docker: pg.docker });
    const plan = await restore(dir, target, { keepPrevious: false, stateDir: join(dir, '.state') });
    expect(plan.steps.map((s) => s.id)).toEqual([
      'check',
      'stop-app',
      'staging',
      'swap',
      'start-app',
      'drop-previous',
    ]);
    const order: string[] = [];
    await executeRestore(target, plan, {
      onEvent: (e) => {
        if (e.type === 'step' && e.status === 'finished') order.push(e.step);
      },
    });
    // Each step as planned, then the run itself.
    expect(order).toEqual(['check', 'stop-app', 'staging', 'swap', 'start-app', 'drop-previous', 'restore']);
    expect(pg.dropped).toEqual([plan.previousDatabase]);
    expect(pg.byName.get('engram')).not.toBe('16384');
    expect(pg.docker.containers.find((c) => c.id === pg.app.id)?.running).toBe(true);
  });

  it('when the replaced database cannot be dropped, leaves the restored one in place with the app started on it, and says what to drop', async () => {
    const dir = await backupOnDisk();
    const pg = cluster({ renamedBehindOurBack: 'someone_elses' });
    const target = await openDeployment({ project: 'engram', docker: pg.docker });
    const plan = await restore(dir, target, { keepPrevious: false, stateDir: join(dir, '.state') });
    const err = await executeRestore(target, plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    const e = err as UpgradeError;
    expect(e.code).toBe('RESTORE_FAILED');
    expect(e.step).toBe('drop-previous');
    expect(e.message).toContain('now named someone_elses');
    expect(e.message).toContain(`The restored database is already in place as engram`);
    expect(e.message).toContain(`${pg.app.name} was started on it`);
    expect(e.message).toContain(`drop ${plan.previousDatabase} yourself`);
    // Nothing was undone: the restored database stays, the app runs, the other database is untouched.
    expect(pg.dropped).toEqual([]);
    expect(pg.byName.get('engram')).not.toBe('16384');
    expect(pg.byName.get('someone_elses')).toBe('16384');
    expect(pg.docker.containers.find((c) => c.id === pg.app.id)?.running).toBe(true);
  });
});
