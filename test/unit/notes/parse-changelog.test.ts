import { describe, expect, expectTypeOf, it } from 'vitest';
import * as notesApi from '../../../src/notes';
import { parseChangelog } from '../../../src/notes/parse-changelog';
import type { ReleaseNotes } from '../../../src/notes/release-notes';
import { fixture, lineOf } from './fixtures';

const text = fixture('CHANGELOG.md');
const notes = parseChangelog(text);

describe('parseChangelog over the release-please fixture', () => {
  it('reads all 26 versions in file order, including the untagged 0.5.688 seed', () => {
    expect(notes).toHaveLength(26);
    expect(notes[0]?.version).toBe('1.1.0');
    expect(notes.at(-1)).toMatchObject({ version: '0.5.688', family: 'bare', date: '2026-07-21' });
    expect(notes.every((n) => n.tag === undefined && n.family === 'bare')).toBe(true);
  });

  it('takes each date and compare link from the version heading', () => {
    const n = notes.find((r) => r.version === '0.6.0');
    expect(n).toMatchObject({
      date: '2026-07-22',
      url: 'https://github.com/engram-app/Engram/compare/0.5.688...0.6.0',
    });
  });

  it('numbers lines in the whole file, not per version', () => {
    const n = notes.find((r) => r.version === '0.16.0')!;
    expect(n.envRenames[0]?.line).toBe(lineOf(text, '`REGISTRATION_ENABLED` is no longer read'));
    expect(n.sections[0]?.line).toBeGreaterThan(lineOf(text, '## [0.16.0]'));
  });

  it('a rename hidden in a Features bullet is found; one it cannot pair is kept for review', () => {
    const n = notes.find((r) => r.version === '0.10.0')!;
    expect(n.envRenames.map((r) => `${r.from}>${r.to}`)).toEqual([
      'S3_HOST>STORAGE_HOST',
      'S3_PORT>STORAGE_PORT',
    ]);
    expect(n.needsReview).toEqual([
      expect.objectContaining({
        line: lineOf(text, 'the `AWS_*` credentials'),
        reason: expect.stringMatching(/STORAGE_ACCESS_KEY_ID/),
      }),
    ]);
  });

  it('summary of every version (snapshot)', () => {
    const summary = notes.map((n) => ({
      version: n.version,
      date: n.date,
      sections: n.sections.map((s) => `${s.title} (${s.items.length})`),
      breaking: n.breaking.map((b) => `${b.kind}@${b.line}`),
      oneWay: n.oneWay?.line ?? null,
      minimumFrom: n.minimumFrom
        ? `${n.minimumFrom.version}${n.minimumFrom.exact ? '' : ' line'}@${n.minimumFrom.line}`
        : null,
      review: n.needsReview.map((r) => r.line),
    }));
    expect(summary).toMatchSnapshot();
  });

  it('an empty or heading-less file has no versions', () => {
    expect(parseChangelog('')).toEqual([]);
    expect(parseChangelog('# Changelog\n\nNothing released yet.')).toEqual([]);
  });
});

describe('public surface', () => {
  it('exports the parsers and sources with their documented signatures', () => {
    expectTypeOf(notesApi.parseReleaseNotes).parameters.toEqualTypeOf<
      [markdown: string, options?: notesApi.ParseReleaseNotesOptions]
    >();
    expectTypeOf(notesApi.parseChangelog).returns.toEqualTypeOf<ReleaseNotes[]>();
    expectTypeOf(notesApi.parseGitHubReleases).returns.toEqualTypeOf<ReleaseNotes[]>();
    expectTypeOf(notesApi.fetchGitHubReleases).returns.resolves.toEqualTypeOf<ReleaseNotes[]>();
    expectTypeOf(notesApi.readChangelog).parameter(0).toEqualTypeOf<notesApi.ChangelogSource>();
    expectTypeOf(notesApi.readReleaseDirectory).returns.resolves.toEqualTypeOf<ReleaseNotes[]>();
    expectTypeOf(notesApi.parseVersionTag).returns.toEqualTypeOf<notesApi.VersionTag | null>();
    expect(Object.keys(notesApi)).toEqual(
      expect.arrayContaining([
        'ReleaseNotesSchema',
        'parseReleaseNotes',
        'parseChangelog',
        'parseGitHubReleases',
        'fetchGitHubReleases',
        'readChangelog',
        'readReleaseDirectory',
        'parseVersionTag',
        'compareVersionTags',
        'createMemoryEtagCache',
      ]),
    );
  });
});
