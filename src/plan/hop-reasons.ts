import { type Floor, inLine } from './floors';
import type { IndexedRelease } from './release-index';
import type { StopHop } from './select-stops';
import type { HopReason } from './upgrade-path';

export interface HopReasonsInput {
  hop: StopHop;
  next: StopHop | undefined;
  window: readonly IndexedRelease[];
  floors: readonly (Floor | null)[];
  floorIdx: readonly number[];
  requested: string;
}

/**
 * Why a hop ends where it does: the target, or the floors that could not be met from the hop's start.
 * Cites the release that blocked the hop and every release of the next hop whose floor the hop's start
 * was below, so each stop is explained by every constraint that forced it.
 */
export function hopReasons({ hop, next, window, floors, floorIdx, requested }: HopReasonsInput): HopReason[] {
  const stop = window[hop.to]!;
  if (hop.blockedBy === -1) {
    const text =
      requested === 'latest'
        ? `${stop.version} is the latest release planned`
        : `${stop.version} is the target`;
    return [{ kind: 'target', text }];
  }
  const forcing = [hop.blockedBy];
  if (next) {
    for (let r = next.from + 1; r <= next.to; r++)
      if (r !== hop.blockedBy && floorIdx[r]! > hop.from) forcing.push(r);
  }
  forcing.sort((a, b) => a - b);
  const start = window[hop.from]!.version;
  return forcing.map((r) => {
    const floor = floors[r]!;
    const release = window[r]!.version;
    const named = floor.exact ? floor.floor : `the ${floor.floor} line`;
    const where = `${release} notes, line ${floor.line}`;
    let text = `${release} may only be applied from ${named} or later (${where}) and ${start} is older`;
    if (r === hop.blockedBy) text += `; ${stopWhy(floor, stop, release)}`;
    return {
      kind: 'floor' as const,
      text,
      version: release,
      line: floor.line,
      floor: floor.floor,
      exact: floor.exact,
      source: floor.source,
      quote: floor.quote,
    };
  });
}

function stopWhy(floor: Floor, stop: IndexedRelease, release: string): string {
  if (floor.exact && stop.sv.compare(floor.min) === 0)
    return `the hop stops at ${stop.version}, the version it names`;
  if (!floor.exact && inLine(floor, stop.sv)) {
    return `the hop stops at ${stop.version}, the latest stable patch of the ${floor.floor} line`;
  }
  return `the hop stops at ${stop.version}, the last stable release before ${release} that keeps the path shortest`;
}
