import { combineRisk, type SqlContext, type SqlLockFinding } from './lock-finding';
import { firstWords, SQL_NAME, tableName } from './sql-text';

type Rule = [RegExp, (m: RegExpExecArray, table: string) => SqlLockFinding];

const VOLATILE =
  /\b(gen_random_uuid|uuidv7|uuidv4|uuid_generate_v\w*|random|clock_timestamp|timeofday|nextval|txid_current)\s*\(/i;

function addColumn(table: string, col: string, rest: string): SqlLockFinding {
  if (
    VOLATILE.test(rest) ||
    /^(small|big)?serial\b/i.test(rest) ||
    /\b(GENERATED|PRIMARY KEY|UNIQUE)\b/i.test(rest)
  ) {
    return {
      risk: 'high',
      why: `adding ${col} as written makes Postgres rewrite or scan all of ${table} under an ACCESS EXCLUSIVE lock`,
    };
  }
  if (/\bDEFAULT\b/i.test(rest)) {
    return {
      risk: 'low',
      why: `adding ${col} to ${table} with a constant default is catalog-only on Postgres 11+ (a brief ACCESS EXCLUSIVE lock)`,
    };
  }
  if (/\bNOT NULL\b/i.test(rest)) {
    return {
      risk: 'low',
      why: `adding NOT NULL column ${col} without a default is catalog-only, but fails if ${table} has rows`,
    };
  }
  if (/\bREFERENCES\b/i.test(rest)) {
    return {
      risk: 'low',
      why: `adding ${col} with a foreign key briefly locks ${table} and the table it references`,
    };
  }
  return { risk: 'none', why: `adding nullable column ${col} to ${table} without a default is catalog-only` };
}

// First match wins: constraints before columns, since `ADD CONSTRAINT x …` would also read as a column.
const RULES: Rule[] = [
  [
    /^ADD (CONSTRAINT \S+ )?(PRIMARY KEY|UNIQUE|CHECK|FOREIGN KEY|EXCLUDE)\b/i,
    (m, table) => {
      const s = m.input;
      if (/ NOT VALID$/i.test(s))
        return { risk: 'low', why: `a NOT VALID constraint on ${table} skips checking existing rows` };
      if (/ USING INDEX /i.test(s))
        return { risk: 'low', why: `the constraint on ${table} reuses an existing index` };
      return {
        risk: 'high',
        why: `ADD CONSTRAINT checks every row of ${table} while holding a lock that blocks writes`,
      };
    },
  ],
  [
    new RegExp(`^ADD (?:COLUMN )?(?:IF NOT EXISTS )?${SQL_NAME} (.*)$`, 'i'),
    (m, table) => addColumn(table, tableName(m[1]!), m[2]!),
  ],
  [
    /^ALTER (COLUMN )?\S+ (SET DATA )?TYPE /i,
    (_m, table) => ({
      risk: 'high',
      why: `changing a column type rewrites ${table} under an ACCESS EXCLUSIVE lock`,
    }),
  ],
  [
    /^ALTER (COLUMN )?\S+ SET NOT NULL/i,
    (_m, table) => ({
      risk: 'high',
      why: `SET NOT NULL scans every row of ${table} under an ACCESS EXCLUSIVE lock`,
    }),
  ],
  [
    new RegExp(`^DROP (?:COLUMN )?(?:IF EXISTS )?(?!CONSTRAINT )${SQL_NAME}`, 'i'),
    (m, table) => ({
      risk: 'low',
      why: `DROP COLUMN ${tableName(m[1]!)} on ${table} is catalog-only (a brief lock)`,
      destroys: `${table}.${tableName(m[1]!)}`,
    }),
  ],
  [
    /^(ALTER (COLUMN )?\S+ (DROP NOT NULL|SET DEFAULT|DROP DEFAULT|SET STATISTICS|SET STORAGE)|DROP |VALIDATE CONSTRAINT|RENAME |(ENABLE|DISABLE|FORCE|NO FORCE) ROW LEVEL SECURITY|(ENABLE|DISABLE) TRIGGER|OWNER TO|SET \(|RESET \()/i,
    (m, table) => ({
      risk: 'low',
      why: `${firstWords(m.input, 3)} on ${table} is catalog-only (a brief lock)`,
    }),
  ],
  [
    /^(SET TABLESPACE|SET LOGGED|SET UNLOGGED|SET ACCESS METHOD|CLUSTER ON)/i,
    (m, table) => ({
      risk: 'high',
      why: `${firstWords(m.input, 2)} rewrites ${table} under an ACCESS EXCLUSIVE lock`,
    }),
  ],
];

function action(table: string, text: string): SqlLockFinding {
  for (const [pattern, classify] of RULES) {
    const m = pattern.exec(text);
    if (m) return classify(m, table);
  }
  return { risk: 'unknown', why: `cannot tell what ALTER TABLE ${table} ${firstWords(text, 4)} locks` };
}

/** The lock risk of `ALTER TABLE <table> <actions>`: the most worrying of its comma-separated actions. */
export function alterTableLockRisk(table: string, actions: string, ctx: SqlContext): SqlLockFinding {
  if (ctx.newTables.has(table)) return { risk: 'none', why: `it alters ${table}, created in this migration` };
  const findings = splitTopLevel(actions).map((a) => action(table, a));
  const risk = combineRisk(findings.map((f) => f.risk));
  return (
    findings.find((f) => f.risk === risk) ?? { risk: 'unknown', why: `ALTER TABLE ${table} names no action` }
  );
}

/** Splits an action list at commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current.trim());
  return out.filter((a) => a !== '');
}
