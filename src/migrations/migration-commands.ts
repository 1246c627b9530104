import { readEctoDsl } from './ecto-dsl';
import {
  type Call,
  isPunct,
  isWord,
  oneLine,
  parseCall,
  positionalArgs,
  renderTokens,
  splitStatements,
} from './elixir-syntax';
import type { Token } from './elixir-tokens';
import type { MigrationOutline } from './migration-outline';
import { classifySql, type SqlLockFinding } from './sql-lock-risk';

/** One statement of a migration function and what running it means. */
export interface Command {
  line: number;
  /** The statement as written, shortened, for evidence. */
  what: string;
  /** What running it forward may lock; empty when it touches nothing. */
  locks: SqlLockFinding[];
  /** Whether Ecto can run it backward inside `change/0`, and why not. */
  reverse: { ok: true } | { ok: false; why: string };
  /** A `raise`: running the function fails here on purpose. */
  raises: boolean;
}

export interface CommandContext {
  outline: MigrationOutline;
  /** Tables created so far in the function being read. */
  newTables: Set<string>;
}

const INERT_CALLS = new Set(['flush', 'require', 'import', 'alias', 'use']);
const SQL_START =
  /^\s*(CREATE|ALTER|DROP|UPDATE|INSERT|DELETE|TRUNCATE|LOCK|GRANT|REVOKE|COMMENT|REFRESH|REINDEX|CLUSTER|VACUUM|DO|SELECT|WITH)\b/i;

/** Reads a function body into commands, following calls to the module's own helper functions. */
export function readCommands(
  body: Token[],
  ctx: CommandContext,
  inside: ReadonlySet<string> = new Set(),
): Command[] {
  const bindings = new Map<string, string>();
  const out: Command[] = [];
  for (const stmt of splitStatements(body)) {
    const head = stmt[0]!;
    if (head.kind === 'word' && isPunct(stmt[1], '=') && stmt.length === 3 && stmt[2]!.kind === 'string') {
      bindings.set(head.text, stmt[2]!.value);
      continue;
    }
    if (stmt.length === 1 && (head.kind === 'atom' || isWord(head, 'nil'))) continue;
    const call = parseCall(stmt);
    if (call === null) {
      out.push(opaque(stmt, ctx));
      continue;
    }
    out.push(...readCall(call, stmt, ctx, bindings, inside));
  }
  return out;
}

function readCall(
  call: Call,
  stmt: Token[],
  ctx: CommandContext,
  bindings: Map<string, string>,
  inside: ReadonlySet<string>,
): Command[] {
  const what = renderTokens(stmt);
  const base = { line: call.line, what, raises: false };
  const root = call.name.split('.')[0]!;
  if (INERT_CALLS.has(call.name) || root === 'Logger' || root === 'IO') {
    return [{ ...base, locks: [], reverse: { ok: true } }];
  }
  if (call.name === 'raise') {
    return [{ ...base, raises: true, locks: [], reverse: { ok: false, why: 'it raises' } }];
  }
  if (call.name === 'execute') {
    const positional = positionalArgs(call.args);
    const sql = sqlOf(positional[0] ?? [], ctx, bindings);
    const reverse =
      positional.length >= 2
        ? ({ ok: true } as const)
        : { ok: false as const, why: 'execute/1 gives Ecto no SQL to run backward' };
    if (sql === null) return [{ ...opaque(stmt, ctx), reverse }];
    const shown = `execute/${Math.min(positional.length, 2)} "${quoteSql(sql, 56)}"`;
    return [{ ...base, what: shown, locks: classifySql(sql, ctx), reverse }];
  }
  if (/(^|\.)query!?$/.test(call.name) && call.name.includes('.')) {
    const sql = sqlOf(positionalArgs(call.args)[0] ?? [], ctx, bindings);
    if (sql === null) return [opaque(stmt, ctx)];
    return [
      {
        ...base,
        locks: classifySql(sql, ctx),
        reverse: { ok: false, why: 'a repo query runs forward only' },
      },
    ];
  }
  if (/\.(update_all|delete_all)$/.test(call.name)) {
    const filtered = stmt.some((t) => isWord(t, 'where') || (t.kind === 'key' && t.value === 'where'));
    const lock: SqlLockFinding = filtered
      ? { risk: 'low', why: 'a filtered bulk write through Ecto.Query locks the matching rows' }
      : { risk: 'high', why: 'an unfiltered bulk write through Ecto.Query touches every row of the table' };
    return [{ ...base, locks: [lock], reverse: { ok: false, why: 'a bulk write runs forward only' } }];
  }
  const dsl = readEctoDsl(call, stmt, ctx);
  if (dsl) return dsl;
  const helper = ctx.outline.defs.find(
    (d) => d.name === call.name && !['up', 'down', 'change'].includes(d.name),
  );
  if (helper && !inside.has(helper.name)) {
    return readCommands(helper.body, ctx, new Set([...inside, helper.name]));
  }
  return [opaque(stmt, ctx)];
}

/**
 * A statement this reader does not model. SQL string literals inside it (a loop of `execute`s, a
 * `repo().query!` in an anonymous function) are still classified; with none, its lock risk is unknown.
 */
function opaque(stmt: Token[], ctx: CommandContext): Command {
  const what = renderTokens(stmt);
  const sql = stmt.filter((t) => t.kind === 'string' && SQL_START.test(t.value));
  const locks: SqlLockFinding[] = sql.flatMap((t) => classifySql(t.value, ctx));
  if (locks.length === 0) locks.push({ risk: 'unknown', why: `cannot tell what ${what} does` });
  return {
    line: stmt[0]!.line,
    what,
    locks,
    raises: false,
    reverse: { ok: false, why: 'Ecto cannot reverse a statement it does not know' },
  };
}

/** The SQL text of an argument: a literal, a `<>` concatenation, a bound variable or a module attribute. */
function sqlOf(arg: Token[], ctx: CommandContext, bindings: Map<string, string>): string | null {
  const parts: string[] = [];
  for (let i = 0; i < arg.length; i++) {
    const t = arg[i]!;
    if (t.kind === 'string') parts.push(t.value);
    else if (t.kind === 'word' && bindings.has(t.text)) parts.push(bindings.get(t.text)!);
    else if (isPunct(t, '@') && arg[i + 1]?.kind === 'word') {
      const value = ctx.outline.attributes.get(arg[i + 1]!.text)?.value[0];
      if (value?.kind !== 'string') return null;
      parts.push(value.value);
      i++;
    } else if (!isPunct(t, '<>')) return null;
  }
  return parts.length > 0 ? parts.join('') : null;
}

/** A SQL statement shortened for a sentence. */
function quoteSql(sql: string, max = 60): string {
  const s = oneLine(sql);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
