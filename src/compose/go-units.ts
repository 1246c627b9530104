/**
 * Durations and byte sizes as compose reads and writes them (Go's `time.ParseDuration` /
 * `Duration.String()` and docker's `RAMInBytes`), so the config hash sees the same values.
 */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Nanoseconds of a Go duration string (`1m30s`, `1.5s`, `500ms`); null when Go would reject it. */
export function parseGoDuration(text: string): bigint | null {
  let s = text;
  let sign = 1n;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return null;
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length) {
    const m = part.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
    const unit = UNIT_NS[m[3]!]!;
    const whole = BigInt(m[1] || '0');
    const fraction = m[2] ?? '';
    // Go keeps the fraction's digits exactly and rounds down below a nanosecond.
    const scale = 10n ** BigInt(fraction.length);
    total += whole * unit + (fraction ? (BigInt(fraction) * unit) / scale : 0n);
    s = s.slice(m[0].length);
  }
  return sign * total;
}

/** Go's `time.Duration.String()`: `1h0m0s`, `1m30s`, `1.5s`, `500ms`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    const [unit, size] =
      u < 1_000n
        ? (['ns', 1n] as const)
        : u < 1_000_000n
          ? (['µs', 1_000n] as const)
          : (['ms', 1_000_000n] as const);
    out = `${decimal(u, size)}${unit}`;
  } else {
    const hours = u / 3_600_000_000_000n;
    u %= 3_600_000_000_000n;
    const minutes = u / 60_000_000_000n;
    u %= 60_000_000_000n;
    out = `${decimal(u, 1_000_000_000n)}s`;
    if (hours > 0n || minutes > 0n) out = `${minutes}m${out}`;
    if (hours > 0n) out = `${hours}h${out}`;
  }
  return negative ? `-${out}` : out;
}

function decimal(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return whole.toString();
  const digits = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

const RAM_UNITS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

/**
 * Bytes of a size as docker reads memory limits (`512m`, `1.5g`, `1024`, `2GB`: binary units); null
 * when it does not read as one. A number is taken as bytes.
 */
export function parseRamBytes(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(value.trim());
  if (!m) return null;
  const unit = RAM_UNITS[(m[2] ?? '').toLowerCase()]!;
  return Math.trunc(Number(m[1]) * unit);
}
