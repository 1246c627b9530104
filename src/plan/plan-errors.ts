import { UpgradeError } from '../errors/upgrade-error';
import type { TagFamily } from '../notes/release-notes';

const NOTHING_CHANGED = 'Nothing was changed: planning only reads release notes';

/** The target is older than the running version: that is a rollback, not an upgrade. */
export class TargetOlderError extends UpgradeError {
  override readonly name = 'TargetOlderError';
  readonly from: string;
  readonly to: string;
  constructor(from: string, to: string, family: TagFamily) {
    super('PLAN_TARGET_OLDER', {
      message: `The target ${to} is older than the running version ${from} (${family} tags)`,
      unchanged: NOTHING_CHANGED,
      hint: `Going back to ${to} is a rollback: use the rollback recorded for the upgrade that left ${to} (the migrator from the newer image, or restoring the backup taken before it), not an upgrade plan`,
      version: to,
    });
    this.from = from;
    this.to = to;
  }
}

/** `from` or `to` is not a release in the list (or is a draft, or a prerelease that was not asked for). */
export class UnknownVersionError extends UpgradeError {
  override readonly name = 'UnknownVersionError';
  readonly nearest: readonly string[];
  constructor(
    role: 'running' | 'target',
    version: string,
    family: TagFamily | null,
    nearest: string[],
    why?: string,
  ) {
    const where = family ? `the ${family} releases` : 'any tag family of the releases';
    const list =
      nearest.length > 0 ? `The nearest known versions are ${nearest.join(', ')}` : 'No release is known';
    super('PLAN_UNKNOWN_VERSION', {
      message: `The ${role} version ${version} is not among ${where}${why ? ` (${why})` : ''}`,
      unchanged: NOTHING_CHANGED,
      hint: `${list}; check the version, or load the notes that cover it`,
      version,
    });
    this.nearest = nearest;
  }
}

/** A release's floor names versions of which no usable release is in the list. */
export class UnsatisfiableFloorError extends UpgradeError {
  override readonly name = 'UnsatisfiableFloorError';
  readonly floor: string;
  readonly line: number;
  constructor(details: { version: string; floor: string; exact: boolean; line: number; from: string }) {
    const { version, floor, exact, line, from } = details;
    const named = exact ? floor : `the ${floor} line`;
    super('PLAN_UNSATISFIABLE_FLOOR', {
      message: `${version} may only be applied from ${named} or later (its notes, line ${line}), and no stable release at or after that floor and before ${version} is in the list to stop at on the way from ${from}`,
      unchanged: NOTHING_CHANGED,
      hint: `Load the notes of ${named} (or pass includePrereleases if only a prerelease exists there), or check line ${line} of the ${version} notes`,
      version,
    });
    this.floor = floor;
    this.line = line;
  }
}

/** Releases between two known ones seem to be missing, so their constraints cannot be seen. */
export class ReleaseGapError extends UpgradeError {
  override readonly name = 'ReleaseGapError';
  readonly gaps: readonly { after: string; before: string }[];
  constructor(gaps: { after: string; before: string }[]) {
    const list = gaps.map((g) => `${g.after} → ${g.before}`).join(', ');
    super('PLAN_RELEASE_GAP', {
      message: `The release list skips versions between ${list}; a missing release may carry a floor or a one-way migration`,
      unchanged: NOTHING_CHANGED,
      hint: `Load the notes of the missing releases, or pass onGap: 'warn' if those versions were never published`,
      version: gaps[0]?.before,
    });
    this.gaps = gaps;
  }
}

/** The notes contradict each other or themselves (a floor at or above its own release, disagreeing duplicates). */
export class PlanContradictionError extends UpgradeError {
  override readonly name = 'PlanContradictionError';
  constructor(version: string, what: string, hint: string) {
    super('PLAN_CONTRADICTION', { message: what, unchanged: NOTHING_CHANGED, hint, version });
  }
}
