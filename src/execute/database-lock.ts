import { literal } from '../db/psql';
import { PsqlSession } from '../db/psql-session';
import { type Deployment, dbIdentityOf, secretsOf } from '../deployment/deployment';
import { UpgradeError } from '../errors';

/** A held Postgres advisory lock; released when its session ends (also when the process dies). */
export interface DatabaseLock {
  release(): Promise<void>;
}

/**
 * One run per deployment, across machines: a session-level Postgres advisory lock keyed on the app's
 * database, held by a psql session in the Postgres container for the whole run. The lock file in the
 * state directory names the owner on this host; this lock also stops a second run from another host
 * or another state directory. A killed run's session ends with it, and the lock goes with the session.
 */
export async function acquireDatabaseLock(dep: Deployment, run: string): Promise<DatabaseLock> {
  const db = await dep.db();
  const { user, database } = dbIdentityOf(db);
  const secrets = secretsOf(db);
  const session = PsqlSession.open(dep.docker, db.id, user, 'postgres', secrets);
  const key = `hashtextextended(${literal(`engram-upgrade/${database}`)}, 0)`;
  try {
    await session.query(`SET application_name = ${literal(`engram-upgrade ${run}`)}`);
    const ok = (await session.query(`SELECT pg_try_advisory_lock(${key})::text`))[0]?.[0];
    if (ok !== 'true') {
      const holders = await session.query(
        `SELECT a.application_name, coalesce(host(a.client_addr), 'local'), a.backend_start::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND (l.classid::bigint << 32 | l.objid::bigint) = (${key} & x'ffffffffffffffff'::bigint)`,
      );
      const who = holders.map((h) => `${h[0] || 'a session'} (${h[1]}, since ${h[2]})`).join(', ');
      throw new UpgradeError('LOCKED', {
        message: `Another run holds the database lock of ${dep.project}${who ? `: ${who}` : ''}`,
        unchanged: 'Nothing was changed',
        hint: 'Wait for that run to finish; a run that died releases the lock with its database session',
      });
    }
  } catch (err) {
    await session.close();
    throw err;
  }
  return { release: () => session.close() };
}
