import { InvalidInputError } from '../errors/upgrade-error';
import type { ReleaseNotes, TagFamily } from '../notes/release-notes';
import { buildHop } from './build-hop';
import { findGaps } from './find-gaps';
import { type Floor, inLine, releaseFloor } from './floors';
import { hopReasons } from './hop-reasons';
import { ReleaseGapError, TargetOlderError, UnsatisfiableFloorError } from './plan-errors';
import {
  type IndexedRelease,
  indexFamily,
  lowerBound,
  parseVersion,
  validateReleases,
} from './release-index';
import { resolveEnds } from './resolve-ends';
import { selectFamily } from './select-family';
import { selectStops } from './select-stops';
import type { BackupPolicy, Hop, PlanNeedsReview, PlanWarning, UpgradePath } from './upgrade-path';

export interface PlanUpgradePathOptions {
  /** The running version, normalised semver (`0.14.1`, not `release-v0.14.1`). */
  from: string;
  /** The version to end on, or `'latest'` for the newest release planning may use. */
  to: string;
  /** Release notes from any source; drafts are ignored, other tag families are never compared. */
  releases: readonly ReleaseNotes[];
  /**
   * Let prereleases be crossed and be the target (`latest` then includes them). Intermediate stops are
   * always stable releases.
   * @default false
   */
  includePrereleases?: boolean;
  /**
   * `every-hop` backs up before each hop; `when-needed` only before hops whose notes announce a schema
   * change. A one-way hop always requires a quiesced backup whatever the policy. The default is
   * `every-hop` because notes under-report schema changes (a CHANGELOG never carries the SCHEMA-IMPACT
   * block) and a missed backup cannot be taken afterwards.
   * @default 'every-hop'
   */
  backup?: BackupPolicy;
  /**
   * The tag family to plan in. `auto` takes the one family that has the running version (and the
   * target, when named) and refuses to guess when several do.
   * @default 'auto'
   */
  family?: TagFamily | 'auto';
  /**
   * What to do when the list seems to skip a release between `from` and the target (for example
   * 0.16.0 → 0.18.0): `error` refuses to plan, `warn` plans and records a warning.
   * @default 'error'
   */
  onGap?: 'error' | 'warn';
}

/**
 * Plans the route from the running version to the target: the fewest hops that meet every floor the
 * notes declare, each stop the latest stable patch of the line a floor names (or the exact version it
 * names) whenever that keeps the hop count minimal. Pure: reads nothing but its arguments.
 * @throws {UpgradeError} `PLAN_TARGET_OLDER`, `PLAN_UNKNOWN_VERSION`, `PLAN_UNSATISFIABLE_FLOOR`,
 * `PLAN_RELEASE_GAP`, `PLAN_CONTRADICTION` or `INVALID_INPUT`; nothing is ever changed.
 */
export function planUpgradePath(options: PlanUpgradePathOptions): UpgradePath {
  const { from, to } = options;
  const includePrereleases = options.includePrereleases ?? false;
  const policy = {
    backup: options.backup ?? 'every-hop',
    includePrereleases,
    onGap: options.onGap ?? 'error',
  };
  checkVersionArg('from', from, false);
  checkVersionArg('to', to, true);
  const releases = validateReleases(options.releases);
  const family = selectFamily(releases, from, to, options.family ?? 'auto');
  const index = indexFamily(releases, family);
  const ends = resolveEnds(index, from, to, includePrereleases);
  const warnings: PlanWarning[] = [...ends.warnings];
  // Keys in schema order, so the plan serialises byte-for-byte like its parsed copy.
  const plan = (end: string, hops: Hop[], needsReview: PlanNeedsReview[]): UpgradePath => ({
    family,
    from: ends.from.version,
    to: end,
    requested: to,
    hops,
    warnings,
    needsReview,
    policy,
  });

  const cmp = ends.target.sv.compare(ends.from.sv);
  if (cmp < 0 && to !== 'latest') throw new TargetOlderError(ends.from.version, ends.target.version, family);
  if (cmp <= 0) return plan(ends.from.version, [], []);

  const window = ends.window;
  const gaps = findGaps(window.map((r) => r.sv));
  if (gaps.length > 0 && policy.onGap === 'error') throw new ReleaseGapError(gaps);
  for (const g of gaps) {
    const text = `No release between ${g.after} and ${g.before} is in the list; its notes could not be checked`;
    warnings.push({ code: 'release-gap', text, version: g.before, line: null });
  }

  const floors: (Floor | null)[] = window.map((r, k) => (k === 0 ? null : releaseFloor(r, warnings)));
  const floorIdx = floors.map((f) => (f ? lowerBound(window, f.min) : 0));
  const eligible = window.map((r, k) => k === window.length - 1 || (k > 0 && !r.prerelease));
  const preferred = floors.map((f, r) => (f ? preferredStop(f, window, eligible, r) : -1));
  const result = selectStops({ n: window.length, floorIdx, eligible, preferred });
  if (!result.ok) {
    const f = floors[result.release]!;
    const release = window[result.release]!.version;
    const at = window[result.stuckAt]!.version;
    throw new UnsatisfiableFloorError({
      version: release,
      floor: f.floor,
      exact: f.exact,
      line: f.line,
      from: at,
    });
  }

  const hops = result.hops.map((h, k) => {
    const crossed = window.slice(h.from + 1, h.to + 1);
    const reasons = hopReasons({ hop: h, next: result.hops[k + 1], window, floors, floorIdx, requested: to });
    return buildHop(window[h.from]!.version, crossed, reasons, policy.backup);
  });
  const needsReview = window
    .slice(1)
    .flatMap((r) =>
      r.notes.needsReview.map((n) => ({ version: r.version, text: n.text, line: n.line, reason: n.reason })),
    );
  return plan(ends.target.version, hops, needsReview);
}

/** The stop a floor names: the exact version, or the latest stable patch of its line before the release. */
function preferredStop(
  floor: Floor,
  window: readonly IndexedRelease[],
  eligible: boolean[],
  release: number,
): number {
  if (floor.exact) {
    const at = lowerBound(window, floor.min);
    return at < release && eligible[at] && window[at]!.sv.compare(floor.min) === 0 ? at : -1;
  }
  for (let j = release - 1; j > 0 && window[j]!.sv.compare(floor.min) >= 0; j--) {
    if (eligible[j] && inLine(floor, window[j]!.sv)) return j;
  }
  return -1;
}

function checkVersionArg(name: 'from' | 'to', value: unknown, latestAllowed: boolean): void {
  if (typeof value === 'string' && ((latestAllowed && value === 'latest') || parseVersion(value))) return;
  throw new InvalidInputError({
    message: `\`${name}\` is ${JSON.stringify(value)}, which is not a semver version${latestAllowed ? " or 'latest'" : ''}`,
    hint: 'Pass a normalised version such as 0.17.0 (the tag family goes in the `family` option)',
  });
}
