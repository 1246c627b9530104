import { ident, literal } from '../db/psql';

/** Lists user tables (ordinary and partitioned) as `schema.table`. */
export const TABLES_QUERY = `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1, 2`;

/** One query counting every listed table exactly (inside whatever snapshot the session holds). */
export function countsQuery(tables: [string, string][]): string {
  if (tables.length === 0) return "SELECT '', 0 WHERE false";
  return tables
    .map(([s, t]) => `SELECT ${literal(`${s}.${t}`)}, count(*) FROM ${ident(s)}.${ident(t)}`)
    .join(' UNION ALL ');
}

export interface TableContents {
  tables: Record<string, number>;
  applied: string[];
}

/**
 * Exact row counts of every user table and the applied migrations, read through `query` — a one-off
 * psql or a session holding an exported snapshot, so the same reading serves backup and restore.
 */
export async function readTableContents(query: (sql: string) => Promise<string[][]>): Promise<TableContents> {
  const tables = (await query(TABLES_QUERY)).map((r) => [r[0]!, r[1]!] as [string, string]);
  const counts = await query(countsQuery(tables));
  const hasMigrations = tables.some(([s, t]) => s === 'public' && t === 'schema_migrations');
  const applied = hasMigrations
    ? (await query('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r[0]!)
    : [];
  return { tables: Object.fromEntries(counts.map((r) => [r[0]!, Number(r[1])])), applied };
}

/** Differences between what a manifest promises and what a restored database holds. */
export function compareWithManifest(
  expected: { tables: Record<string, number>; applied: string[] },
  actual: { tables: Record<string, number>; applied: string[] },
): string[] {
  const diffs: string[] = [];
  for (const [name, rows] of Object.entries(expected.tables)) {
    const got = actual.tables[name];
    if (got === undefined) diffs.push(`table ${name} is missing`);
    else if (got !== rows) diffs.push(`table ${name} has ${got} rows, the manifest says ${rows}`);
  }
  for (const name of Object.keys(actual.tables)) {
    if (!(name in expected.tables)) diffs.push(`table ${name} is not in the manifest`);
  }
  if (expected.applied.join(',') !== actual.applied.join(',')) {
    diffs.push(
      `schema_migrations differs: manifest head ${expected.applied.at(-1) ?? 'none'} (${expected.applied.length}), restored head ${actual.applied.at(-1) ?? 'none'} (${actual.applied.length})`,
    );
  }
  return diffs;
}
