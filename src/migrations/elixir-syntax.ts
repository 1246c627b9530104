import type { Token } from './elixir-tokens';

/** A call as written at the start of a statement: `execute(…)`, `create index(…)`, `alter table(:x) do … end`. */
export interface Call {
  /** The callee as written, dots and empty parens kept: `execute`, `repo().query!`, `Repo.update_all`. */
  name: string;
  line: number;
  /** Arguments split at top-level commas; keyword arguments each form one entry (`concurrently: true`). */
  args: Token[][];
  /** The `do … end` (or `do:`) body attached to the call. */
  block: Token[] | null;
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const CONTINUES = new Set([
  ',',
  '=',
  '|>',
  '<>',
  '++',
  '&&',
  '||',
  '->',
  '\\\\',
  '(',
  '[',
  '{',
  '+',
  '-',
  '*',
  '/',
  '.',
]);

export function opens(t: Token): boolean {
  return t.kind === 'punct' ? OPENERS.has(t.text) : t.kind === 'word' && (t.text === 'do' || t.text === 'fn');
}

export function closes(t: Token): boolean {
  return t.kind === 'punct' ? CLOSERS.has(t.text) : t.kind === 'word' && t.text === 'end';
}

export function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}

export function isWord(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'word' && t.text === text;
}

/** Index of the token closing the opener at `open`, or `tokens.length` when it never closes. */
export function matchingClose(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (opens(t)) depth++;
    else if (closes(t) && --depth === 0) return i;
  }
  return tokens.length;
}

function significant(tokens: Token[], from: number, step: 1 | -1): Token | undefined {
  for (let i = from; i >= 0 && i < tokens.length; i += step) {
    if (tokens[i]!.kind !== 'newline') return tokens[i];
  }
  return undefined;
}

/**
 * Splits a block body into statements: a newline or `;` at depth 0 ends one, unless the line ends
 * with an operator or comma, or the next line starts with a pipe or a dot.
 */
export function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (depth === 0 && (t.kind === 'newline' || isPunct(t, ';'))) {
      const before = significant(current, current.length - 1, -1);
      const after = significant(tokens, i + 1, 1);
      const carries =
        (before?.kind === 'punct' && CONTINUES.has(before.text)) ||
        before?.kind === 'key' ||
        isPunct(after, '|>') ||
        isPunct(after, '.');
      if (!carries || isPunct(t, ';')) {
        if (current.some((c) => c.kind !== 'newline')) out.push(current);
        current = [];
      }
      continue;
    }
    if (opens(t)) depth++;
    else if (closes(t)) depth = Math.max(0, depth - 1);
    current.push(t);
  }
  if (current.some((c) => c.kind !== 'newline')) out.push(current);
  // Newlines inside a statement stay: a `do … end` body is split again later.
  return out.map((s) => {
    let a = 0;
    let b = s.length;
    while (s[a]?.kind === 'newline') a++;
    while (b > a && s[b - 1]!.kind === 'newline') b--;
    return s.slice(a, b);
  });
}

/** Splits the tokens between a call's parentheses (or after a paren-less callee) at top-level commas. */
export function splitArgs(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'newline') continue;
    if (depth === 0 && isPunct(t, ',')) {
      out.push(current);
      current = [];
      continue;
    }
    if (opens(t)) depth++;
    else if (closes(t)) depth--;
    current.push(t);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Reads the call a statement starts with, or null when it starts with something else. */
export function parseCall(stmt: Token[]): Call | null {
  const first = stmt[0];
  if (first?.kind !== 'word' || ['do', 'end', 'fn', 'when'].includes(first.text)) return null;
  let name = first.text;
  let i = 1;
  for (;;) {
    if (isPunct(stmt[i], '(') && isPunct(stmt[i + 1], ')') && isPunct(stmt[i + 2], '.')) {
      name += '()';
      i += 2;
      continue;
    }
    if (isPunct(stmt[i], '.') && stmt[i + 1]?.kind === 'word') {
      name += `.${stmt[i + 1]!.text}`;
      i += 2;
      continue;
    }
    break;
  }
  // `x = …`, `a |> b` and other operators are not calls; `f(…)`, `f [..]`, `f %{…}`, `f @attr` are.
  const next = stmt[i];
  if (next?.kind === 'punct' && !['(', '[', '{', '%', '@', '&'].includes(next.text)) return null;
  let args: Token[][];
  let block: Token[] | null = null;
  if (isPunct(stmt[i], '(')) {
    const close = matchingClose(stmt, i);
    args = splitArgs(stmt.slice(i + 1, close));
    i = close + 1;
    if (isWord(stmt[i], 'do')) block = stmt.slice(i + 1, matchingClose(stmt, i));
  } else {
    let depth = 0;
    let j = i;
    for (; j < stmt.length; j++) {
      const t = stmt[j]!;
      if (depth === 0 && isWord(t, 'do')) break;
      if (opens(t)) depth++;
      else if (closes(t)) depth--;
    }
    args = splitArgs(stmt.slice(i, j));
    if (j < stmt.length) block = stmt.slice(j + 1, matchingClose(stmt, j));
  }
  const last = args[args.length - 1];
  if (block === null && last?.[0]?.kind === 'key' && last[0].value === 'do') {
    block = last.slice(1);
    args = args.slice(0, -1);
  }
  return { name, line: first.line, args, block };
}

/** The value tokens of keyword argument `key` among `args` (`concurrently: true` → `[true]`). */
export function keywordArg(args: Token[][], key: string): Token[] | undefined {
  for (const arg of args) {
    if (arg[0]?.kind === 'key' && arg[0].value === key) return arg.slice(1);
    // A trailing keyword list written with brackets: `[concurrently: true]`.
    if (isPunct(arg[0], '[') && arg[1]?.kind === 'key') {
      const inner = splitArgs(arg.slice(1, matchingClose(arg, 0)));
      const found = keywordArg(inner, key);
      if (found) return found;
    }
  }
  return undefined;
}

/** Positional (non-keyword) arguments. */
export function positionalArgs(args: Token[][]): Token[][] {
  return args.filter((a) => a[0]?.kind !== 'key');
}

/** Tokens written back as compact source, for evidence: `create index(:notes, [:tags])`. */
export function renderTokens(tokens: Token[], max = 72): string {
  let out = '';
  let prev: Token | undefined;
  for (const t of tokens) {
    if (t.kind === 'newline') continue;
    const glue =
      prev === undefined ||
      (t.kind === 'punct' && [')', ']', '}', ',', '.'].includes(t.text)) ||
      (prev.kind === 'punct' && ['(', '[', '{', '.', '@', '%'].includes(prev.text)) ||
      (t.kind === 'punct' && t.text === '(' && prev.kind === 'word');
    out +=
      (glue ? '' : ' ') +
      (t.kind === 'string' && t.text.startsWith('"""') ? `"${oneLine(t.value)}"` : t.text);
    prev = t;
  }
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
