import { InvalidInputError } from '../errors/upgrade-error';
import type { MigrationAnalysis } from './migration-analysis';
import { requireMigrationVersion } from './migration-filename';

function versionsOf(values: unknown, role: string): string[] {
  if (!Array.isArray(values)) {
    throw new InvalidInputError({
      message: `${role} is not a list of migration versions`,
      hint: 'Pass the 14-digit versions as strings, e.g. the version column of schema_migrations',
    });
  }
  return values.map((v, i) => requireMigrationVersion(v, `${role}[${i}]`));
}

/**
 * The shipped migrations the database has not applied, in the order Ecto runs them (ascending
 * version). Applied versions with no shipped file are ignored, as Ecto ignores them.
 *
 * @param shipped analyses of the migration files in the image that will run
 * @param applied versions in `schema_migrations`
 * @throws InvalidInputError when a version is not 14 digits, or two shipped files share a version
 *   (Ecto refuses to run such a set).
 */
export function pendingMigrations(shipped: MigrationAnalysis[], applied: string[]): MigrationAnalysis[] {
  const done = new Set(versionsOf(applied, 'applied'));
  const seen = new Set<string>();
  for (const [i, m] of shipped.entries()) {
    requireMigrationVersion(m?.version, `shipped[${i}].version`);
    if (seen.has(m.version)) {
      throw new InvalidInputError({
        message: `two shipped migrations have version ${m.version}`,
        hint: 'Ecto refuses to migrate when two files share a version; check the migration files of the image',
        version: m.version,
      });
    }
    seen.add(m.version);
  }
  return shipped.filter((m) => !done.has(m.version)).sort((a, b) => a.version.localeCompare(b.version));
}

/**
 * The lowest version applied now that was not applied before: the argument that undoes an upgrade
 * with `Engram.Release.rollback(Engram.Repo, V)`, because Ecto's `down, to: V` reverts every applied
 * version >= V (inclusive). Run it from the newer image, which has the files of the versions to
 * revert. Null when nothing new was applied.
 *
 * If the upgrade applied a version lower than one applied before (a file with an older timestamp that
 * shipped late), rolling back to the result also reverts that older, previously applied migration:
 * compare the result with `appliedBefore` when that matters.
 *
 * @param appliedBefore `schema_migrations` versions before the upgrade
 * @param appliedNow `schema_migrations` versions after it (a failed upgrade may have applied some)
 * @throws InvalidInputError when a version is not a 14-digit string.
 */
export function firstNewVersion(appliedBefore: string[], appliedNow: string[]): string | null {
  const before = new Set(versionsOf(appliedBefore, 'appliedBefore'));
  const added = versionsOf(appliedNow, 'appliedNow').filter((v) => !before.has(v));
  // Equal-length digit strings sort like the numbers they spell.
  return added.sort()[0] ?? null;
}
