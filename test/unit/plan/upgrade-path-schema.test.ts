import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ReleaseNotes } from '../../../src/notes/release-notes';
import {
  type Hop,
  type PlanUpgradePathOptions,
  planUpgradePath,
  type UpgradePath,
  UpgradePathSchema,
} from '../../../src/plan';
import { engramSeries, notes } from './series-notes';

describe('UpgradePath is a value', () => {
  const releases = engramSeries();
  const cases: PlanUpgradePathOptions[] = [
    { from: '0.14.1', to: '1.0.0', releases },
    { from: '0.14.0', to: 'latest', releases, backup: 'when-needed' },
    { from: '1.1.0', to: 'latest', releases },
    {
      from: '0.17.0',
      to: '1.2.0-rc.1',
      releases: [...releases, notes('1.2.0-rc.1', { prerelease: true })],
      includePrereleases: true,
    },
  ];

  it.each(cases)('round-trips through JSON exactly ($from → $to)', (options) => {
    const plan = planUpgradePath(options);
    const back = UpgradePathSchema.parse(JSON.parse(JSON.stringify(plan)));
    expect(back).toStrictEqual(plan);
    expect(JSON.stringify(back)).toBe(JSON.stringify(plan));
  });

  it('keeps optional breaking fields only when the notes had them', () => {
    const plan = planUpgradePath({ from: '0.15.1', to: '0.17.0', releases });
    const [rename, removed] = plan.hops[0]!.breaking;
    expect(rename).toMatchObject({ from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE' });
    expect(Object.keys(removed!)).not.toContain('from');
  });

  it('does not share arrays with the notes it was planned from', () => {
    const own = engramSeries();
    const plan = planUpgradePath({ from: '0.18.1', to: '1.0.0', releases: own });
    own[8]!.upgradeSections[0]!.steps[1]!.commands.push('rm -rf /');
    expect(plan.hops[0]!.manualSteps[1]!.commands).toEqual(['echo "ENGRAM_INSTANCE_NAME=my-engram" >> .env']);
  });

  it('exports the types a caller needs', () => {
    expectTypeOf(planUpgradePath).parameter(0).toEqualTypeOf<PlanUpgradePathOptions>();
    expectTypeOf(planUpgradePath).returns.toEqualTypeOf<UpgradePath>();
    expectTypeOf<PlanUpgradePathOptions['releases']>().toEqualTypeOf<readonly ReleaseNotes[]>();
    expectTypeOf<Hop['rollback']>().toEqualTypeOf<'migrator' | 'restore'>();
    expectTypeOf<Hop['backup']['mode']>().toEqualTypeOf<'online' | 'quiesced'>();
  });
});
