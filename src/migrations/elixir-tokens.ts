/**
 * A small Elixir lexer: enough to read Ecto migration files without being fooled by a `#` inside a
 * string, a `"""` heredoc, a sigil or a `?#` character literal. It never evaluates anything.
 */

export type TokenKind = 'word' | 'key' | 'atom' | 'string' | 'number' | 'punct' | 'newline';

export interface Token {
  kind: TokenKind;
  /** The text as written (a string token keeps its delimiters). */
  text: string;
  /** `string`: decoded contents; `key` and `atom`: the name without the colon; otherwise `text`. */
  value: string;
  /** 1-based line the token starts on. */
  line: number;
  /** A string that interpolates `#{…}`; its value keeps the interpolation as written. */
  interpolated?: boolean;
}

export interface Comment {
  line: number;
  /** What follows the `#`, trimmed. */
  text: string;
}

export interface ElixirTokens {
  tokens: Token[];
  comments: Comment[];
  /** False when a string, heredoc or sigil is never closed: what follows it was not read as code. */
  complete: boolean;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;
const OPERATORS = [
  '\\\\',
  '->',
  '|>',
  '<>',
  '==',
  '!=',
  '=~',
  '&&',
  '||',
  '<-',
  '::',
  '..',
  '<=',
  '>=',
  '++',
];
const NUMBER = /0x[0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][-+]?[0-9]+)?/y;
const SIGIL_CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', s: ' ', e: '\u001b', '0': '\0' };

interface Quoted {
  end: number;
  value: string;
  interpolated: boolean;
  closed: boolean;
}

/** Reads `src` into tokens and comments. Never throws: unreadable input yields `complete: false`. */
export function tokenizeElixir(src: string): ElixirTokens {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let complete = true;
  let line = 1;
  let i = 0;

  const push = (kind: TokenKind, start: number, end: number, value?: string, interpolated = false) => {
    const text = src.slice(start, end);
    const token: Token = { kind, text, value: value ?? text, line };
    if (interpolated) token.interpolated = true;
    tokens.push(token);
    line += countNewlines(text);
    i = end;
  };

  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      push('newline', i, i + 1);
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      const end = lineEnd(src, i);
      comments.push({ line, text: src.slice(i + 1, end).trim() });
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      const q = readQuoted(src, i, c, { interpolate: true, escapes: true });
      complete &&= q.closed;
      push('string', i, q.end, q.value, q.interpolated);
      continue;
    }
    if (c === '~' && /[A-Za-z]/.test(src[i + 1] ?? '')) {
      let j = i + 1;
      while (/[A-Za-z]/.test(src[j] ?? '')) j++;
      const raw = /[A-Z]/.test(src[i + 1]!);
      const open = src[j] ?? '';
      if ('"\'([{<|/'.includes(open) && open !== '') {
        const q = readQuoted(src, j, open, { interpolate: !raw, escapes: !raw });
        complete &&= q.closed;
        let end = q.end;
        while (/[a-zA-Z]/.test(src[end] ?? '')) end++;
        push('string', i, end, q.value, q.interpolated);
        continue;
      }
    }
    if (c === '?' && !IDENT.test(src[i - 1] ?? '') && i + 1 < src.length && !/\s/.test(src[i + 1]!)) {
      push('number', i, i + (src[i + 1] === '\\' ? 3 : 2));
      continue;
    }
    if (c === ':' && src[i + 1] === '"') {
      const q = readQuoted(src, i + 1, '"', { interpolate: true, escapes: true });
      complete &&= q.closed;
      push('atom', i, q.end, q.value);
      continue;
    }
    if (c === ':' && IDENT_START.test(src[i + 1] ?? '')) {
      const end = identEnd(src, i + 1);
      push('atom', i, end, src.slice(i + 1, end));
      continue;
    }
    if (IDENT_START.test(c)) {
      const end = identEnd(src, i);
      if (src[end] === ':' && src[end + 1] !== ':') {
        push('key', i, end + 1, src.slice(i, end));
      } else {
        push('word', i, end);
      }
      continue;
    }
    if (/[0-9]/.test(c)) {
      NUMBER.lastIndex = i;
      push('number', i, i + NUMBER.exec(src)![0].length);
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    push('punct', i, i + (op?.length ?? 1));
  }
  return { tokens, comments, complete };
}

function countNewlines(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === '\n') n++;
  return n;
}

function lineEnd(src: string, from: number): number {
  const end = src.indexOf('\n', from);
  return end < 0 ? src.length : end;
}

function identEnd(src: string, from: number): number {
  let end = from;
  while (IDENT.test(src[end] ?? '')) end++;
  if (src[end] === '?' || src[end] === '!') end++;
  return end;
}

/**
 * Reads a quoted literal whose opening delimiter is at `start`: a one-line string, or a heredoc when
 * the delimiter is tripled. Heredoc contents lose the closing delimiter's indentation, as in Elixir.
 */
function readQuoted(
  src: string,
  start: number,
  open: string,
  mode: { interpolate: boolean; escapes: boolean },
): Quoted {
  if ((open === '"' || open === "'") && src.startsWith(open.repeat(3), start)) {
    return readHeredoc(src, start, open.repeat(3), mode);
  }
  const close = SIGIL_CLOSE[open] ?? open;
  let value = '';
  let interpolated = false;
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === close) return { end: i + 1, value, interpolated, closed: true };
    if (c === '\\' && i + 1 < src.length) {
      value += mode.escapes ? escapeChar(src[i + 1]!) : src[i + 1] === close ? close : `\\${src[i + 1]}`;
      i += 2;
      continue;
    }
    if (mode.interpolate && c === '#' && src[i + 1] === '{') {
      const end = interpolationEnd(src, i + 2);
      value += src.slice(i, end);
      interpolated = true;
      i = end;
      continue;
    }
    value += c;
    i++;
  }
  return { end: src.length, value, interpolated, closed: false };
}

function readHeredoc(
  src: string,
  start: number,
  delim: string,
  mode: { interpolate: boolean; escapes: boolean },
): Quoted {
  const bodyStart = lineEnd(src, start) + 1;
  let at = bodyStart;
  while (at < src.length) {
    const end = lineEnd(src, at);
    const text = src.slice(at, end);
    const indent = /^[ \t]*/.exec(text)![0];
    if (text.slice(indent.length).startsWith(delim)) {
      const lines = src.slice(bodyStart, at).split('\n').slice(0, -1);
      const body = lines.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      const raw = body.length > 0 ? `${body.join('\n')}\n` : '';
      const decoded = decodeBody(raw, mode);
      return { end: at + indent.length + delim.length, ...decoded, closed: true };
    }
    at = end + 1;
  }
  return { end: src.length, value: src.slice(bodyStart), interpolated: false, closed: false };
}

function decodeBody(raw: string, mode: { interpolate: boolean; escapes: boolean }) {
  if (!mode.escapes) return { value: raw, interpolated: false };
  let value = '';
  let interpolated = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      value += raw[i + 1] === '\n' ? '' : escapeChar(raw[i + 1]!);
      i++;
    } else {
      if (mode.interpolate && c === '#' && raw[i + 1] === '{') interpolated = true;
      value += c;
    }
  }
  return { value, interpolated };
}

function escapeChar(c: string): string {
  return ESCAPES[c] ?? c;
}

/** The index just past the `}` that closes an interpolation opened before `from`. */
function interpolationEnd(src: string, from: number): number {
  let depth = 1;
  let i = from;
  while (i < src.length && depth > 0) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      i = readQuoted(src, i, c, { interpolate: true, escapes: true }).end;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    i++;
  }
  return i;
}
