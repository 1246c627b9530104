import { UpgradeError } from '../errors';
import { harness } from './testbed-error';

/** One result of `StackPgClient.query`. */
export interface StackQueryResult<R> {
  rows: R[];
  rowCount: number | null;
}

/**
 * The stack's `pg` (node-postgres) client, typed by the calls a test needs so that the harness's types
 * do not depend on `@types/pg`. It is a real, connected `pg.Client`: with `@types/pg` installed,
 * `client as unknown as pg.Client` gives its whole surface.
 */
export interface StackPgClient {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<StackQueryResult<R>>;
}

/** A client that the stack ends when it is disposed. */
export interface OwnedPgClient extends StackPgClient {
  end(): Promise<void>;
}

/** Connects a `pg.Client` (imported on first use) to a connection string. */
export async function connectPg(connectionString: string, database: string): Promise<OwnedPgClient> {
  return harness(`connect to database ${database} with pg`, async () => {
    const mod = (await import('pg')) as typeof import('pg') & { default?: typeof import('pg') };
    const { Client } = mod.default ?? mod;
    const client = new Client({ connectionString });
    // A connection cut by the stack's own teardown (or by a test stopping Postgres) surfaces on the
    // next query; left unhandled, the client's 'error' event would end the test process instead.
    client.on('error', () => {});
    await client.connect();
    return client as unknown as OwnedPgClient;
  });
}

/** Where a one-off connection goes: the fields themselves, so no connection string (with its password) is ever built. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** One statement of a simple query, as the server reported it. */
interface StatementOutcome {
  /** The statement sent a row description: it returned rows (maybe none). */
  described: boolean;
  /** Its command tag (`SELECT 2`, `INSERT 0 1`, `CREATE TABLE`). */
  tag: string;
}

/** psql prints the tag of a statement that returned rows only for these (RETURNING). */
const TAG_AFTER_ROWS = /^(INSERT|UPDATE|DELETE|MERGE)\b/;

/** Every value as the text Postgres sent: no type is parsed. */
const TEXT_ONLY = { getTypeParser: () => (value: string) => value };

/**
 * Runs `sql` as one simple query on a connection of its own (connect, query, end) and gives the lines
 * `psql -X -At -F <separator> -c <sql>` would print for it: each row's values (NULL as '') joined by
 * the separator, statement by statement, and a statement's command tag where psql prints it (a
 * statement that returned no rows, and INSERT/UPDATE/DELETE/MERGE … RETURNING after its rows). A value
 * may hold a newline, as psql's would. Resolves `undefined` when no connection could be made (the
 * caller has another way in); a failed statement rejects with Postgres's message.
 */
export async function psqlLinesOverPg(
  target: PgTarget,
  sql: string,
  separator: string,
): Promise<string[] | undefined> {
  const mod = (await import('pg')) as typeof import('pg') & { default?: typeof import('pg') };
  const { Client } = mod.default ?? mod;
  const client = new Client({ ...target, connectionTimeoutMillis: 5000, types: TEXT_ONLY });
  // A connection cut by the server (a restore terminating backends) surfaces on the query below.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch {
    client.end().catch(() => undefined);
    return undefined;
  }
  const statements: StatementOutcome[] = [];
  let described = false;
  // The tags' whole text is only on the protocol messages (a Result keeps the first word).
  client.connection.on('rowDescription', () => {
    described = true;
  });
  client.connection.on('commandComplete', (msg: { text: string }) => {
    statements.push({ described, tag: msg.text });
    described = false;
  });
  try {
    const res = (await client.query({ text: sql, rowMode: 'array' })) as unknown;
    const results = (Array.isArray(res) ? res : [res]) as {
      command: string | null;
      rows: (string | null)[][];
    }[];
    const done = results.filter((r) => r.command);
    if (done.length !== statements.length) {
      throw new Error(`pg gave ${done.length} results for ${statements.length} statements`);
    }
    const lines: string[] = [];
    statements.forEach((s, i) => {
      if (s.described) {
        for (const row of done[i]!.rows) lines.push(row.map((v) => v ?? '').join(separator));
        if (TAG_AFTER_ROWS.test(s.tag)) lines.push(s.tag);
      } else {
        lines.push(s.tag);
      }
    });
    return lines;
  } catch (err) {
    throw new UpgradeError('TESTBED', {
      message: `SQL failed on database ${target.database}: ${pgMessage(err)}`,
      cause: err,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Postgres's error as psql prints it (severity, message, detail, hint), or the client's own message. */
function pgMessage(err: unknown): string {
  const e = err as { severity?: string; message?: string; detail?: string; hint?: string };
  if (!e.severity) return e.message ?? String(err);
  return [`${e.severity}:  ${e.message}`, e.detail && `DETAIL:  ${e.detail}`, e.hint && `HINT:  ${e.hint}`]
    .filter(Boolean)
    .join('\n');
}
