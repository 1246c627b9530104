import type { SemVer } from 'semver';

export interface ReleaseGap {
  after: string;
  before: string;
}

/**
 * Consecutive releases should step by one patch, one minor (to .0) or one major (to .0.0). Anything
 * else means a release is missing from the list, and its notes (a floor, a one-way migration) with it.
 * Prereleases count by the version they lead to, so `0.18.1 → 1.0.0-rc.1 → 1.0.0` has no gap.
 */
export function findGaps(versions: readonly SemVer[]): ReleaseGap[] {
  const gaps: ReleaseGap[] = [];
  for (let i = 1; i < versions.length; i++) {
    const a = versions[i - 1]!;
    const b = versions[i]!;
    if (!isSuccessor(a, b)) gaps.push({ after: a.version, before: b.version });
  }
  return gaps;
}

function isSuccessor(a: SemVer, b: SemVer): boolean {
  if (a.major === b.major && a.minor === b.minor && a.patch === b.patch) return true;
  if (a.major === b.major && a.minor === b.minor) return b.patch === a.patch + 1;
  if (a.major === b.major) return b.minor === a.minor + 1 && b.patch === 0;
  return b.major === a.major + 1 && b.minor === 0 && b.patch === 0;
}
