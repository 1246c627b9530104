import { UnknownVersionError } from './plan-errors';
import { type FamilyIndex, type IndexedRelease, nearestVersions, parseVersion } from './release-index';
import type { PlanWarning } from './upgrade-path';

export interface PlanEnds {
  from: IndexedRelease;
  target: IndexedRelease;
  /** The running version, every usable release after it up to the target, and the target. */
  window: IndexedRelease[];
  warnings: PlanWarning[];
}

/**
 * Finds the running version and the target among the family's releases. The running version may be a
 * prerelease even when prereleases are not planned (it is only the starting point); the target may not.
 */
export function resolveEnds(
  index: FamilyIndex,
  from: string,
  to: string,
  includePrereleases: boolean,
): PlanEnds {
  const { releases, family, drafts } = index;
  const fromSv = parseVersion(from)!;
  const fromEntry = releases.find((r) => r.sv.compare(fromSv) === 0);
  if (!fromEntry) {
    const why = drafts.includes(fromSv.version) ? 'only a draft release has that version' : undefined;
    throw new UnknownVersionError('running', from, family, nearestVersions(releases, fromSv), why);
  }
  const usable = releases.filter((r) => r === fromEntry || !r.prerelease || includePrereleases);
  const target =
    to === 'latest' ? latest(usable, fromEntry, includePrereleases) : findTarget(index, usable, to);

  const lo = fromEntry.sv.compare(target.sv) <= 0 ? fromEntry : target;
  const hi = lo === fromEntry ? target : fromEntry;
  const inside = (r: IndexedRelease) => r.sv.compare(lo.sv) > 0 && r.sv.compare(hi.sv) < 0;
  const window = usable.filter((r) => r === lo || r === hi || inside(r));

  const warnings: PlanWarning[] = [];
  const skipped = releases
    .filter((r) => r.prerelease && !usable.includes(r) && inside(r))
    .map((r) => r.version);
  if (skipped.length > 0) {
    const text = `Prereleases ${skipped.join(', ')} are not planned (includePrereleases is off); their notes were not read`;
    warnings.push({ code: 'prerelease-skipped', text, version: skipped[0]!, line: null });
  }
  const ignored = drafts.filter((d) => {
    const sv = parseVersion(d);
    return sv !== null && sv.compare(lo.sv) > 0 && sv.compare(hi.sv) <= 0;
  });
  if (ignored.length > 0) {
    const text = `Draft releases ${ignored.join(', ')} are never planned; their notes were not read`;
    warnings.push({ code: 'draft-ignored', text, version: ignored[0]!, line: null });
  }
  if (to === 'latest' && target.sv.compare(fromEntry.sv) < 0) {
    const text = `The running version ${fromEntry.version} is newer than the latest planned release ${target.version}; nothing to do`;
    warnings.push({ code: 'ahead-of-latest', text, version: target.version, line: null });
  }
  return { from: fromEntry, target, window, warnings };
}

function latest(
  usable: IndexedRelease[],
  fromEntry: IndexedRelease,
  includePrereleases: boolean,
): IndexedRelease {
  for (let i = usable.length - 1; i >= 0; i--) {
    const r = usable[i]!;
    if (!r.prerelease || includePrereleases) return r;
  }
  return fromEntry;
}

function findTarget(index: FamilyIndex, usable: IndexedRelease[], to: string): IndexedRelease {
  const sv = parseVersion(to)!;
  const found = usable.find((r) => r.sv.compare(sv) === 0);
  if (found) return found;
  const known = index.releases.find((r) => r.sv.compare(sv) === 0);
  const why = known
    ? 'it is a prerelease; pass includePrereleases: true to plan to it'
    : index.drafts.includes(sv.version)
      ? 'only a draft release has that version, and drafts are never planned'
      : undefined;
  const stable = usable.filter((r) => !r.prerelease);
  throw new UnknownVersionError('target', to, index.family, nearestVersions(stable, sv), why);
}
