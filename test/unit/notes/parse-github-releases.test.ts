import { describe, expect, it } from 'vitest';
import type { UpgradeError } from '../../../src/errors/upgrade-error';
import { parseGitHubReleases, readReleases } from '../../../src/notes/parse-github-releases';
import { fixture, githubReleases } from './fixtures';

describe('parseGitHubReleases', () => {
  it('leaves out drafts and prereleases by default and keeps API order (newest first)', () => {
    const notes = parseGitHubReleases(githubReleases());
    expect(notes.map((n) => n.tag)).toEqual([
      'release-v1.1.0',
      'release-v1.0.1',
      'release-v1.0.0',
      'release-v0.18.1',
      'release-v0.18.0',
      'release-v0.17.0',
      'release-v0.16.0',
      'release-v0.15.1',
      'release-v0.15.0',
      'release-v0.14.1',
      'release-v0.14.0',
    ]);
    expect(new Set(notes.map((n) => n.family))).toEqual(new Set(['release-v']));
  });

  it('includes drafts and prereleases on request, marked as such', () => {
    const notes = parseGitHubReleases(githubReleases(), { includeDrafts: true, includePrereleases: true });
    expect(notes[0]).toMatchObject({ version: '1.2.0', draft: true, prerelease: false, date: '2026-09-16' });
    expect(notes[0]?.envRenames.map((r) => r.to)).toEqual(['ENGRAM_EMBED_DIMENSIONS']);
    expect(notes[1]).toMatchObject({ version: '1.2.0-rc.1', draft: false, prerelease: true });
    expect(parseGitHubReleases(githubReleases(), { includePrereleases: true })[0]?.version).toBe(
      '1.2.0-rc.1',
    );
  });

  it('takes date and url from the API fields, not from the body', () => {
    const n = parseGitHubReleases(githubReleases()).find((r) => r.version === '0.17.0');
    expect(n).toMatchObject({
      date: '2026-08-18',
      url: 'https://github.com/engram-app/Engram/releases/tag/release-v0.17.0',
    });
  });

  it('accepts the JSON text as well as the parsed array', () => {
    expect(parseGitHubReleases(fixture('github-releases.json'))).toEqual(
      parseGitHubReleases(githubReleases()),
    );
  });

  it('skips releases whose tag is not a version and keeps the other families apart', () => {
    const notes = parseGitHubReleases([
      { tag_name: 'pre-python-removal', body: 'old', draft: false, prerelease: false },
      { tag_name: 'v2.8.1', body: null, draft: false, prerelease: false },
      { tag_name: 'release-v0.5.685', body: 'Manual deploy.', draft: false, prerelease: false },
    ]);
    expect(notes.map((n) => [n.version, n.family])).toEqual([
      ['2.8.1', 'v'],
      ['0.5.685', 'release-v'],
    ]);
  });

  it.each([
    ['{"message":"Not Found"', 'NOTES_UNREADABLE', /not valid JSON/],
    [{ message: 'Not Found' }, 'INVALID_INPUT', /list of releases/],
    [[{ name: 'no tag' }], 'INVALID_INPUT', /at 0\.tag_name/],
  ])('rejects %j with %s', (input, code, message) => {
    expect(() => readReleases(input)).toThrowError(message);
    try {
      parseGitHubReleases(input);
    } catch (e) {
      expect((e as UpgradeError).code).toBe(code);
    }
  });
});
