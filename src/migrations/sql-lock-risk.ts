import { alterTableLockRisk } from './alter-table-lock-risk';
import type { SqlContext, SqlLockFinding } from './lock-finding';
import { firstWords, SQL_NAME, splitSql, tableName } from './sql-text';

export type { SqlContext, SqlLockFinding } from './lock-finding';

/** Classifies each statement of `sql`, in order, adding tables it creates to `ctx.newTables`. */
export function classifySql(sql: string, ctx: SqlContext): SqlLockFinding[] {
  return splitSql(sql).map((stmt) => {
    const finding = classifyStatement(stmt, ctx);
    if (finding.createsTable) ctx.newTables.add(finding.createsTable);
    return finding;
  });
}

type Rule = [RegExp, (m: RegExpExecArray, s: string, ctx: SqlContext) => SqlLockFinding];

const rx = (pattern: string) => new RegExp(pattern, 'i');
const filtered = (s: string) => / WHERE /i.test(s);

// First match wins; order matters where patterns overlap (CONCURRENTLY before the plain form).
const RULES: Rule[] = [
  [
    rx(
      `^CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(?:${SQL_NAME} )?ON (?:ONLY )?${SQL_NAME}`,
    ),
    (m, _s, ctx) => {
      const table = tableName(m[3]!);
      if (m[1]) {
        return {
          risk: 'low',
          why: `CREATE INDEX CONCURRENTLY on ${table} lets reads and writes go on, but waits for open transactions`,
          needsNoTransaction: true,
        };
      }
      if (ctx.newTables.has(table))
        return { risk: 'none', why: `the index is on ${table}, created in this migration` };
      return {
        risk: 'high',
        why: `CREATE INDEX without CONCURRENTLY blocks writes to ${table} until the index is built`,
      };
    },
  ],
  [
    rx(`^CREATE (?:(?:GLOBAL |LOCAL )?(?:TEMP|TEMPORARY) |UNLOGGED )?TABLE (?:IF NOT EXISTS )?${SQL_NAME}`),
    (m) => {
      const table = tableName(m[1]!);
      return {
        risk: 'none',
        why: `CREATE TABLE ${table} makes a new table; no existing rows are locked`,
        createsTable: table,
      };
    },
  ],
  [
    rx(`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?${SQL_NAME} (.*)$`),
    (m, _s, ctx) => alterTableLockRisk(tableName(m[1]!), m[2]!, ctx),
  ],
  [
    rx(`^UPDATE (?:ONLY )?${SQL_NAME}`),
    (m, s, ctx) => {
      const table = tableName(m[1]!);
      if (ctx.newTables.has(table))
        return { risk: 'none', why: `it updates ${table}, created in this migration` };
      return filtered(s)
        ? { risk: 'low', why: `UPDATE … WHERE locks the matching rows of ${table}` }
        : { risk: 'high', why: `UPDATE without WHERE rewrites every row of ${table} in one statement` };
    },
  ],
  [
    rx(`^DELETE FROM (?:ONLY )?${SQL_NAME}`),
    (m, s) =>
      filtered(s)
        ? {
            risk: 'low',
            why: `DELETE … WHERE locks the matching rows of ${tableName(m[1]!)}`,
            destroys: `rows of ${tableName(m[1]!)}`,
          }
        : {
            risk: 'high',
            why: `DELETE without WHERE touches every row of ${tableName(m[1]!)}`,
            destroys: `rows of ${tableName(m[1]!)}`,
          },
  ],
  [
    rx(`^TRUNCATE (?:TABLE )?(?:ONLY )?${SQL_NAME}`),
    (m) => ({
      risk: 'high',
      why: `TRUNCATE takes an ACCESS EXCLUSIVE lock and empties ${tableName(m[1]!)}`,
      destroys: `rows of ${tableName(m[1]!)}`,
    }),
  ],
  [
    rx(`^LOCK (?:TABLE )?(?:ONLY )?${SQL_NAME}`),
    (m) => ({
      risk: 'high',
      why: `LOCK TABLE ${tableName(m[1]!)} holds the lock until the migration commits`,
    }),
  ],
  [/^INSERT INTO /i, () => ({ risk: 'none', why: 'INSERT adds rows without locking existing ones' })],
  [
    /^DROP INDEX CONCURRENTLY /i,
    () => ({
      risk: 'none',
      why: 'DROP INDEX CONCURRENTLY does not block the table',
      needsNoTransaction: true,
    }),
  ],
  [
    rx(`^DROP (TABLE|INDEX) (?:IF EXISTS )?${SQL_NAME}`),
    (m) => ({
      risk: 'low',
      why: `DROP ${m[1]!.toUpperCase()} ${tableName(m[2]!)} takes a brief ACCESS EXCLUSIVE lock`,
      ...(m[1]!.toUpperCase() === 'TABLE' ? { destroys: `table ${tableName(m[2]!)}` } : {}),
    }),
  ],
  [
    /^(REFRESH MATERIALIZED VIEW CONCURRENTLY|REINDEX .*CONCURRENTLY)/i,
    (_m, s) => ({ risk: 'low', why: `${firstWords(s, 3)} lets reads and writes go on` }),
  ],
  [
    /^(REFRESH MATERIALIZED VIEW|CLUSTER|VACUUM FULL|REINDEX)\b/i,
    (_m, s) => ({
      risk: 'high',
      why: `${firstWords(s, 3)} holds an exclusive lock while it rewrites or rebuilds`,
    }),
  ],
  [
    /^(CREATE (OR REPLACE )?TRIGGER|(CREATE|ALTER|DROP) POLICY|ALTER TYPE \S+ (ADD|RENAME) VALUE|COMMENT ON|DROP (VIEW|MATERIALIZED VIEW|FUNCTION|PROCEDURE|TRIGGER|TYPE|SEQUENCE|EXTENSION|SCHEMA|DOMAIN)|ALTER (INDEX|SEQUENCE|VIEW|FUNCTION|SCHEMA))\b/i,
    (_m, s) => ({ risk: 'low', why: `${firstWords(s, 3)} takes a brief lock` }),
  ],
  [
    /^(CREATE (OR REPLACE )?(FUNCTION|PROCEDURE|VIEW|MATERIALIZED VIEW|TYPE|SEQUENCE|EXTENSION|SCHEMA|DOMAIN|ROLE|STATISTICS)|GRANT|REVOKE|ALTER DEFAULT PRIVILEGES|ALTER ROLE|SELECT|SET|RESET|ANALYZE|VACUUM)\b/i,
    (_m, s) => ({ risk: 'none', why: `${firstWords(s, 3)} does not lock existing rows` }),
  ],
  [/^DO\b/i, () => ({ risk: 'unknown', why: 'a DO block runs procedural code that cannot be read here' })],
];

function classifyStatement(s: string, ctx: SqlContext): SqlLockFinding {
  for (const [pattern, classify] of RULES) {
    const m = pattern.exec(s);
    if (m) return classify(m, s, ctx);
  }
  return { risk: 'unknown', why: `cannot tell what "${firstWords(s, 6)}" locks` };
}
