import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChangelog, parseGitHubReleases } from '../../../src/notes';
import { describePath, planUpgradePath } from '../../../src/plan';

// The contract between the two halves: notes parsed from the series' GitHub release fixtures plan the
// same route as the hand-built values in series-notes.ts.
const json = readFileSync(new URL('../../fixtures/releases/github-releases.json', import.meta.url), 'utf8');

describe('planning from parsed GitHub release notes', () => {
  const releases = parseGitHubReleases(json);

  it('0.14.1 → 1.0.0 stops at 0.17.0 and 0.18.1, one-way first hop, upgrade steps on the last', () => {
    const path = planUpgradePath({ from: '0.14.1', to: '1.0.0', releases });
    expect(path.hops.map((h) => h.to)).toEqual(['0.17.0', '0.18.1', '1.0.0']);
    const [first, second, last] = path.hops;
    expect(first).toMatchObject({ oneWay: true, rollback: 'restore', backup: { mode: 'quiesced' } });
    expect(first!.envChanges.renames.map((r) => [r.from, r.to])).toEqual([
      ['REGISTRATION_ENABLED', 'ENGRAM_DEFAULT_REGISTRATION_MODE'],
    ]);
    expect(second!.reasons[0]).toMatchObject({ kind: 'floor', version: '1.0.0', floor: '0.18' });
    expect(last!.envChanges.required.map((r) => r.name)).toContain('ENGRAM_INSTANCE_NAME');
    expect(last!.manualSteps.flatMap((s) => s.commands).join('\n')).toContain('docker compose up -d engram');
  });

  it('describePath prints a breaking change of the notes once, however many findings it holds', () => {
    const text = describePath(planUpgradePath({ from: '0.15.1', to: '0.16.0', releases }));
    const printed = text
      .split('\n')
      .filter((l) => /\((?:env-[a-z]+|removed|manual-step|api|other); 0\.16\.0,/.test(l));
    expect(printed).toEqual([
      '  Breaking changes: config: REGISTRATION_ENABLED is no longer read; set ENGRAM_DEFAULT_REGISTRATION_MODE instead. It is required: the server will not start without it. (env-rename; 0.16.0, line 39)',
    ]);
    // The .env checklist still names both halves of the change.
    expect(text).toContain(
      'rename REGISTRATION_ENABLED to ENGRAM_DEFAULT_REGISTRATION_MODE (0.16.0, line 39)',
    );
    expect(text).toContain('set ENGRAM_DEFAULT_REGISTRATION_MODE, required by 0.16.0 (line 39)');
  });

  it("to 'latest' ends on 1.1.0", () => {
    expect(planUpgradePath({ from: '0.15.0', to: 'latest', releases }).to).toBe('1.1.0');
  });
});

describe('planning from a window of the CHANGELOG', () => {
  const md = readFileSync(new URL('../../fixtures/releases/CHANGELOG.md', import.meta.url), 'utf8');

  it.each([
    ['0.14.1', '1.0.0'],
    ['0.16.0', '0.18.1'],
    ['0.12.0', '0.12.6'],
    ['1.0.0', '1.1.0'],
  ])('%s → %s plans the same path from the versions in the window as from the whole file', (from, to) => {
    const window = parseChangelog(md, { from, to });
    expect(window.length).toBeLessThan(parseChangelog(md).length);
    expect(planUpgradePath({ from, to, releases: window })).toEqual(
      planUpgradePath({ from, to, releases: parseChangelog(md) }),
    );
  });
});
