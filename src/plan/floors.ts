import semver, { type SemVer } from 'semver';
import { InvalidInputError } from '../errors/upgrade-error';
import { PlanContradictionError } from './plan-errors';
import type { IndexedRelease } from './release-index';
import type { PlanWarning } from './upgrade-path';

/**
 * "This release may only be applied directly from `min` or later." A line floor ("0.17") is met by any
 * version of that line or later; an exact floor ("0.17.2") by that version or later.
 */
export interface Floor {
  /** The floor as the notes name it. */
  floor: string;
  exact: boolean;
  min: SemVer;
  /** The line a non-exact floor names; `minor` is null for a whole major ("1"). */
  lineOf: { major: number; minor: number | null } | null;
  source: 'minimum-from' | 'upgrade-section';
  line: number;
  quote: string;
}

const VERSIONISH = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-([0-9A-Za-z.-]+))?$/;

/** Reads "0.17", "0.17.x", "1", "0.17.2" or "0.17.2-rc.1". Returns null when it is none of those. */
export function readFloorVersion(
  text: string,
  exact: boolean,
): Pick<Floor, 'min' | 'lineOf' | 'exact' | 'floor'> | null {
  const m = VERSIONISH.exec(text.trim());
  if (!m) return null;
  const num = (s: string | undefined) => (s === undefined || s === 'x' || s === '*' ? null : Number(s));
  const major = Number(m[1]);
  const minor = num(m[2]);
  const patch = minor === null ? null : num(m[3]);
  const pre = m[4] && patch !== null ? `-${m[4]}` : '';
  const min = semver.parse(`${major}.${minor ?? 0}.${patch ?? 0}${pre}`);
  if (!min) return null;
  const isExact = exact && patch !== null;
  const floor = isExact ? min.version : minor === null ? `${major}` : `${major}.${minor}`;
  return { floor, exact: isExact, min, lineOf: isExact ? null : { major, minor } };
}

/** True when `sv` belongs to the line a non-exact floor names. */
export function inLine(floor: Floor, sv: SemVer): boolean {
  if (!floor.lineOf) return sv.compare(floor.min) === 0;
  return sv.major === floor.lineOf.major && (floor.lineOf.minor === null || sv.minor === floor.lineOf.minor);
}

/** True when an "Upgrade from X to Y" section's `Y` names this release's line or the release itself. */
function sectionTargets(to: string, sv: SemVer): boolean {
  const target = readFloorVersion(to, true);
  if (!target) return false;
  if (target.exact) return target.min.compare(sv) === 0;
  return inLine({ ...target, source: 'upgrade-section', line: 0, quote: '' }, sv);
}

/**
 * The floor a release imposes: its `minimumFrom`, raised by any upgrade section aimed at this release
 * that starts from a higher line (the section's steps assume that line). The higher one wins, because
 * planning from a lower one would run steps written for a state the database is not in.
 */
export function releaseFloor(release: IndexedRelease, warnings: PlanWarning[]): Floor | null {
  const { notes, sv, version } = release;
  const candidates: Floor[] = [];
  if (notes.minimumFrom) {
    const read = readFloorVersion(notes.minimumFrom.version, notes.minimumFrom.exact);
    if (!read) {
      throw new InvalidInputError({
        message: `The floor "${notes.minimumFrom.version}" in the ${version} notes (line ${notes.minimumFrom.line}) is not a version or a version line`,
        hint: `Read line ${notes.minimumFrom.line} of the ${version} notes and correct the parsed minimumFrom`,
        version,
      });
    }
    candidates.push({
      ...read,
      source: 'minimum-from',
      line: notes.minimumFrom.line,
      quote: notes.minimumFrom.text,
    });
  }
  for (const section of notes.upgradeSections) {
    const read = readFloorVersion(section.from, false);
    if (!read || !sectionTargets(section.to, sv)) continue;
    const quote = `Upgrade from ${section.from} to ${section.to}`;
    candidates.push({ ...read, source: 'upgrade-section', line: section.line, quote });
  }
  let best: Floor | null = null;
  for (const c of candidates) if (!best || c.min.compare(best.min) > 0) best = c;
  if (best && candidates.some((c) => c.min.compare(best.min) !== 0)) {
    const named = candidates.map((c) => `${c.floor} (line ${c.line})`).join(' and ');
    warnings.push({
      code: 'floor-sources-differ',
      text: `The ${version} notes name different floors, ${named}; planning uses the higher one, ${best.floor}`,
      version,
      line: best.line,
    });
  }
  if (best && best.min.compare(sv) >= 0) {
    throw new PlanContradictionError(
      version,
      `The ${version} notes (line ${best.line}) say it may only be applied from ${best.floor} or later, which is not older than ${version} itself`,
      `Read line ${best.line} of the ${version} notes ("${best.quote}") and correct the floor; no path can satisfy it`,
    );
  }
  return best;
}
