/**
 * Planning across 1,000 releases with 50 floors, from the oldest release to the latest.
 * Run: npx tsx bench/plan-path.ts   Goal: well under 100 ms per plan.
 */
import { performance } from 'node:perf_hooks';
import type { ReleaseNotes } from '../src/notes/release-notes';
import { planUpgradePath } from '../src/plan';

const RELEASES = 1000;
const FLOORS = 50;
const WARMUP = 5;
const ROUNDS = 60;

/** A small seeded generator so every run plans the same release set. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function release(version: string, rand: () => number): ReleaseNotes {
  const schema = rand() < 0.3;
  return {
    version,
    tag: `release-v${version}`,
    family: 'release-v',
    prerelease: false,
    draft: false,
    sections: [{ title: 'Bug Fixes', line: 3, items: [{ text: 'fix a thing', line: 4 }] }],
    breaking: rand() < 0.1 ? [{ kind: 'removed', text: 'an old flag is removed', line: 7 }] : [],
    envRenames: rand() < 0.02 ? [{ from: `OLD_${version}`, to: `NEW_${version}`, line: 8 }] : [],
    requiredEnv: [],
    oneWay: rand() < 0.02 ? { text: 'irreversible migration', line: 9 } : null,
    schemaImpact: { present: schema, irreversible: false, prs: [], ...(schema ? { line: 1 } : {}) },
    minimumFrom: null,
    upgradeSections: [],
    needsReview: rand() < 0.05 ? [{ text: 'must read before', line: 11, reason: 'unclear' }] : [],
  };
}

function releaseSet(): ReleaseNotes[] {
  const rand = prng(20260901);
  let [major, minor, patch] = [0, 1, 0];
  const list: ReleaseNotes[] = [];
  for (let i = 0; i < RELEASES; i++) {
    list.push(release(`${major}.${minor}.${patch}`, rand));
    const r = rand();
    if (r < 0.03) [major, minor, patch] = [major + 1, 0, 0];
    else if (r < 0.3) [minor, patch] = [minor + 1, 0];
    else patch += 1;
  }
  const floored = new Set<number>();
  while (floored.size < FLOORS) floored.add(10 + Math.floor(rand() * (RELEASES - 10)));
  for (const at of floored) {
    const back = list[at - 1 - Math.floor(rand() * 8)]!;
    const [ma, mi] = back.version.split('.');
    const exact = rand() < 0.2;
    const version = exact ? back.version : `${ma}.${mi}`;
    list[at] = { ...list[at]!, minimumFrom: { version, exact, text: `requires ${version}`, line: 5 } };
  }
  return list.reverse(); // newest first, like the GitHub API
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const releases = releaseSet();
const from = releases.at(-1)!.version;
let hops = 0;
for (let i = 0; i < WARMUP; i++) planUpgradePath({ from, to: 'latest', releases });
const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  const plan = planUpgradePath({ from, to: 'latest', releases });
  times.push(performance.now() - t0);
  hops = plan.hops.length;
}
times.sort((a, b) => a - b);
const round = (n: number) => Math.round(n * 1000) / 1000;
const result = {
  bench: 'plan-path',
  releases: RELEASES,
  floors: FLOORS,
  rounds: ROUNDS,
  hops,
  medianMs: round(percentile(times, 50)),
  p95Ms: round(percentile(times, 95)),
  minMs: round(times[0]!),
  maxMs: round(times.at(-1)!),
  goalMs: 100,
};
console.log(`plan-path: ${RELEASES} releases, ${FLOORS} floors, ${from} → latest in ${hops} hops`);
console.log(`  median ${result.medianMs} ms, p95 ${result.p95Ms} ms over ${ROUNDS} rounds (goal < 100 ms)`);
console.log(JSON.stringify(result));
