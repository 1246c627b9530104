/**
 * JSON exactly as Go's `encoding/json` writes it, for values shaped like Go data: compose hashes a
 * service by the bytes Go produces, so key order, escaping and number formatting must match.
 *
 * - a plain object is a Go struct: its keys are written in insertion order (build it in the struct's
 *   field order, leaving out what `omitempty` leaves out);
 * - a `Map` is a Go map: keys are written sorted by their bytes;
 * - a `GoFloat32` is a float32 field, written the shortest way that reads back as the same float32.
 */
export type GoValue =
  | string
  | number
  | boolean
  | null
  | GoFloat32
  | readonly GoValue[]
  | ReadonlyMap<string, GoValue>
  | { readonly [field: string]: GoValue };

/** A Go `float32` value (compose's `cpus`). */
export class GoFloat32 {
  readonly value: number;
  constructor(value: number) {
    this.value = Math.fround(value);
  }
}

export function goJson(value: GoValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return goNumber(value);
  if (value instanceof GoFloat32) return goFloat32(value.value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value instanceof Map) {
    const keys = [...value.keys()].sort(byBytes);
    return `{${keys.map((k) => `${goString(k)}:${goJson(value.get(k)!)}`).join(',')}}`;
  }
  const fields = Object.entries(value as { [field: string]: GoValue });
  return `{${fields.map(([k, v]) => `${goString(k)}:${goJson(v)}`).join(',')}}`;
}

// Go escapes HTML-significant characters and the JavaScript line separators by default.
const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const escaped = ESCAPES[ch];
    if (escaped) out += escaped;
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += '\\ufffd'; // a lone surrogate is invalid UTF-8 to Go
    } else out += ch;
  }
  return `${out}"`;
}

function goNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`Go cannot encode ${n} as JSON`);
  if (Number.isInteger(n)) return n.toFixed(0);
  return goFloat(n, (x) => x);
}

function goFloat32(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`Go cannot encode ${n} as JSON`);
  return goFloat(n, Math.fround);
}

/** Go's float formatting: the shortest digits that read back the same, exponent only when very large or small. */
function goFloat(n: number, round: (x: number) => number): string {
  if (n === 0) return '0';
  let digits = '';
  for (let p = 1; p <= 17; p++) {
    digits = n.toPrecision(p);
    if (round(Number(digits)) === n) break;
  }
  const value = Number(digits);
  const abs = Math.abs(n);
  if (abs < 1e-6 || abs >= 1e21) {
    // Go writes e-07, JavaScript e-7: Go then trims the leading zero of a two-digit exponent itself.
    const [mantissa, exp] = value.toExponential().split('e') as [string, string];
    return `${mantissa}e${exp.startsWith('-') ? '-' : '+'}${exp.replace(/^[-+]/, '').padStart(2, '0')}`.replace(
      /e-0(\d)$/,
      'e-$1',
    );
  }
  return plainDecimal(digits);
}

/** `1.5e+3` style precision output written out as plain decimal digits. */
function plainDecimal(digits: string): string {
  if (!/e/i.test(digits)) return digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits;
  const n = Number(digits);
  const fixed = n.toFixed(20);
  return fixed.replace(/\.?0+$/, '');
}

function byBytes(a: string, b: string): number {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return Buffer.compare(x, y);
}
