import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors/upgrade-error';
import type { ReleaseNotes } from '../../../src/notes/release-notes';
import { planUpgradePath, UpgradePathSchema } from '../../../src/plan';
import { fcParams } from '../fc-seed';
import { notes } from './series-notes';

type Bump = 'patch' | 'minor' | 'major';
interface FloorSpec {
  on: number;
  to: number;
  kind: 'exact' | 'line' | 'major';
}
interface Scenario {
  releases: ReleaseNotes[];
  from: string;
  to: string;
  includePrereleases: boolean;
}

/** Contiguous versions (no gaps), some flagged prerelease, random floors that point strictly backwards. */
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    bumps: fc.array(fc.constantFrom<Bump>('patch', 'patch', 'minor', 'minor', 'major'), {
      minLength: 1,
      maxLength: 24,
    }),
    pre: fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
    floors: fc.array(
      fc.record({
        on: fc.nat(),
        to: fc.nat(),
        kind: fc.constantFrom<FloorSpec['kind']>('exact', 'line', 'major'),
      }),
      { maxLength: 20 },
    ),
    ends: fc.tuple(fc.nat(), fc.nat()),
    includePrereleases: fc.boolean(),
  })
  .map(({ bumps, pre, floors, ends, includePrereleases }) => {
    const versions = ['0.1.0'];
    for (const b of bumps) versions.push(semver.inc(versions.at(-1)!, b)!);
    const n = versions.length;
    const minimum = new Map<number, ReleaseNotes['minimumFrom']>();
    for (const f of floors) {
      const on = 1 + (f.on % (n - 1));
      const base = semver.parse(versions[f.to % on]!)!;
      const version =
        f.kind === 'exact'
          ? base.version
          : f.kind === 'line'
            ? `${base.major}.${base.minor}`
            : `${base.major}`;
      if (semver.gte(floorMin({ version, exact: f.kind === 'exact' }), versions[on]!)) continue;
      minimum.set(on, { version, exact: f.kind === 'exact', text: `needs ${version}`, line: on + 1 });
    }
    const releases = versions.map((v, i) =>
      notes(v, { prerelease: i > 0 && pre[i]!, minimumFrom: minimum.get(i) ?? null }),
    );
    const usable = releases.filter((r) => includePrereleases || !r.prerelease);
    // Long ranges cross many floors, which is where stop choice matters.
    const third = Math.ceil(usable.length / 3);
    const a = ends[0] % third;
    const b = usable.length - 1 - (ends[1] % third);
    return {
      releases,
      from: usable[Math.min(a, b)]!.version,
      to: usable[Math.max(a, b)]!.version,
      includePrereleases,
    };
  });

/** The lowest version a floor accepts, computed here independently of the planner. */
function floorMin(f: { version: string; exact: boolean }): string {
  const parts = f.version.split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

/** Brute force: every allowed hop between stable stops, breadth-first, from the target backwards. */
function oracle(s: Scenario) {
  const window = s.releases.filter(
    (r) =>
      semver.gte(r.version, s.from) && semver.lte(r.version, s.to) && (s.includePrereleases || !r.prerelease),
  );
  const versions = window.map((r) => r.version);
  const canStop = (i: number) => i === window.length - 1 || !window[i]!.prerelease;
  const allowed = (a: number, b: number) =>
    window
      .slice(a + 1, b + 1)
      .every((r) => !r.minimumFrom || semver.gte(versions[a]!, floorMin(r.minimumFrom)));
  const dist = new Array<number>(window.length).fill(Number.POSITIVE_INFINITY);
  dist[window.length - 1] = 0;
  for (let a = window.length - 2; a >= 0; a--) {
    if (a > 0 && !canStop(a)) continue;
    for (let b = a + 1; b < window.length; b++) {
      if (canStop(b) && allowed(a, b)) dist[a] = Math.min(dist[a]!, dist[b]! + 1);
    }
  }
  return { window, versions, allowed, dist, canStop };
}

describe('planUpgradePath properties', () => {
  it('plans the fewest hops, each meeting every floor it crosses, or says no path exists', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const o = oracle(s);
        let path: ReturnType<typeof planUpgradePath>;
        try {
          path = planUpgradePath({ ...s, onGap: 'warn' });
        } catch (error) {
          expect(error).toBeInstanceOf(UpgradeError);
          expect((error as UpgradeError).code).toBe('PLAN_UNSATISFIABLE_FLOOR');
          expect(o.dist[0]).toBe(Number.POSITIVE_INFINITY);
          return;
        }
        expect(path.hops.length).toBe(o.dist[0]);
        let at = s.from;
        for (const hop of path.hops) {
          expect(hop.from).toBe(at);
          const a = o.versions.indexOf(hop.from);
          const b = o.versions.indexOf(hop.to);
          expect(hop.releases).toEqual(o.versions.slice(a + 1, b + 1));
          expect(o.allowed(a, b)).toBe(true);
          expect(o.canStop(b)).toBe(true);
          at = hop.to;
        }
        expect(at).toBe(s.to);
      }),
      fcParams(800),
    );
  });

  it('stops on the line the blocking floor names whenever that keeps the path shortest', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const o = oracle(s);
        if (!Number.isFinite(o.dist[0])) return;
        const path = planUpgradePath({ ...s, onGap: 'warn' });
        for (const hop of path.hops.slice(0, -1)) {
          const a = o.versions.indexOf(hop.from);
          const blocking = o.window.findIndex(
            (r, i) => i > a && r.minimumFrom && semver.lt(hop.from, floorMin(r.minimumFrom)),
          );
          const f = o.window[blocking]!.minimumFrom!;
          const named = o.window
            .map((r, i) => ({ r, i }))
            .filter(({ i }) => i > a && i < blocking && o.canStop(i))
            .filter(({ r }) =>
              f.exact ? r.version === f.version : `${r.version}.`.startsWith(`${f.version}.`),
            )
            .at(-1);
          if (named && o.allowed(a, named.i) && o.dist[named.i] === o.dist[a]! - 1) {
            expect(hop.to).toBe(named.r.version);
          }
        }
      }),
      fcParams(300),
    );
  });

  it('round-trips through JSON and is the same whatever order the notes arrive in', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (s, seed) => {
        if (!Number.isFinite(oracle(s).dist[0])) return;
        const path = planUpgradePath({ ...s, onGap: 'warn' });
        expect(UpgradePathSchema.parse(JSON.parse(JSON.stringify(path)))).toEqual(path);
        const shuffled = [...s.releases].sort(
          (x, y) => ((x.version.length * 31 + seed) % 7) - ((y.version.length * 31 + seed) % 7),
        );
        expect(planUpgradePath({ ...s, releases: shuffled, onGap: 'warn' })).toEqual(path);
      }),
      fcParams(150),
    );
  });
});
