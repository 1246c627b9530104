import { describe, expect, it } from 'vitest';
import { planUpgradePath } from '../../../src/plan';
import { engramSeries, notes, schemaImpact, UPGRADE_0_18_TO_1_0, withRelease } from './series-notes';

const stops = (path: { hops: { to: string }[] }) => path.hops.map((h) => h.to);

describe('planUpgradePath over the test series', () => {
  const releases = engramSeries();

  it('0.14.1 → 1.0.0 stops at 0.17.0 and 0.18.1', () => {
    const path = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases });
    expect(path.family).toBe('release-v');
    expect(stops(path)).toEqual(['0.17.0', '0.18.1', '1.0.0']);
    expect(path.hops.map((h) => h.releases)).toEqual([
      ['0.15.0', '0.15.1', '0.16.0', '0.17.0'],
      ['0.18.0', '0.18.1'],
      ['1.0.0'],
    ]);
  });

  it('makes the hop that crosses 0.17.0 one-way: quiesced backup, undone by restore', () => {
    const [first, second] = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases }).hops;
    expect(first).toMatchObject({
      oneWay: true,
      oneWayCauses: [{ version: '0.17.0', line: 9 }],
      schemaImpact: { level: 'irreversible', versions: ['0.15.0', '0.16.0', '0.17.0'] },
      backup: { required: true, mode: 'quiesced' },
      rollback: 'restore',
    });
    expect(second).toMatchObject({ oneWay: false, backup: { mode: 'online' }, rollback: 'migrator' });
  });

  it('explains each stop with the release and line that forced it', () => {
    const [first, second, third] = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases }).hops;
    expect(first!.reasons).toEqual([
      expect.objectContaining({ kind: 'floor', version: '0.18.0', line: 12, floor: '0.17', exact: false }),
    ]);
    expect(first!.reasons[0]!.text).toContain('latest stable patch of the 0.17 line');
    expect(second!.reasons).toEqual([
      expect.objectContaining({ kind: 'floor', version: '1.0.0', floor: '0.18' }),
    ]);
    expect(second!.reasons[0]!.text).toContain('0.18.1, the latest stable patch of the 0.18 line');
    expect(third!.reasons).toEqual([{ kind: 'target', text: '1.0.0 is the target' }]);
  });

  it('lists the env rename and the required variable before the hop that needs them', () => {
    const [first, , third] = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases }).hops;
    expect(first!.envChanges).toEqual({
      renames: [
        { version: '0.16.0', from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE', line: 14 },
      ],
      required: [{ version: '0.16.0', name: 'ENGRAM_DEFAULT_REGISTRATION_MODE', line: 15 }],
    });
    expect(first!.breaking.map((b) => [b.version, b.kind, b.line])).toEqual([
      ['0.16.0', 'env-rename', 14],
      ['0.17.0', 'removed', 16],
    ]);
    expect(third!.envChanges.required).toEqual([{ version: '1.0.0', name: 'ENGRAM_INSTANCE_NAME', line: 3 }]);
  });

  it('carries the major upgrade section as manual steps, in order, commands verbatim', () => {
    const last = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases }).hops[2]!;
    expect(last.manualSteps.map((s) => s.line)).toEqual([7, 9, 13]);
    expect(last.manualSteps[2]!.commands).toEqual([
      'docker compose pull engram\ndocker compose up -d engram',
    ]);
    expect(last.manualSteps[1]!.commands).toEqual(UPGRADE_0_18_TO_1_0.steps[1]!.commands);
    expect(last.manualSteps[0]!.section).toEqual({ from: '0.18', to: '1.0', line: 5 });
  });

  it("to 'latest' ends on 1.1.0, crossing 1.0.0 and 1.0.1 from 0.18.1", () => {
    const path = planUpgradePath({ from: '0.14.1', to: 'latest', releases });
    expect(path.to).toBe('1.1.0');
    expect(path.requested).toBe('latest');
    expect(path.hops.at(-1)).toMatchObject({ from: '0.18.1', releases: ['1.0.0', '1.0.1', '1.1.0'] });
    expect(path.hops.at(-1)!.reasons[0]!.text).toBe('1.1.0 is the latest release planned');
  });

  it('carries needsReview up only from releases the path crosses', () => {
    const crossing = planUpgradePath({ from: '0.17.0', to: '0.18.1', releases });
    expect(crossing.needsReview).toEqual([
      {
        version: '0.18.0',
        text: 'Stop background sync before upgrading.',
        line: 20,
        reason: expect.any(String),
      },
    ]);
    expect(planUpgradePath({ from: '0.18.0', to: '1.0.0', releases }).needsReview).toEqual([]);
  });

  it('plans nothing when from === to, including latest', () => {
    expect(planUpgradePath({ from: '0.18.1', to: '0.18.1', releases }).hops).toEqual([]);
    const atLatest = planUpgradePath({ from: '1.1.0', to: 'latest', releases });
    expect(atLatest).toMatchObject({ from: '1.1.0', to: '1.1.0', hops: [], warnings: [] });
  });

  it('goes straight through when no floor is crossed', () => {
    const path = planUpgradePath({ from: '0.17.0', to: '0.18.1', releases });
    expect(path.hops).toHaveLength(1);
    expect(path.hops[0]).toMatchObject({ from: '0.17.0', to: '0.18.1', releases: ['0.18.0', '0.18.1'] });
  });
});

describe('stops and floors', () => {
  it('stops at the latest stable patch of the line, not its first release', () => {
    const releases = [...engramSeries(), notes('0.17.1'), notes('0.17.2')];
    expect(stops(planUpgradePath({ from: '0.15.0', to: '0.18.1', releases }))).toEqual(['0.17.2', '0.18.1']);
  });

  it('keeps a one-way release inside a longer hop one-way', () => {
    const releases = withRelease(engramSeries(), '0.18.0', (n) => ({ ...n, minimumFrom: null }));
    const path = planUpgradePath({ from: '0.15.0', to: '0.18.1', releases });
    expect(path.hops).toHaveLength(1);
    expect(path.hops[0]).toMatchObject({
      releases: ['0.15.1', '0.16.0', '0.17.0', '0.18.0', '0.18.1'],
      oneWay: true,
      backup: { required: true, mode: 'quiesced' },
      rollback: 'restore',
    });
  });

  it('stops at the version an exact floor names', () => {
    const releases = withRelease([...engramSeries(), notes('0.17.1'), notes('0.17.2')], '0.18.0', (n) => ({
      ...n,
      minimumFrom: { version: '0.17.1', exact: true, text: 'requires 0.17.1 or later', line: 4 },
    }));
    const path = planUpgradePath({ from: '0.16.0', to: '0.18.0', releases });
    expect(stops(path)).toEqual(['0.17.1', '0.18.0']);
    expect(path.hops[0]!.reasons[0]!.text).toContain('0.17.1, the version it names');
  });

  it('stops on the line the floor names even when a later stop would also do', () => {
    const releases = withRelease(engramSeries(), '0.18.0', (n) => ({
      ...n,
      minimumFrom: { version: '0.16', exact: false, text: 'needs the 0.16 line', line: 12 },
    }));
    const path = planUpgradePath({ from: '0.15.0', to: '0.18.0', releases });
    expect(stops(path)).toEqual(['0.16.0', '0.18.0']);
    expect(path.hops[1]!.releases).toEqual(['0.17.0', '0.18.0']);
  });

  it('prefers fewer hops over stopping on the named line', () => {
    // 0.18.0 needs the 0.16 line and 0.19.0 the 0.17 line: stopping on 0.16.0 would cost a third hop.
    const releases = [
      ...engramSeries().slice(0, 6),
      notes('0.18.0', { minimumFrom: { version: '0.16', exact: false, text: 'from 0.16', line: 3 } }),
      notes('0.19.0', { minimumFrom: { version: '0.17', exact: false, text: 'from 0.17', line: 4 } }),
    ];
    const path = planUpgradePath({ from: '0.15.0', to: '0.19.0', releases });
    expect(stops(path)).toEqual(['0.17.0', '0.19.0']);
    expect(path.hops[0]!.reasons.map((r) => r.kind === 'floor' && r.version)).toEqual(['0.18.0', '0.19.0']);
    expect(path.hops[0]!.reasons[0]!.text).toContain('last stable release before 0.18.0');
  });

  it('derives a floor from an upgrade section when minimumFrom is missing', () => {
    const releases = withRelease(engramSeries(), '1.0.0', (n) => ({ ...n, minimumFrom: null }));
    const path = planUpgradePath({ from: '0.17.0', to: '1.0.0', releases });
    expect(stops(path)).toEqual(['0.18.1', '1.0.0']);
    expect(path.hops[0]!.reasons[0]).toMatchObject({ source: 'upgrade-section', version: '1.0.0', line: 5 });
  });

  it('uses the higher floor when minimumFrom and an upgrade section disagree, and warns', () => {
    const releases = withRelease(engramSeries(), '1.0.0', (n) => ({
      ...n,
      minimumFrom: { version: '0.17', exact: false, text: 'requires 0.17 or later', line: 2 },
    }));
    const path = planUpgradePath({ from: '0.17.0', to: '1.0.0', releases });
    expect(stops(path)).toEqual(['0.18.1', '1.0.0']);
    expect(path.warnings).toEqual([
      expect.objectContaining({ code: 'floor-sources-differ', version: '1.0.0' }),
    ]);
  });
});

describe('what is planned', () => {
  it('never plans drafts, and says so when one lies in range', () => {
    const releases = [...engramSeries(), notes('0.17.1', { draft: true, oneWay: { text: 'x', line: 1 } })];
    const path = planUpgradePath({ from: '0.15.0', to: '0.17.0', releases });
    expect(path.hops.flatMap((h) => h.releases)).not.toContain('0.17.1');
    const beyond = planUpgradePath({ from: '0.17.0', to: '0.18.1', releases });
    expect(beyond.hops.flatMap((h) => h.releases)).toEqual(['0.18.0', '0.18.1']);
    expect(beyond.warnings).toEqual([expect.objectContaining({ code: 'draft-ignored', version: '0.17.1' })]);
  });

  it('plans prereleases only when asked', () => {
    const releases = [
      ...engramSeries(),
      notes('1.2.0-rc.1', { prerelease: true, schemaImpact: schemaImpact(true) }),
    ];
    expect(planUpgradePath({ from: '1.0.0', to: 'latest', releases }).to).toBe('1.1.0');
    const withPre = planUpgradePath({ from: '1.0.0', to: 'latest', releases, includePrereleases: true });
    expect(withPre.to).toBe('1.2.0-rc.1');
    expect(withPre.hops[0]).toMatchObject({ releases: ['1.0.1', '1.1.0', '1.2.0-rc.1'], oneWay: true });
  });

  it('starts from a running prerelease even when prereleases are not planned', () => {
    const releases = [...engramSeries(), notes('1.0.0-rc.1', { prerelease: true })];
    const path = planUpgradePath({ from: '1.0.0-rc.1', to: '1.0.1', releases });
    expect(path.hops.map((h) => [h.from, h.releases])).toEqual([['1.0.0-rc.1', ['1.0.0', '1.0.1']]]);
    const ahead = [...engramSeries(), notes('1.2.0-rc.1', { prerelease: true })];
    const none = planUpgradePath({ from: '1.2.0-rc.1', to: 'latest', releases: ahead });
    expect(none).toMatchObject({ from: '1.2.0-rc.1', to: '1.2.0-rc.1', hops: [] });
    expect(none.warnings).toEqual([expect.objectContaining({ code: 'ahead-of-latest', version: '1.1.0' })]);
  });

  it('warns about prereleases it steps over', () => {
    const releases = [...engramSeries(), notes('1.0.0-rc.1', { prerelease: true })];
    const path = planUpgradePath({ from: '0.18.1', to: '1.0.0', releases });
    expect(path.hops[0]!.releases).toEqual(['1.0.0']);
    expect(path.warnings).toEqual([
      expect.objectContaining({ code: 'prerelease-skipped', version: '1.0.0-rc.1' }),
    ]);
  });

  it('compares versions only within one tag family', () => {
    const oldProject = ['1.0.3', '2.0.0', '2.8.1'].map((v) => notes(v, { family: 'v', minimumFrom: null }));
    const path = planUpgradePath({
      from: '0.14.1',
      to: 'latest',
      releases: [...engramSeries(), ...oldProject],
    });
    expect(path.family).toBe('release-v');
    expect(path.to).toBe('1.1.0');
  });

  it('plans in the family asked for', () => {
    const bare = engramSeries().map((n) => ({ ...n, family: 'bare' as const, tag: n.version }));
    const path = planUpgradePath({
      from: '0.14.1',
      to: '1.0.0',
      releases: [...engramSeries(), ...bare],
      family: 'bare',
    });
    expect(path.family).toBe('bare');
    expect(stops(path)).toEqual(['0.17.0', '0.18.1', '1.0.0']);
  });

  it("backs up every hop by default, and only where notes announce schema change with 'when-needed'", () => {
    const releases = engramSeries();
    const patchOnly = { from: '0.14.0', to: '0.14.1', releases } as const;
    expect(planUpgradePath(patchOnly).hops[0]!.backup).toMatchObject({ required: true, mode: 'online' });
    expect(planUpgradePath({ ...patchOnly, backup: 'when-needed' }).hops[0]!.backup.required).toBe(false);
    const schema = planUpgradePath({ from: '0.14.1', to: '0.15.0', releases, backup: 'when-needed' });
    expect(schema.hops[0]!.backup).toMatchObject({ required: true, mode: 'online' });
    const oneWay = planUpgradePath({ from: '0.16.0', to: '0.17.0', releases, backup: 'when-needed' });
    expect(oneWay.hops[0]!.backup).toMatchObject({ required: true, mode: 'quiesced' });
  });

  it('is deterministic whatever order the notes arrive in', () => {
    const releases = engramSeries();
    const a = planUpgradePath({ from: '0.14.0', to: 'latest', releases });
    const b = planUpgradePath({ from: '0.14.0', to: 'latest', releases: [...releases].reverse() });
    expect(b).toEqual(a);
  });
});
