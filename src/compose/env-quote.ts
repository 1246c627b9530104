import { InvalidInputError } from '../errors/upgrade-error';

// Quoting of .env values both ways: how compose reads a quoted value, and how to write one it reads
// back exactly.

/** How a `.env` value is written: bare, in single quotes (literal) or in double quotes (escapes). */
export type EnvQuote = 'none' | 'single' | 'double';

// Bare values are interpolated and cut at " #" by compose; keep them to characters with no meaning.
const BARE = /^[A-Za-z0-9_./:@+,=%^~-]*$/;
// Compose keeps single-quoted text as it is, except that a backslash escapes the quote (and so a value
// cannot end in one); a value with a quote, a backslash or a line break goes in double quotes instead.
const SINGLE_UNSAFE = /['\\\n\r]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Writes `value` so that docker compose reads it back exactly, in the `prefer`red style when that
 * style can hold it, otherwise in the plainest style that can: bare, then single quotes (no
 * interpolation of `$`), then double quotes with `\\`, `\"`, `\$`, `\n` and `\r` escaped.
 *
 * @throws InvalidInputError for a NUL character or a lone UTF-16 surrogate, which no environment
 *   variable can hold.
 */
export function quoteEnvValue(value: string, prefer?: EnvQuote): { text: string; quote: EnvQuote } {
  if (value.includes('\0') || LONE_SURROGATE.test(value)) {
    throw new InvalidInputError({
      message: `The value contains ${value.includes('\0') ? 'a NUL character' : 'an unpaired UTF-16 surrogate'}, which an environment variable cannot hold`,
      hint: 'Remove that character from the value',
    });
  }
  const order: EnvQuote[] = ['none', 'single', 'double'];
  const candidates = prefer ? [prefer, ...order.filter((q) => q !== prefer)] : order;
  const quote = candidates.find((q) => canHold(q, value))!;
  return { text: render(quote, value), quote };
}

function canHold(quote: EnvQuote, value: string): boolean {
  if (quote === 'none') return BARE.test(value);
  if (quote === 'single') return !SINGLE_UNSAFE.test(value);
  return true;
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  $: '\\$',
  '\n': '\\n',
  '\r': '\\r',
};

function render(quote: EnvQuote, value: string): string {
  if (quote === 'none') return value;
  if (quote === 'single') return `'${value}'`;
  return `"${value.replace(/[\\"$\n\r]/g, (c) => DOUBLE_ESCAPES[c]!)}"`;
}

// Reading: the two passes compose makes over a quoted value.

/**
 * Compose's scan for the closing quote: a backslash escapes the quote character (and is dropped);
 * before any other character the backslash is kept, to be read by the escape pass of double quotes.
 */
export function scanQuoted(src: string, open: number): { chars: string; close: number } | undefined {
  const quote = src[open];
  let chars = '';
  let escaped = false;
  for (let i = open + 1; i < src.length; i++) {
    const ch = src[i]!;
    if (ch !== quote) {
      if (!escaped && ch === '\\') {
        escaped = true;
        continue;
      }
      if (escaped) chars += '\\';
      escaped = false;
      chars += ch;
      continue;
    }
    if (escaped) {
      escaped = false;
      chars += ch;
      continue;
    }
    return { chars, close: i };
  }
  return undefined;
}

const C_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
};

/** The escape pass compose applies inside double quotes; `\$` becomes `$$`, a literal `$` later. */
export function unescapeDouble(chars: string): string {
  return chars.replace(/\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})/g, (match) => {
    const c = match.slice(1);
    if (c === '$') return '$$';
    if (c.startsWith('0')) {
      const digits = c.slice(1);
      const code = /^[0-7]{3}$/.test(digits) ? Number.parseInt(digits, 8) : Number.NaN;
      return code <= 0xff ? String.fromCharCode(code) : `\\${digits}`;
    }
    return C_ESCAPES[c] ?? match;
  });
}
