/**
 * The stop-selection core, over indices only. Position 0 is the running version, `n - 1` the target.
 *
 * A hop from `a` to `b` crosses every release in `(a, b]` and is allowed when each of them has
 * `floorIdx[r] <= a` (the running version already meets its floor). Because raising `a` only removes
 * crossed releases and only helps floors, how far a hop can reach never shrinks as `a` grows; so the
 * fewest hops from a position are one more than from the farthest stop it can reach, and a single
 * backward pass gives every position's distance to the target.
 */
export interface StopInput {
  /** Number of positions (running version, crossed releases, target). */
  n: number;
  /** Per position: the lowest position that meets its floor (0 when it has none). */
  floorIdx: readonly number[];
  /** Per position: may the path stop here (stable releases and the target). */
  eligible: readonly boolean[];
  /** Per position with a floor: the stop the floor names (latest stable patch of its line), or -1. */
  preferred: readonly number[];
}

export interface StopHop {
  from: number;
  to: number;
  /** The release whose floor ended the hop here (-1 for the final hop). */
  blockedBy: number;
}

export type StopResult = { ok: true; hops: StopHop[] } | { ok: false; stuckAt: number; release: number };

export function selectStops(input: StopInput): StopResult {
  const { n, floorIdx, eligible, preferred } = input;
  const floored: number[] = [];
  for (let r = 1; r < n; r++) if (floorIdx[r]! > 0) floored.push(r);

  const blocking = (i: number): number => {
    for (const r of floored) if (r > i && floorIdx[r]! > i) return r;
    return -1;
  };
  const prevEligible: number[] = new Array(n);
  for (let k = 0, last = 0; k < n; k++) {
    if (k === 0 || eligible[k]) last = k;
    prevEligible[k] = last;
  }
  const reach = new Array<number>(n);
  const block = new Array<number>(n);
  const dist = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  dist[n - 1] = 0;
  for (let i = n - 2; i >= 0; i--) {
    if (i !== 0 && !eligible[i]) continue;
    block[i] = blocking(i);
    reach[i] = block[i] === -1 ? n - 1 : block[i]! - 1;
    const far = prevEligible[reach[i]!]!;
    if (far > i) dist[i] = dist[far]! + 1;
  }

  if (!Number.isFinite(dist[0])) {
    let k = 0;
    while (prevEligible[reach[k]!]! > k) k = prevEligible[reach[k]!]!;
    return { ok: false, stuckAt: k, release: block[k]! };
  }

  const hops: StopHop[] = [];
  let i = 0;
  while (i !== n - 1) {
    if (reach[i] === n - 1) {
      hops.push({ from: i, to: n - 1, blockedBy: -1 });
      break;
    }
    const r = block[i]!;
    const p = preferred[r] ?? -1;
    const next =
      p > i && p <= reach[i]! && eligible[p] && dist[p] === dist[i]! - 1 ? p : prevEligible[reach[i]!]!;
    hops.push({ from: i, to: next, blockedBy: r });
    i = next;
  }
  return { ok: true, hops };
}
