import {
  type Call,
  isWord,
  keywordArg,
  parseCall,
  positionalArgs,
  renderTokens,
  splitStatements,
} from './elixir-syntax';
import type { Token } from './elixir-tokens';
import type { Command, CommandContext } from './migration-commands';
import type { SqlLockFinding } from './sql-lock-risk';

const VOLATILE = /\b(gen_random_uuid|uuidv7|uuidv4|uuid_generate_v\w*|random|clock_timestamp|nextval)\s*\(/i;
const OK = { ok: true } as const;

/**
 * Reads Ecto's migration DSL: `create`/`drop`/`rename` of tables, indexes and constraints, and the
 * `add`/`modify`/`remove` lines of an `alter table(…) do … end`. Returns null for any other call.
 * Reversal follows Ecto's rules for `change/0`.
 */
export function readEctoDsl(call: Call, stmt: Token[], ctx: CommandContext): Command[] | null {
  const what = renderTokens(stmt);
  const cmd = (locks: SqlLockFinding[], reverse: Command['reverse']): Command[] => [
    { line: call.line, what, locks, reverse, raises: false },
  ];
  const target = parseCall(call.args[0] ?? []);
  switch (call.name) {
    case 'create':
    case 'create_if_not_exists': {
      if (target === null) return null;
      const table = tableOf(target);
      if (target.name === 'table') {
        ctx.newTables.add(table);
        return cmd([{ risk: 'none', why: `it creates table ${table}`, createsTable: table }], OK);
      }
      if (target.name === 'index' || target.name === 'unique_index') {
        const concurrently = isTrue(keywordArg(target.args, 'concurrently'));
        if (concurrently) {
          return cmd(
            [
              {
                risk: 'low',
                why: `concurrently: true lets reads and writes to ${table} go on while the index builds`,
                needsNoTransaction: true,
              },
            ],
            OK,
          );
        }
        if (ctx.newTables.has(table))
          return cmd([{ risk: 'none', why: `${table} is created in this migration` }], OK);
        return cmd(
          [
            {
              risk: 'high',
              why: `without concurrently: true it blocks writes to ${table} until the index is built`,
            },
          ],
          OK,
        );
      }
      if (target.name === 'constraint') {
        if (ctx.newTables.has(table))
          return cmd([{ risk: 'none', why: `${table} is created in this migration` }], OK);
        const unchecked = isFalse(keywordArg(target.args, 'validate'));
        return cmd(
          [
            unchecked
              ? { risk: 'low', why: `validate: false skips checking the existing rows of ${table}` }
              : {
                  risk: 'high',
                  why: `it checks every row of ${table} while holding a lock that blocks writes`,
                },
          ],
          OK,
        );
      }
      return null;
    }
    case 'drop':
    case 'drop_if_exists': {
      if (target === null) return null;
      const table = tableOf(target);
      if (target.name === 'table') {
        return cmd(
          [
            {
              risk: 'low',
              why: `dropping ${table} takes a brief ACCESS EXCLUSIVE lock`,
              destroys: `table ${table}`,
            },
          ],
          {
            ok: false,
            why: 'Ecto cannot recreate a dropped table inside change/0',
          },
        );
      }
      if (target.name === 'index' || target.name === 'unique_index') {
        const concurrently = isTrue(keywordArg(target.args, 'concurrently'));
        return cmd(
          [
            concurrently
              ? {
                  risk: 'none',
                  why: 'dropping an index concurrently does not block the table',
                  needsNoTransaction: true,
                }
              : { risk: 'low', why: `dropping an index takes a brief ACCESS EXCLUSIVE lock on ${table}` },
          ],
          OK,
        );
      }
      if (target.name === 'constraint') {
        const known = keywordArg(target.args, 'check') ?? keywordArg(target.args, 'exclude');
        return cmd(
          [{ risk: 'low', why: `dropping a constraint takes a brief lock on ${table}` }],
          known
            ? OK
            : { ok: false, why: 'the dropped constraint has no check: or exclude: to recreate it from' },
        );
      }
      return null;
    }
    case 'rename':
      if (target === null) return null;
      return cmd([{ risk: 'low', why: `a rename on ${tableOf(target)} is catalog-only (a brief lock)` }], OK);
    case 'alter': {
      if (target?.name !== 'table' || call.block === null) return null;
      const table = tableOf(target);
      return splitStatements(call.block).map((inner) => alterLine(table, inner, ctx));
    }
    default:
      return null;
  }
}

function alterLine(table: string, stmt: Token[], ctx: CommandContext): Command {
  const what = `alter table(:${table}): ${renderTokens(stmt, 56)}`;
  const line = stmt[0]!.line;
  const call = parseCall(stmt);
  const make = (lock: SqlLockFinding, reverse: Command['reverse']): Command => ({
    line,
    what,
    locks: [ctx.newTables.has(table) ? { risk: 'none', why: `${table} is created in this migration` } : lock],
    reverse,
    raises: false,
  });
  const positional = call ? positionalArgs(call.args) : [];
  const column = positional[0]?.[0]?.value ?? '?';
  switch (call?.name) {
    case 'add':
    case 'add_if_not_exists':
      return make(addColumn(table, column, call.args), OK);
    case 'timestamps':
      return make(
        {
          risk: 'low',
          why: `timestamps() adds NOT NULL columns without a default: catalog-only, but fails if ${table} has rows`,
        },
        OK,
      );
    case 'modify':
      return make(
        {
          risk: 'high',
          why: `modify changes the type of ${table}.${column}, which can rewrite the table under an ACCESS EXCLUSIVE lock`,
        },
        keywordArg(call.args, 'from')
          ? OK
          : { ok: false, why: 'modify without from: gives Ecto no type to go back to' },
      );
    case 'remove':
    case 'remove_if_exists':
      return make(
        {
          risk: 'low',
          why: `removing ${table}.${column} is catalog-only (a brief ACCESS EXCLUSIVE lock)`,
          destroys: `${table}.${column}`,
        },
        positional.length >= 2
          ? OK
          : { ok: false, why: 'remove without a type gives Ecto no column to add back' },
      );
    default:
      return {
        line,
        what,
        locks: [{ risk: 'unknown', why: `cannot tell what ${renderTokens(stmt, 40)} does to ${table}` }],
        reverse: { ok: false, why: 'Ecto cannot reverse a statement it does not know' },
        raises: false,
      };
  }
}

function addColumn(table: string, column: string, args: Token[][]): SqlLockFinding {
  const type = positionalArgs(args)[1] ?? [];
  const dflt = keywordArg(args, 'default');
  const rewrites =
    (type[0]?.kind === 'atom' && ['serial', 'bigserial', 'identity'].includes(type[0].value)) ||
    isTrue(keywordArg(args, 'primary_key')) ||
    (dflt?.some((t) => t.kind === 'string' && VOLATILE.test(t.value)) ?? false);
  if (rewrites) {
    return {
      risk: 'high',
      why: `adding ${table}.${column} as written rewrites or scans all of ${table} under an ACCESS EXCLUSIVE lock`,
    };
  }
  if (dflt) {
    return {
      risk: 'low',
      why: `adding ${table}.${column} with a constant default is catalog-only on Postgres 11+ (a brief ACCESS EXCLUSIVE lock)`,
    };
  }
  if (isFalse(keywordArg(args, 'null'))) {
    return {
      risk: 'low',
      why: `adding NOT NULL ${table}.${column} without a default is catalog-only, but fails if ${table} has rows`,
    };
  }
  if (isWord(type[0], 'references')) {
    return {
      risk: 'low',
      why: `adding ${table}.${column} with a foreign key briefly locks ${table} and the table it references`,
    };
  }
  return { risk: 'none', why: `adding nullable ${table}.${column} without a default is catalog-only` };
}

/** `table(:notes)`, `index("notes", …)` → `notes`. */
function tableOf(call: Call): string {
  const first = positionalArgs(call.args)[0]?.[0];
  return first && (first.kind === 'atom' || first.kind === 'string') ? first.value : '?';
}

function isTrue(value: Token[] | undefined): boolean {
  return value?.length === 1 && isWord(value[0], 'true');
}

function isFalse(value: Token[] | undefined): boolean {
  return value?.length === 1 && isWord(value[0], 'false');
}
