import { describe, expect, it } from 'vitest';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';

const parse = (md: string) => parseReleaseNotes(md, { version: '3.0.0' });

describe('each breaking change is listed once', () => {
  it('a bullet that renames a variable and requires the new one is one change', () => {
    const notes = parse(
      '### ⚠ BREAKING CHANGES\n\n* **auth:** `LOGIN_MODE` is no longer read; set `AUTH_STRATEGY` instead. It is required: the app will not start without it.\n',
    );
    expect(notes.breaking).toEqual([
      {
        kind: 'env-rename',
        text: 'auth: LOGIN_MODE is no longer read; set AUTH_STRATEGY instead. It is required: the app will not start without it.',
        line: 3,
        from: 'LOGIN_MODE',
        to: 'AUTH_STRATEGY',
      },
    ]);
    // Both findings are still there for the .env checklist.
    expect(notes.envRenames.map((r) => r.to)).toEqual(['AUTH_STRATEGY']);
    expect(notes.requiredEnv.map((r) => r.name)).toEqual(['AUTH_STRATEGY']);
  });

  it('a bullet of several paragraphs is one change', () => {
    const notes = parse(
      '### ⚠ BREAKING CHANGES\n\n* **db:** `ARCHIVE_AFTER_DAYS` was removed.\n\n  Archiving is manual now.\n',
    );
    expect(notes.breaking).toHaveLength(1);
  });

  it('release-please repeats a breaking commit under its own section: it is still one change', () => {
    const notes = parse(
      [
        '### ⚠ BREAKING CHANGES',
        '',
        '* **index:** the `DOC_INDEX_DIR` setting was removed',
        '* **api:** search answers with pages of 50 hits',
        '',
        '### Features',
        '',
        '* **index:** the `DOC_INDEX_DIR` setting was removed ([#77](https://x.test/issues/77)) ([1a2b3c4](https://x.test/commit/1a2b3c4))',
        '* **api:** search answers with pages of 50 hits ([#78](https://x.test/issues/78))',
      ].join('\n'),
    );
    expect(notes.breaking.map((b) => [b.kind, b.line])).toEqual([
      ['removed', 3],
      ['api', 4],
    ]);
  });

  it('a rename restated in prose is not a second change', () => {
    const notes = parse(
      [
        '### ⚠ BREAKING CHANGES',
        '',
        '* `LOGIN_MODE` is renamed to `AUTH_STRATEGY`.',
        '',
        '## Upgrade notes',
        '',
        'Use `AUTH_STRATEGY` instead of `LOGIN_MODE`. `AUTH_STRATEGY` must be set.',
      ].join('\n'),
    );
    expect(notes.breaking).toEqual([expect.objectContaining({ kind: 'env-rename', line: 3 })]);
  });

  it('the requirement of a renamed variable in another paragraph is part of the rename', () => {
    const notes = parse(
      '## Upgrade notes\n\nUse `AUTH_STRATEGY` instead of `LOGIN_MODE`.\n\n`AUTH_STRATEGY` must be set to one of `local` or `oidc`.\n',
    );
    expect(notes.breaking.map((b) => b.kind)).toEqual(['env-rename']);
    expect(notes.requiredEnv).toEqual([{ name: 'AUTH_STRATEGY', line: 5 }]);
  });

  it('two different changes in one section stay two', () => {
    const notes = parse(
      '### ⚠ BREAKING CHANGES\n\n* `TRACE_SAMPLING` was removed.\n* `TRACE_ENDPOINT` was removed.\n',
    );
    expect(notes.breaking.map((b) => b.from)).toEqual(['TRACE_SAMPLING', 'TRACE_ENDPOINT']);
  });
});
