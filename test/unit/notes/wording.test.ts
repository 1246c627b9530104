import { describe, expect, it } from 'vitest';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';

// Each phrasing is parsed as a one-bullet breaking change and as a free paragraph: the wording, not its
// position, has to carry the meaning.
const read = (sentence: string) => parseReleaseNotes(`## Notes\n\n${sentence}\n`, { version: '2.0.0' });

describe('renames', () => {
  it.each([
    '`OLD_NAME` is renamed to `NEW_NAME`.',
    '`OLD_NAME` has been renamed as `NEW_NAME` to match the other settings.',
    'We renamed `OLD_NAME` to `NEW_NAME`.',
    'Use `NEW_NAME` instead of `OLD_NAME`.',
    'Set NEW_NAME instead of the old OLD_NAME.',
    '`OLD_NAME` is no longer read; set `NEW_NAME`.',
    'OLD_NAME is no longer read by the server, use NEW_NAME.',
    '`OLD_NAME` → `NEW_NAME`',
    'OLD_NAME is replaced by NEW_NAME.',
    'NEW_NAME replaces OLD_NAME.',
    'OLD_NAME is deprecated in favour of NEW_NAME.',
    'OLD_NAME becomes NEW_NAME.',
  ])('%s', (sentence) => {
    const notes = read(sentence);
    expect(notes.envRenames).toEqual([{ from: 'OLD_NAME', to: 'NEW_NAME', line: 3 }]);
    expect(notes.breaking).toContainEqual(
      expect.objectContaining({ kind: 'env-rename', from: 'OLD_NAME', to: 'NEW_NAME' }),
    );
    expect(notes.needsReview).toEqual([]);
  });

  it('reads two renames in one sentence', () => {
    const notes = read('Storage settings moved: `S3_HOST` → `STORAGE_HOST` and `S3_PORT` → `STORAGE_PORT`.');
    expect(notes.envRenames.map((r) => `${r.from}>${r.to}`)).toEqual([
      'S3_HOST>STORAGE_HOST',
      'S3_PORT>STORAGE_PORT',
    ]);
  });
});

describe('required variables', () => {
  it.each([
    ['`ENGRAM_INSTANCE_NAME` is now required.'],
    ['ENGRAM_INSTANCE_NAME becomes mandatory in this release.'],
    ['`ENGRAM_INSTANCE_NAME` must be set.'],
    ['The server refuses to boot without `ENGRAM_INSTANCE_NAME`.'],
    ["Engram won't start without ENGRAM_INSTANCE_NAME."],
    ['Engram fails to start unless ENGRAM_INSTANCE_NAME is set.'],
    ['If `ENGRAM_INSTANCE_NAME` is missing the application exits at boot.'],
    ['New required variable: `ENGRAM_INSTANCE_NAME`.'],
    ['Set `ENGRAM_INSTANCE_NAME` in your `.env`.'],
    ['We added `ENGRAM_INSTANCE_NAME`. The server refuses to boot without it.'],
  ])('%s', (sentence) => {
    const notes = read(sentence);
    expect(notes.requiredEnv.map((r) => r.name)).toEqual(['ENGRAM_INSTANCE_NAME']);
    expect(notes.breaking).toContainEqual(
      expect.objectContaining({ kind: 'env-required', to: 'ENGRAM_INSTANCE_NAME' }),
    );
  });

  it('does not read a version floor as a required variable', () => {
    const notes = read('Requires 0.17.0 or later.');
    expect(notes.requiredEnv).toEqual([]);
  });
});

describe('removals', () => {
  it.each([
    '`REQUIRE_PHONE_FOR_EMBED` was removed.',
    '`REQUIRE_PHONE_FOR_EMBED` is no longer supported.',
    'Support for `REQUIRE_PHONE_FOR_EMBED` has been dropped.',
    'REQUIRE_PHONE_FOR_EMBED is no longer read.',
  ])('%s', (sentence) => {
    const notes = read(sentence);
    expect(notes.breaking).toEqual([
      expect.objectContaining({ kind: 'removed', from: 'REQUIRE_PHONE_FOR_EMBED', line: 3 }),
    ]);
    expect(notes.envRenames).toEqual([]);
  });

  it.each([
    'The legacy importer was removed.',
    'Sqlite support is dropped.',
    'The v0 sync protocol is no longer supported.',
  ])('a breaking bullet "%s" is a removal', (sentence) => {
    const notes = parseReleaseNotes(`### ⚠ BREAKING CHANGES\n\n* ${sentence}\n`, { version: '2.0.0' });
    expect(notes.breaking).toEqual([{ kind: 'removed', text: sentence, line: 3 }]);
  });

  it('an ordinary bug fix that removes something is not a breaking change', () => {
    const notes = parseReleaseNotes('### Bug Fixes\n\n* removed a stray debug log\n', { version: '2.0.0' });
    expect(notes.breaking).toEqual([]);
  });
});

describe('version floors', () => {
  it.each([
    ['Requires 0.17.0 or later.', '0.17.0', true],
    ['This release requires Engram 0.17.2 or newer.', '0.17.2', true],
    ['You must be on 0.17.x before upgrading.', '0.17', false],
    ['You must already be running 0.17.2 before you pull this image.', '0.17.2', true],
    ['Upgrade to 0.17.0 first.', '0.17.0', true],
    ['First upgrade to release-v0.17.1, then to this release.', '0.17.1', true],
    ['It can only be applied from the 0.17 line.', '0.17', false],
    ['Only supported from 0.17 onwards.', '0.17', false],
    ['Direct upgrades from versions older than 0.17 are not supported.', '0.17', false],
    ['Do not skip 0.17.0.', '0.17.0', true],
    ['Minimum version to upgrade from is 0.16.0.', '0.16.0', true],
  ])('%s', (sentence, version, exact) => {
    const notes = read(sentence);
    expect(notes.minimumFrom).toEqual({ version, exact, text: sentence, line: 3 });
  });

  it('an "Upgrade from X.Y to …" heading names the X.Y line', () => {
    const notes = parseReleaseNotes('## Upgrade from 0.18 to 1.0\n\n1. Back up.\n', { version: '1.0.0' });
    expect(notes.minimumFrom).toEqual({
      version: '0.18',
      exact: false,
      text: 'Upgrade from 0.18 to 1.0',
      line: 1,
    });
    expect(notes.upgradeSections).toEqual([
      { from: '0.18', to: '1.0', line: 1, steps: [{ text: 'Back up.', line: 3, commands: [] }] },
    ]);
  });

  it('a floor that names another product goes to review, not into minimumFrom', () => {
    const notes = read('Requires PostgreSQL 18.1 or later.');
    expect(notes.minimumFrom).toBeNull();
    expect(notes.needsReview).toEqual([
      {
        text: 'Requires PostgreSQL 18.1 or later.',
        line: 3,
        reason: 'version floor names postgresql, not Engram',
      },
    ]);
  });

  it('keeps the higher of two floors and sends a different line to review', () => {
    const notes = read('Upgrade to 0.16.0 first. You must be on the 0.17 line before upgrading.');
    expect(notes.minimumFrom?.version).toBe('0.17');
    expect(notes.needsReview.map((r) => r.reason)).toEqual([
      expect.stringMatching(/another version floor \(0\.16\.0\)/),
    ]);
  });

  it('a floor at or above the release itself is not used', () => {
    const notes = parseReleaseNotes('Upgrade to 2.1.0 first.', { version: '2.0.0' });
    expect(notes.minimumFrom).toBeNull();
    expect(notes.needsReview[0]?.reason).toMatch(/not below this release/);
  });
});

describe('irreversibility', () => {
  it.each([
    'This migration is one-way.',
    'The change is irreversible.',
    'Dropping the column cannot be rolled back.',
    "The backfill can't be undone.",
    'There is no automatic rollback for this release.',
    'A rollback is not possible after this migration.',
    'The upgrade permanently deletes the v1 sync state.',
  ])('%s', (sentence) => {
    expect(read(sentence).oneWay).toEqual({ text: sentence, line: 3 });
  });

  it.each(['Nothing in this release is irreversible.', 'No one-way migrations this time.'])(
    'a denial (%s) is not one-way but is kept for review',
    (sentence) => {
      const notes = read(sentence);
      expect(notes.oneWay).toBeNull();
      expect(notes.needsReview).toEqual([expect.objectContaining({ text: sentence, line: 3 })]);
    },
  );

  it('"reversible" alone is not irreversible', () => {
    expect(read('Every migration in this release is reversible.').oneWay).toBeNull();
  });
});

describe('needsReview', () => {
  it.each([
    ['`ENGRAM_LIMITS_ENFORCED` now defaults to true.', /ENGRAM_LIMITS_ENFORCED/],
    ['Set the new search options before upgrading.', /before upgrading/],
    ['You must clear the browser cache.', /"must"/],
    ['Instances older than 0.12 need attention.', /0\.12/],
  ])('keeps "%s"', (sentence, reason) => {
    const notes = read(sentence);
    expect(notes.needsReview).toEqual([
      { text: sentence.replaceAll('`', ''), line: 3, reason: expect.stringMatching(reason) },
    ]);
  });

  it.each([
    'Faster search on large vaults.',
    'Fix a crash when a note title is empty (#123).',
    'Release release-v0.18.1.',
  ])('leaves ordinary prose alone: %s', (sentence) => {
    expect(read(sentence).needsReview).toEqual([]);
  });
});
