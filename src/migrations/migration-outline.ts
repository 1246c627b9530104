import { isPunct, isWord, matchingClose, splitStatements } from './elixir-syntax';
import { type Comment, type Token, tokenizeElixir } from './elixir-tokens';

/** A `def`/`defp` of the migration module and the tokens of its body. */
export interface FunctionDef {
  name: string;
  private: boolean;
  line: number;
  body: Token[];
}

/** What a migration file declares, read without evaluating it. */
export interface MigrationOutline {
  module: { name: string; line: number } | null;
  /** The `@moduledoc` text and the line its first line of text is on. */
  moduledoc: { text: string; line: number } | null;
  /** Module attributes (`@disable_ddl_transaction true`) by name: the tokens of the value. */
  attributes: Map<string, { value: Token[]; line: number }>;
  /** Functions in file order; a name defined twice (multiple clauses) appears twice. */
  defs: FunctionDef[];
  comments: Comment[];
  /** False when a literal never closes or `defmodule … do` has no matching `end`. */
  complete: boolean;
}

/** Reads the module, its attributes, its moduledoc and its functions out of an `.exs` source. */
export function outlineMigration(source: string): MigrationOutline {
  const { tokens, comments, complete } = tokenizeElixir(source);
  const outline: MigrationOutline = {
    module: null,
    moduledoc: null,
    attributes: new Map(),
    defs: [],
    comments,
    complete,
  };
  const start = tokens.findIndex((t) => isWord(t, 'defmodule'));
  if (start < 0) return outline;
  let i = start + 1;
  let name = '';
  while (i < tokens.length && !isWord(tokens[i], 'do')) {
    if (tokens[i]!.kind !== 'newline') name += tokens[i]!.text;
    i++;
  }
  if (i >= tokens.length) return { ...outline, complete: false };
  outline.module = { name, line: tokens[start]!.line };
  const close = matchingClose(tokens, i);
  if (close >= tokens.length) outline.complete = false;

  for (const stmt of splitStatements(tokens.slice(i + 1, close))) {
    const head = stmt[0]!;
    if (isPunct(head, '@') && stmt[1]?.kind === 'word') {
      const attr = stmt[1].text;
      const value = stmt.slice(2);
      if (!outline.attributes.has(attr)) outline.attributes.set(attr, { value, line: head.line });
      if (attr === 'moduledoc' && value[0]?.kind === 'string' && outline.moduledoc === null) {
        // A heredoc's text starts on the line after its opening quotes.
        const heredoc = /^(~[A-Za-z]+)?("""|''')/.test(value[0].text);
        outline.moduledoc = { text: value[0].value, line: value[0].line + (heredoc ? 1 : 0) };
      }
      continue;
    }
    if ((isWord(head, 'def') || isWord(head, 'defp')) && stmt[1]?.kind === 'word') {
      outline.defs.push({
        name: stmt[1].text,
        private: head.text === 'defp',
        line: head.line,
        body: defBody(stmt),
      });
    }
  }
  return outline;
}

/** The body of `def name[(args)] [when guard] do … end` or `def name[(args)], do: expr`. */
function defBody(stmt: Token[]): Token[] {
  let i = 2;
  if (isPunct(stmt[i], '(')) i = matchingClose(stmt, i) + 1;
  while (i < stmt.length && !isWord(stmt[i], 'do') && !(stmt[i]!.kind === 'key' && stmt[i]!.value === 'do')) {
    i++;
  }
  if (i >= stmt.length) return [];
  if (stmt[i]!.kind === 'key') return stmt.slice(i + 1);
  return stmt.slice(i + 1, matchingClose(stmt, i));
}
