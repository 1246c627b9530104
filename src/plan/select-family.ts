import { InvalidInputError } from '../errors/upgrade-error';
import type { ReleaseNotes, TagFamily } from '../notes/release-notes';
import { UnknownVersionError } from './plan-errors';
import { indexFamily, nearestVersions, parseVersion } from './release-index';

const ORDER: readonly TagFamily[] = ['release-v', 'bare', 'v'];

/**
 * Picks the one tag family to plan in. Versions are never compared across families (`v2.8.1` predates
 * `0.6.0`), so when the running version (and the target, if named) exists in more than one family the
 * caller must say which one is meant: guessing could plan against an unrelated project history.
 */
export function selectFamily(
  releases: readonly ReleaseNotes[],
  from: string,
  to: string | 'latest',
  requested: TagFamily | 'auto',
): TagFamily {
  if (requested !== 'auto') return requested;
  const fromVersion = parseVersion(from)?.version;
  const toVersion = to === 'latest' ? null : (parseVersion(to)?.version ?? null);
  const withFrom = new Set<TagFamily>();
  const withTo = new Set<TagFamily>();
  for (const r of releases) {
    if (r.draft) continue;
    const v = parseVersion(r.version)?.version;
    if (v === fromVersion) withFrom.add(r.family);
    if (v === toVersion) withTo.add(r.family);
  }
  let candidates = ORDER.filter((f) => withFrom.has(f));
  if (candidates.length === 0) {
    const present = ORDER.filter((f) => releases.some((r) => r.family === f));
    const near = (f: TagFamily) => nearestVersions(indexFamily(releases, f).releases, parseVersion(from));
    if (present.length === 1) throw new UnknownVersionError('running', from, present[0]!, near(present[0]!));
    const nearest = present.flatMap((f) => near(f).map((v) => `${v} (${f})`));
    throw new UnknownVersionError('running', from, null, nearest);
  }
  if (candidates.length > 1 && toVersion !== null) {
    const narrowed = candidates.filter((f) => withTo.has(f));
    if (narrowed.length > 0) candidates = narrowed;
  }
  if (candidates.length > 1) {
    throw new InvalidInputError({
      message: `Version ${from} exists in the ${candidates.join(' and ')} tag families, and versions are never compared across families`,
      hint: `Pass family: '${candidates[0]}' (or the family you mean) to planUpgradePath`,
      version: from,
    });
  }
  return candidates[0]!;
}
