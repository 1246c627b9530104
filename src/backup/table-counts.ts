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
