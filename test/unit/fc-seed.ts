import type fc from 'fast-check';

/**
 * One seed for every property test of a run, so CI is deterministic and a failure can be replayed.
 *
 * - `FC_SEED` unset: the fixed seed below, the same on every machine.
 * - `FC_SEED=<integer>`: that seed (replay the one a failing run printed).
 * - `FC_SEED=random`: a new seed each run; `npm run test:props` does this with more runs per property.
 *
 * `FC_RUNS_SCALE` multiplies every property's number of runs (default 1).
 */
const FIXED_SEED = 20_260_901;

function readSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return FIXED_SEED;
  if (raw === 'random') return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got "${raw}"`);
  return seed | 0;
}

function readScale(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const scale = Number(raw);
  if (!(scale > 0)) throw new Error(`FC_RUNS_SCALE must be a positive number, got "${raw}"`);
  return scale;
}

export const FC_SEED = readSeed(process.env.FC_SEED);
const SCALE = readScale(process.env.FC_RUNS_SCALE);

// Printed once per test file, so the seed of a failing run is in the output next to the failure.
console.info(
  `fast-check seed ${FC_SEED}${SCALE === 1 ? '' : `, runs ×${SCALE}`} (replay: FC_SEED=${FC_SEED} npx vitest run --project unit <file>)`,
);

/** Parameters for `fc.assert`: the run's seed and `numRuns` scaled by `FC_RUNS_SCALE`. */
export function fcParams<T>(numRuns = 100): fc.Parameters<T> {
  return { seed: FC_SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) };
}
