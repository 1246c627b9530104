import { describe, expect, it } from 'vitest';
import { parseChangelog } from '../../../src/notes/parse-changelog';
import { parseGitHubReleases } from '../../../src/notes/parse-github-releases';
import { type ReleaseNotes, ReleaseNotesSchema } from '../../../src/notes/release-notes';
import { SERIES } from '../../../testbed/series';
import { fixture, githubReleases } from './fixtures';

// The fixtures must say, in prose, exactly what testbed/series.ts declares. These tests hold each
// release's parsed notes against its declaration, so a wording the parser misses fails here.
const sources: [string, () => ReleaseNotes[]][] = [
  ['CHANGELOG.md', () => parseChangelog(fixture('CHANGELOG.md'))],
  ['GitHub releases', () => parseGitHubReleases(githubReleases())],
];

describe.each(sources)('the test series as read from %s', (_name, load) => {
  const all = load();
  const byVersion = new Map(all.map((n) => [n.version, n]));

  it('has every release of the series, each valid against the schema and JSON-safe', () => {
    for (const decl of SERIES) expect(byVersion.has(decl.version), decl.version).toBe(true);
    for (const notes of all) {
      expect(ReleaseNotesSchema.parse(notes)).toEqual(notes);
      expect(JSON.parse(JSON.stringify(notes))).toEqual(notes);
    }
  });

  // A variable stays required once a release requires it; the notes announce it only the first time.
  const earlier = (i: number) => SERIES.slice(0, i).flatMap((d) => d.requiredEnv ?? []);
  it.each(SERIES.map((d, i) => [d.version, d, earlier(i)] as const))(
    '%s matches its declaration',
    (version, decl, prior) => {
      const notes = byVersion.get(version)!;
      expect(notes.envRenames.map(({ from, to }) => ({ from, to }))).toEqual(decl.renamedEnv ?? []);
      const newlyRequired = (decl.requiredEnv ?? []).filter((n) => !prior.includes(n));
      expect(notes.requiredEnv.map((r) => r.name)).toEqual(newlyRequired);
      expect(notes.upgradeSections.length).toBe(version === '1.0.0' ? 1 : 0);
      expect(notes.needsReview).toEqual([]);
    },
  );

  it('carries the floors: 0.18.0 only from the 0.17 line, 1.0.0 from the 0.18 line, nothing else', () => {
    const floors = all
      .filter((n) => n.minimumFrom)
      .map((n) => [n.version, n.minimumFrom?.version, n.minimumFrom?.exact]);
    expect(floors).toEqual([
      ['1.0.0', '0.18', false],
      ['0.18.0', '0.17', false],
    ]);
  });

  it('1.0.0 has the "Upgrade from 0.18 to 1.0" steps with their commands', () => {
    const [section] = byVersion.get('1.0.0')!.upgradeSections;
    expect(section).toMatchObject({ from: '0.18', to: '1.0' });
    expect(section?.steps.map((s) => s.commands)).toEqual([
      ['curl -sf http://localhost:4000/api/health'],
      [
        'docker compose exec -T postgres pg_dump -U engram engram --clean --if-exists | gzip > engram-before-1.0.sql.gz',
      ],
      [],
      ['docker compose pull engram', 'docker compose up -d engram'],
    ]);
    expect(section?.steps[2]?.text).toMatch(/^Add ENGRAM_INSTANCE_NAME to your \.env/);
  });

  it('breaking changes are recorded where the notes flag them', () => {
    const kinds = (v: string) => byVersion.get(v)!.breaking.map((b) => b.kind);
    // One bullet is one change: the 0.16.0 rename and "it is required" are the same item; the
    // requirement is still listed in requiredEnv.
    expect(kinds('0.16.0')).toEqual(['env-rename']);
    expect(byVersion.get('0.16.0')!.requiredEnv.map((r) => r.name)).toEqual([
      'ENGRAM_DEFAULT_REGISTRATION_MODE',
    ]);
    expect(kinds('0.17.0')).toEqual(['removed']);
    expect(kinds('1.0.0')).toEqual(['env-required', 'other', 'api']);
    for (const v of ['0.14.1', '0.15.0', '0.15.1', '0.18.1', '1.0.1', '1.1.0']) expect(kinds(v)).toEqual([]);
  });
});

describe('one-way releases', () => {
  it('the CHANGELOG announces the 0.17.0 drop in words', () => {
    const notes = parseChangelog(fixture('CHANGELOG.md'));
    expect(notes.filter((n) => n.oneWay).map((n) => n.version)).toEqual(['0.17.0']);
  });

  it('GitHub bodies mark exactly the releases with an irreversible migration (SCHEMA-IMPACT ending)', () => {
    const notes = parseGitHubReleases(githubReleases());
    const declared = SERIES.filter((d) => d.migrations.some((m) => m.irreversible)).map((d) => d.version);
    expect(
      notes
        .filter((n) => n.oneWay)
        .map((n) => n.version)
        .sort(),
    ).toEqual(declared.sort());
    for (const n of notes) expect(n.schemaImpact.irreversible).toBe(n.oneWay !== null);
  });

  it('a concrete rollback target is the first migration the release applied', () => {
    for (const n of parseGitHubReleases(githubReleases())) {
      if (!n.schemaImpact.rollbackTo) continue;
      const decl = SERIES.find((d) => d.version === n.version)!;
      expect(n.schemaImpact.rollbackTo).toBe(decl.migrations[0]?.version);
    }
  });
});
