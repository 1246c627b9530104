import { describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors/upgrade-error';
import type { ReleaseNotes } from '../../../src/notes/release-notes';
import {
  PlanContradictionError,
  type PlanUpgradePathOptions,
  planUpgradePath,
  ReleaseGapError,
  TargetOlderError,
  UnknownVersionError,
  UnsatisfiableFloorError,
} from '../../../src/plan';
import { engramSeries, notes, withRelease } from './series-notes';

function planError(options: PlanUpgradePathOptions): UpgradeError {
  try {
    planUpgradePath(options);
  } catch (error) {
    expect(error).toBeInstanceOf(UpgradeError);
    const e = error as UpgradeError;
    expect(e.message).toContain('Nothing was changed');
    return e;
  }
  throw new Error('planUpgradePath did not throw');
}

const floor = (version: string, exact = false): ReleaseNotes['minimumFrom'] => ({
  version,
  exact,
  text: `requires ${version} or later`,
  line: 12,
});

describe('planUpgradePath errors', () => {
  const releases = engramSeries();

  it('PLAN_TARGET_OLDER points to rollback', () => {
    const e = planError({ from: '1.0.0', to: '0.17.0', releases });
    expect(e).toBeInstanceOf(TargetOlderError);
    expect(e.code).toBe('PLAN_TARGET_OLDER');
    expect(e.message).toMatch(/rollback/);
    expect(e.version).toBe('0.17.0');
  });

  it('PLAN_UNKNOWN_VERSION lists the nearest known versions', () => {
    const running = planError({ from: '0.16.5', to: '1.0.0', releases });
    expect(running).toBeInstanceOf(UnknownVersionError);
    expect(running.code).toBe('PLAN_UNKNOWN_VERSION');
    expect((running as UnknownVersionError).nearest).toEqual(['0.15.1', '0.16.0', '0.17.0', '0.18.0']);
    expect(running.message).toContain('0.16.0, 0.17.0');

    const target = planError({ from: '0.14.1', to: '2.0.0', releases }) as UnknownVersionError;
    expect(target.code).toBe('PLAN_UNKNOWN_VERSION');
    expect(target.nearest).toEqual(['1.0.1', '1.1.0']);
  });

  it('PLAN_UNKNOWN_VERSION explains a draft or a prerelease target', () => {
    const withDraft = [...releases, notes('1.2.0', { draft: true })];
    expect(planError({ from: '1.1.0', to: '1.2.0', releases: withDraft }).message).toMatch(/draft/);
    const withPre = [...releases, notes('1.2.0-rc.1', { prerelease: true })];
    const e = planError({ from: '1.1.0', to: '1.2.0-rc.1', releases: withPre });
    expect(e.code).toBe('PLAN_UNKNOWN_VERSION');
    expect(e.message).toMatch(/includePrereleases/);
  });

  it('PLAN_UNSATISFIABLE_FLOOR when no release of the named line is available', () => {
    const no017 = withRelease(releases, '0.17.0', null);
    const e = planError({ from: '0.15.0', to: '0.18.0', releases: no017, onGap: 'warn' });
    expect(e).toBeInstanceOf(UnsatisfiableFloorError);
    expect(e.code).toBe('PLAN_UNSATISFIABLE_FLOOR');
    expect(e.version).toBe('0.18.0');
    expect(e.message).toContain('the 0.17 line');
  });

  it('PLAN_UNSATISFIABLE_FLOOR when an exact floor names a version that is not there', () => {
    const exact = withRelease(releases, '0.18.0', (n) => ({ ...n, minimumFrom: floor('0.17.5', true) }));
    const e = planError({ from: '0.16.0', to: '0.18.1', releases: exact });
    expect(e.code).toBe('PLAN_UNSATISFIABLE_FLOOR');
    expect((e as UnsatisfiableFloorError).floor).toBe('0.17.5');
  });

  it('PLAN_RELEASE_GAP when a release is missing, and a warning with onGap: warn', () => {
    const no016 = withRelease(releases, '0.16.0', null);
    const e = planError({ from: '0.15.0', to: '0.17.0', releases: no016 });
    expect(e).toBeInstanceOf(ReleaseGapError);
    expect(e.code).toBe('PLAN_RELEASE_GAP');
    expect((e as ReleaseGapError).gaps).toEqual([{ after: '0.15.1', before: '0.17.0' }]);
    const path = planUpgradePath({ from: '0.15.0', to: '0.17.0', releases: no016, onGap: 'warn' });
    expect(path.hops[0]!.releases).toEqual(['0.15.1', '0.17.0']);
    expect(path.warnings).toEqual([expect.objectContaining({ code: 'release-gap', version: '0.17.0' })]);
  });

  it('does not report gaps outside the planned range', () => {
    const no016 = withRelease(releases, '0.16.0', null);
    expect(planUpgradePath({ from: '0.17.0', to: '1.0.0', releases: no016 }).hops).toHaveLength(2);
  });

  it('PLAN_CONTRADICTION when a floor is not older than its own release', () => {
    const cyclic = withRelease(releases, '0.18.0', (n) => ({ ...n, minimumFrom: floor('0.18') }));
    const e = planError({ from: '0.17.0', to: '0.18.1', releases: cyclic });
    expect(e).toBeInstanceOf(PlanContradictionError);
    expect(e.code).toBe('PLAN_CONTRADICTION');
    expect(e.message).toContain('line 12');
  });

  it('PLAN_CONTRADICTION when two notes for one version disagree', () => {
    const twice = [...releases, notes('0.17.0')];
    expect(planError({ from: '0.16.0', to: '0.17.0', releases: twice }).code).toBe('PLAN_CONTRADICTION');
    const same = [...releases, engramSeries()[5]!];
    expect(planUpgradePath({ from: '0.16.0', to: '0.17.0', releases: same }).hops).toHaveLength(1);
  });

  it('INVALID_INPUT for a version that is not semver', () => {
    expect(planError({ from: 'release-v0.17.0', to: '1.0.0', releases }).code).toBe('INVALID_INPUT');
    expect(planError({ from: '0.17.0', to: 'newest', releases }).code).toBe('INVALID_INPUT');
  });

  it('INVALID_INPUT for notes that do not match the schema', () => {
    const broken = [{ ...releases[0]!, family: 'tags' }] as unknown as ReleaseNotes[];
    const e = planError({ from: '0.14.0', to: '0.14.0', releases: broken });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('releases[0].family');
  });

  it('INVALID_INPUT for a floor that is not a version', () => {
    const odd = withRelease(releases, '0.18.0', (n) => ({ ...n, minimumFrom: floor('the previous minor') }));
    const e = planError({ from: '0.17.0', to: '0.18.0', releases: odd });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('line 12');
  });

  it('INVALID_INPUT when the running version exists in several tag families', () => {
    const bare = releases.map((n) => ({ ...n, family: 'bare' as const }));
    const e = planError({ from: '0.14.1', to: '1.0.0', releases: [...releases, ...bare] });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/family: 'release-v'/);
  });
});
