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
