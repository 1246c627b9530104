import { InvalidInputError } from '../errors/upgrade-error';
import { type EnvQuote, scanQuoted, unescapeDouble } from './env-quote';
import { type EnvInput, interpolate, lookupIn } from './interpolate';

interface LineBase {
  /** 1-based number of the line the statement starts on. */
  line: number;
  /** The statement as written, without its final line break (a quoted value may span lines). */
  text: string;
  /** The line break after `text`: `\n`, `\r\n`, or empty on a last line without one. */
  eol: string;
}

/** `NAME=value` (or compose's `NAME: value`, optionally after `export `). */
export interface EnvEntryLine extends LineBase {
  kind: 'entry';
  name: string;
  /** The value as docker compose reads it (quotes removed, escapes and `${…}` resolved). */
  value: string;
  quote: EnvQuote;
  /** Everything before the value: indentation, `export `, the name, the separator and spaces. */
  head: string;
  /** Index of the name in `text`. */
  nameAt: number;
  /** The value as written, quotes included. */
  valueText: string;
  /** What follows the value on its last line: spaces and an inline comment. */
  tail: string;
}

/** A bare `NAME`: compose takes the value from the environment it runs in, if set there. */
export interface EnvInheritLine extends LineBase {
  kind: 'inherit';
  name: string;
}

export interface EnvBlankLine extends LineBase {
  kind: 'blank';
}

export interface EnvCommentLine extends LineBase {
  kind: 'comment';
}

export type EnvLine = EnvEntryLine | EnvInheritLine | EnvBlankLine | EnvCommentLine;

export interface ParsedEnvFile {
  /** Effective values, in first-definition order; a later definition of a name wins, as in compose. */
  entries: Map<string, string>;
  /** Every statement of the file; `renderEnvFile` joins them back into the exact text. */
  lines: EnvLine[];
  /** The file started with a UTF-8 byte order mark (compose skips it; it is kept on rendering). */
  bom: boolean;
}

export interface ParseEnvFileOptions {
  /**
   * The environment compose runs in: `${NAME}` in a value looks here first, then at names defined
   * earlier in the file, and a bare `NAME` line takes its value from here.
   * @default {}
   */
  environment?: EnvInput;
  /** Named in error messages. @default '.env' */
  path?: string;
}

// Go's unicode.IsSpace, and compose's narrower "space but not a line break".
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const INLINE_SPACE = /[\t\v\f\r \u0085\u00a0]/;
const NAME_CHAR = /[\p{L}\p{N}_.\-[\]]/u;
const EXPORT = /^export(?:[\t\f\r ]+|$)/;
const AFTER_QUOTE = /^[\t\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(#.*)?$/;

/**
 * Reads a `.env` file the way docker compose (compose-go's dotenv parser) does, and keeps every line so
 * the file can be edited without disturbing comments, blank lines, order or quoting:
 *
 * - `NAME=value` and `NAME: value`; spaces around the separator are ignored.
 * - `export NAME=value` is accepted, as compose accepts it (the prefix is dropped when reading and kept
 *   when editing), so a file that a shell also sources keeps working.
 * - Bare values end at the line break or at the first ` #` (space, hash), and are trimmed. `$NAME`,
 *   `${NAME…}` and `$$` are interpolated.
 * - Single-quoted values are literal (a backslash only escapes the quote) and may span lines.
 * - Double-quoted values may span lines, unescape `\n`, `\r`, `\t`, `\"`, `\\`, `\$` and the other C
 *   escapes, then interpolate.
 * - A bare `NAME` line takes the value from `environment`, if set there.
 *
 * Where compose would quietly misread a line (text after a closing quote that it would take for another
 * variable, a space inside a name, a lone `export`), this refuses rather than guesses.
 *
 * @throws InvalidInputError naming the line, for text compose rejects or would misread.
 */
export function parseEnvFile(text: string, options: ParseEnvFileOptions = {}): ParsedEnvFile {
  const path = options.path ?? '.env';
  const environment = lookupIn(options.environment ?? {});
  const bom = text.startsWith('\uFEFF');
  const src = bom ? text.slice(1) : text;
  const entries = new Map<string, string>();
  const lookup = (name: string) => environment(name) ?? entries.get(name);
  const lines: EnvLine[] = [];
  let pos = 0;
  let line = 1;
  const fail = (at: number, message: string, hint: string, cause?: unknown) =>
    new InvalidInputError({ message: `${path} line ${at}: ${message}`, hint, cause });
  const resolve = (template: string, at: number) => {
    try {
      return interpolate(template, lookup);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      throw fail(at, error.summary, error.hint ?? 'Fix the variable reference', error);
    }
  };

  while (pos < src.length) {
    const end = lineEnd(src, pos);
    const physical = src.slice(pos, end.content);
    const first = indexOfNonSpace(physical);
    if (first === -1 || physical[first] === '#') {
      lines.push({ kind: first === -1 ? 'blank' : 'comment', line, text: physical, eol: end.eol });
      pos = end.next;
      line += 1;
      continue;
    }
    let i = pos + first;
    const exported = EXPORT.exec(src.slice(i, end.content));
    if (exported) i += exported[0].length;
    while (i < end.content && INLINE_SPACE.test(src[i]!)) i += 1;
    if (exported && i === end.content) {
      throw fail(line, 'a lone "export" with no variable after it', 'Remove the line or complete it');
    }
    const nameAt = i;
    let j = i;
    while (j < end.content && src[j] !== '=' && src[j] !== ':') {
      const ch = String.fromCodePoint(src.codePointAt(j)!);
      if (!INLINE_SPACE.test(ch) && !NAME_CHAR.test(ch)) {
        throw fail(
          line,
          `${JSON.stringify(ch)} cannot appear in a variable name (${JSON.stringify(physical.trim())})`,
          'Write each variable as NAME=value on its own line; start comments with #',
        );
      }
      j += ch.length;
    }
    const name = trimEndGo(src.slice(nameAt, j));
    if (name === '') throw fail(line, 'a value with no variable name', 'Write it as NAME=value');
    if (GO_SPACE.test(name)) {
      throw fail(line, `the variable name ${JSON.stringify(name)} contains a space`, 'Remove the space');
    }
    if (j === end.content) {
      const value = environment(name);
      if (value !== undefined) entries.set(name, value);
      lines.push({ kind: 'inherit', line, text: physical, eol: end.eol, name });
      pos = end.next;
      line += 1;
      continue;
    }
    let v = j + 1;
    while (v < end.content && INLINE_SPACE.test(src[v]!)) v += 1;
    const head = src.slice(pos, v);
    const quote = src[v];
    if (quote === '"' || quote === "'") {
      const scanned = scanQuoted(src, v);
      if (!scanned) {
        throw fail(
          line,
          `the value of ${name} opens a ${quote === '"' ? 'double' : 'single'} quote that is never closed`,
          'Close the quote; docker compose refuses this file as it is',
        );
      }
      const last = lineEnd(src, scanned.close);
      const tail = src.slice(scanned.close + 1, last.content);
      const statement = src.slice(pos, last.content);
      if (!AFTER_QUOTE.test(tail)) {
        throw fail(
          line,
          `text follows the closing quote of ${name} (${JSON.stringify(tail.trim())}); docker compose would read it as another variable`,
          'Move it to its own line, or start it with # to make it a comment',
        );
      }
      const value = quote === "'" ? scanned.chars : resolve(unescapeDouble(scanned.chars), line);
      entries.set(name, value);
      lines.push({
        kind: 'entry',
        line,
        text: statement,
        eol: last.eol,
        name,
        value,
        quote: quote === '"' ? 'double' : 'single',
        head,
        nameAt: nameAt - pos,
        valueText: src.slice(v, scanned.close + 1),
        tail,
      });
      line += countNewlines(statement) + 1;
      pos = last.next;
      continue;
    }
    const region = src.slice(v, end.content);
    const cut = region.indexOf(' #');
    const valueText = trimEndGo(cut === -1 ? region : region.slice(0, cut));
    const value = resolve(valueText, line);
    entries.set(name, value);
    lines.push({
      kind: 'entry',
      line,
      text: physical,
      eol: end.eol,
      name,
      value,
      quote: 'none',
      head,
      nameAt: nameAt - pos,
      valueText,
      tail: region.slice(valueText.length),
    });
    pos = end.next;
    line += 1;
  }
  return { entries, lines, bom };
}

/** The exact text of a parsed (and possibly edited) file. */
export function renderEnvFile(file: Pick<ParsedEnvFile, 'lines' | 'bom'>): string {
  return (file.bom ? '\uFEFF' : '') + file.lines.map((l) => l.text + l.eol).join('');
}

function lineEnd(src: string, from: number): { content: number; eol: string; next: number } {
  const nl = src.indexOf('\n', from);
  if (nl === -1) return { content: src.length, eol: '', next: src.length };
  const crlf = nl > from && src[nl - 1] === '\r';
  return { content: crlf ? nl - 1 : nl, eol: crlf ? '\r\n' : '\n', next: nl + 1 };
}

function indexOfNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) if (!GO_SPACE.test(s[i]!)) return i;
  return -1;
}

function trimEndGo(s: string): string {
  let end = s.length;
  while (end > 0 && GO_SPACE.test(s[end - 1]!)) end -= 1;
  return s.slice(0, end);
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n += 1;
  return n;
}
