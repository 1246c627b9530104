import { randomBytes } from 'node:crypto';
import { UpgradeError } from '../errors';

/** Postgres truncates identifiers to this many bytes (NAMEDATALEN - 1). */
export const MAX_IDENTIFIER_BYTES = 63;

/** Bytes of the target name kept in derived names, so that any suffix below still fits in 63 bytes. */
const PREFIX_BYTES = 24;

export interface RestoreDatabaseNames {
  /** Where the backup is restored and checked before the swap. */
  staging: string;
  /** What the replaced database is renamed to by the swap. */
  previous: string;
}

/**
 * Refuses a database name that Postgres would silently shorten. A name longer than 63 bytes is not the
 * name the server uses, so every statement built from it would address some other database.
 */
export function requireFullIdentifier(name: string, what: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > MAX_IDENTIFIER_BYTES || name.includes('\0')) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `${what} ${JSON.stringify(name.slice(0, 80))} is ${bytes} bytes long; Postgres keeps only the first ${MAX_IDENTIFIER_BYTES} bytes of a name, so it would act on another database`,
      unchanged: 'Nothing was changed',
      hint: `Use a database name of at most ${MAX_IDENTIFIER_BYTES} bytes (POSTGRES_DB)`,
    });
  }
}

/** The longest prefix of `text` that is at most `maxBytes` UTF-8 bytes and does not split a character. */
export function utf8Prefix(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (used + n > maxBytes) break;
    out += ch;
    used += n;
  }
  return out;
}

/**
 * Names for a restore's staging database and for the database it replaces: distinct from the target and
 * from each other, unique per run (a UTC stamp plus random hex), and never longer than 63 bytes, so
 * Postgres cannot truncate one into another's name (a 63-byte target name would otherwise turn the
 * staging name into the live one).
 */
export function restoreDatabaseNames(
  target: string,
  now: Date,
  random: () => string = () => randomBytes(3).toString('hex'),
): RestoreDatabaseNames {
  requireFullIdentifier(target, 'The target database name');
  const unique = `${compactStamp(now)}${random()}`;
  const prefix = utf8Prefix(target, PREFIX_BYTES);
  const names = {
    staging: `${prefix}_restore_${unique}`,
    previous: `${prefix}_before_restore_${unique}`,
  };
  for (const name of Object.values(names)) {
    // The prefix and suffix lengths above make this unreachable; it guards later edits of them.
    requireFullIdentifier(name, 'A derived database name');
  }
  return names;
}

/** `20261129T023554Z` → `20261129023554`, lower-case so the names need no quoting to read. */
function compactStamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
