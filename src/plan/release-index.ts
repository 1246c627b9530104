import semver, { type SemVer } from 'semver';
import { InvalidInputError } from '../errors/upgrade-error';
import { type ReleaseNotes, ReleaseNotesSchema, type TagFamily } from '../notes/release-notes';
import { PlanContradictionError } from './plan-errors';

/** One release of the chosen family, with its version parsed once. */
export interface IndexedRelease {
  version: string;
  sv: SemVer;
  prerelease: boolean;
  notes: ReleaseNotes;
}

/** The usable releases of one tag family in ascending version order, plus the drafts left out. */
export interface FamilyIndex {
  family: TagFamily;
  releases: IndexedRelease[];
  drafts: string[];
}

/** Checks the input against the release-notes schema before anything else looks at it. */
export function validateReleases(releases: unknown): ReleaseNotes[] {
  if (!Array.isArray(releases)) {
    throw new InvalidInputError({ message: '`releases` must be an array of release notes' });
  }
  const parsed = ReleaseNotesSchema.array().safeParse(releases);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue ? `releases[${issue.path.join('].')}` : 'releases';
    throw new InvalidInputError({
      message: `The release notes do not match ReleaseNotesSchema at ${at}: ${issue?.message ?? 'invalid'}`,
      hint: 'Pass the output of the release-notes parser (or values validated with ReleaseNotesSchema)',
    });
  }
  return parsed.data;
}

export function parseVersion(version: string): SemVer | null {
  return semver.parse(version);
}

export function isPrerelease(notes: ReleaseNotes, sv: SemVer): boolean {
  return notes.prerelease || sv.prerelease.length > 0;
}

/** Drafts are dropped here; they are never planned. Prereleases stay and are filtered by the caller. */
export function indexFamily(all: readonly ReleaseNotes[], family: TagFamily): FamilyIndex {
  const byVersion = new Map<string, IndexedRelease>();
  const drafts: string[] = [];
  for (const notes of all) {
    if (notes.family !== family) continue;
    if (notes.draft) {
      drafts.push(parseVersion(notes.version)?.version ?? notes.version);
      continue;
    }
    const sv = parseVersion(notes.version);
    if (!sv) {
      throw new InvalidInputError({
        message: `Release ${notes.tag ?? notes.version} has version "${notes.version}", which is not semver`,
        hint: 'Pass versions normalised by the release-notes parser (for example 0.17.0 for release-v0.17.0)',
        version: notes.version,
      });
    }
    const seen = byVersion.get(sv.version);
    if (seen) {
      if (JSON.stringify(seen.notes) === JSON.stringify(notes)) continue;
      throw new PlanContradictionError(
        sv.version,
        `Two different sets of notes describe ${sv.version} in the ${family} family`,
        'Keep one set of notes per version and family (merge the sources before planning)',
      );
    }
    byVersion.set(sv.version, { version: sv.version, sv, prerelease: isPrerelease(notes, sv), notes });
  }
  const releases = [...byVersion.values()].sort((a, b) => a.sv.compare(b.sv));
  return { family, releases, drafts };
}

/** Index of the first release whose version is >= `sv` (releases.length when none). */
export function lowerBound(releases: readonly IndexedRelease[], sv: SemVer): number {
  let lo = 0;
  let hi = releases.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (releases[mid]!.sv.compare(sv) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Up to two known versions either side of `sv`, for "did you mean" hints. */
export function nearestVersions(releases: readonly IndexedRelease[], sv: SemVer | null): string[] {
  if (releases.length === 0) return [];
  if (!sv) return releases.slice(-3).map((r) => r.version);
  const at = lowerBound(releases, sv);
  return releases.slice(Math.max(0, at - 2), at + 2).map((r) => r.version);
}
