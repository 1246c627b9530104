import { InvalidInputError } from '../errors/upgrade-error';

/** The two parts of an Ecto migration file name. */
export interface MigrationFilename {
  /** 14 digits. */
  version: string;
  /** Lower-case snake_case slug. */
  slug: string;
}

const HINT =
  'Ecto migration files are named <14-digit version>_<slug>.exs, e.g. 20260817080100_drop_notes_legacy_body_contract.exs';

/**
 * Reads `<14 digits>_<slug>.exs`. A leading directory is ignored (`priv/repo/migrations/…`). Throws an
 * `InvalidInputError` that says which part is wrong. The version is not read as a date: Engram ships
 * `20260629250000`, whose "hour" is 25.
 */
export function parseMigrationFilename(filename: string): MigrationFilename {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  const fail = (what: string): never => {
    throw new InvalidInputError({
      message: `"${filename}" is not a migration file name: ${what}`,
      hint: HINT,
    });
  };
  if (base === '') fail('it is empty');
  if (!base.endsWith('.exs'))
    fail(base.endsWith('.ex') ? 'it ends in .ex, not .exs' : 'it does not end in .exs');
  const stem = base.slice(0, -'.exs'.length);
  const digits = /^\d*/.exec(stem)![0];
  if (digits.length === 0) fail('it does not start with a version number');
  if (digits.length !== 14) fail(`its version ${digits} has ${digits.length} digits, not 14`);
  if (stem[14] !== '_') fail('the version is not followed by an underscore and a slug');
  const slug = stem.slice(15);
  if (slug === '') fail('the slug after the version is empty');
  if (!/^[a-z0-9]+(?:_[a-z0-9]+)*$/.test(slug)) {
    fail(`the slug "${slug}" is not lower-case snake_case (letters, digits and single underscores)`);
  }
  return { version: digits, slug };
}

/** Throws an `InvalidInputError` unless `version` is a 14-digit string. `role` names it in the message. */
export function requireMigrationVersion(version: unknown, role: string): string {
  if (typeof version === 'string' && /^\d{14}$/.test(version)) return version;
  const shown = typeof version === 'string' ? `"${version}"` : String(version);
  throw new InvalidInputError({
    message: `${role} ${shown} is not a migration version`,
    hint: 'Pass the 14-digit Ecto version as a string, as schema_migrations stores it (e.g. "20260817080100"); an app version such as 0.17.0 is not a migration version',
    version: typeof version === 'string' ? version : undefined,
  });
}
