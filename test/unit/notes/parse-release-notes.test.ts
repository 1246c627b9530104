import { describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors/upgrade-error';
import { NotesUnreadableError } from '../../../src/notes/notes-error';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';
import { ReleaseNotesSchema } from '../../../src/notes/release-notes';
import { body, lineOf } from './fixtures';

const BODIES = [
  'release-v0.14.0',
  'release-v0.14.1',
  'release-v0.15.1',
  'release-v0.16.0',
  'release-v0.17.0',
  'release-v0.18.0',
  'release-v1.0.0',
  'handwritten-0.16.0',
  'handwritten-0.18.0',
  'handwritten-1.0.0',
  'handwritten-1.1.0',
];

describe('release bodies (snapshots)', () => {
  it.each(BODIES)('%s', (name) => {
    const version = name.replace(/^(release-v|handwritten-)/, '');
    const notes = parseReleaseNotes(body(name), { version });
    expect(ReleaseNotesSchema.parse(notes)).toEqual(notes);
    expect(notes).toMatchSnapshot();
  });
});

describe('release bodies (outcomes)', () => {
  it('reads the SCHEMA-IMPACT block of 0.17.0: irreversible ending, PR list, and its lines', () => {
    const text = body('release-v0.17.0');
    const notes = parseReleaseNotes(text, { tag: 'release-v0.17.0' });
    expect(notes.schemaImpact).toMatchObject({ present: true, irreversible: true, line: 1 });
    expect(notes.schemaImpact.rollbackTo).toBeUndefined();
    expect(notes.schemaImpact.prs.at(-1)).toEqual({
      number: 1432,
      label: 'phase/contract',
      title: 'drop the legacy note body',
      line: lineOf(text, '#1432 ('),
    });
    expect(notes.oneWay).toEqual({ text: '⚠️ IRREVERSIBLE', line: lineOf(text, '### ⚠️ IRREVERSIBLE') });
    // The SCHEMA-IMPACT commands are the stock procedure, not an upgrade guide.
    expect(notes.upgradeSections).toEqual([]);
  });

  it('reads the rollback ending of 0.16.0 and leaves the boilerplate out of review', () => {
    const notes = parseReleaseNotes(body('release-v0.16.0'), { tag: 'release-v0.16.0' });
    expect(notes.schemaImpact).toMatchObject({
      present: true,
      irreversible: false,
      rollbackTo: '20260814120000',
    });
    expect(notes.oneWay).toBeNull();
    expect(notes.needsReview).toEqual([]);
  });

  it('a placeholder in the rollback command gives no rollback target (0.15.1)', () => {
    const notes = parseReleaseNotes(body('release-v0.15.1'), { tag: 'release-v0.15.1' });
    expect(notes.schemaImpact.present).toBe(true);
    expect(notes.schemaImpact.rollbackTo).toBeUndefined();
  });

  it('a body without SCHEMA-IMPACT (the fallback body of 0.14.1) is empty but valid', () => {
    const notes = parseReleaseNotes(body('release-v0.14.1'), { tag: 'release-v0.14.1' });
    expect(notes.schemaImpact).toEqual({ present: false, irreversible: false, prs: [] });
    expect(notes).toMatchObject({
      sections: [],
      breaking: [],
      needsReview: [],
      oneWay: null,
      minimumFrom: null,
    });
  });

  it('reports the line each finding came from in the body', () => {
    const text = body('release-v0.16.0');
    const notes = parseReleaseNotes(text, { tag: 'release-v0.16.0' });
    const line = lineOf(text, 'is no longer read');
    expect(notes.envRenames).toEqual([
      { from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE', line },
    ]);
    expect(notes.requiredEnv).toEqual([{ name: 'ENGRAM_DEFAULT_REGISTRATION_MODE', line }]);
    expect(notes.sections.map((s) => [s.title, s.line])).toEqual([
      ['BREAKING CHANGES', lineOf(text, '### ⚠ BREAKING')],
      ['Features', lineOf(text, '### Features')],
      ['Bug Fixes', lineOf(text, '### Bug Fixes')],
    ]);
  });

  it('another author’s 0.16.0 notes give the same rename and requirement', () => {
    const text = body('handwritten-0.16.0');
    const notes = parseReleaseNotes(text, { version: '0.16.0' });
    expect(notes.envRenames.map(({ from, to }) => ({ from, to }))).toEqual([
      { from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE' },
    ]);
    expect(notes.requiredEnv).toEqual([
      { name: 'ENGRAM_DEFAULT_REGISTRATION_MODE', line: lineOf(text, 'must be set to one of') },
    ]);
  });

  it('a guide written as paragraphs gives one step per paragraph, with continuation lines joined', () => {
    const text = body('handwritten-1.0.0');
    const notes = parseReleaseNotes(text, { version: '1.0.0' });
    expect(notes.upgradeSections).toHaveLength(1);
    const steps = notes.upgradeSections[0]!.steps;
    expect(steps.map((s) => s.line)).toEqual([
      lineOf(text, 'You must be on the 0.18 line'),
      lineOf(text, 'Back up the database first'),
      lineOf(text, 'Put the instance name'),
      lineOf(text, 'Then pull the new image'),
    ]);
    expect(steps[3]?.commands).toEqual(['docker compose pull engram && docker compose up -d engram']);
    expect(notes.minimumFrom).toMatchObject({ version: '0.18', exact: false });
    expect(notes.requiredEnv.map((r) => r.name)).toEqual(['ENGRAM_INSTANCE_NAME']);
  });

  it('vague operator notes are kept for review with a reason, never dropped', () => {
    const text = body('handwritten-1.1.0');
    const notes = parseReleaseNotes(text, { version: '1.1.0' });
    expect(notes.needsReview.map((r) => r.line)).toEqual([
      lineOf(text, 'ENGRAM_LIMITS_ENFORCED'),
      lineOf(text, 'before upgrading'),
      lineOf(text, 'Nothing in this release'),
      lineOf(text, 'need a manual step'),
    ]);
    expect(notes.oneWay).toBeNull();
    expect(notes.minimumFrom).toBeNull();
  });
});

describe('identity', () => {
  it('takes the version from the tag and keeps the family', () => {
    const notes = parseReleaseNotes('Fixes.', { tag: 'v2.8.1' });
    expect(notes).toMatchObject({
      version: '2.8.1',
      tag: 'v2.8.1',
      family: 'v',
      prerelease: false,
      draft: false,
    });
  });

  it('falls back to the version heading, its date and its link', () => {
    const notes = parseReleaseNotes('## [0.5.688](https://example.test/c) (2026-07-21)\n\nSeed.');
    expect(notes).toMatchObject({
      version: '0.5.688',
      family: 'bare',
      date: '2026-07-21',
      url: 'https://example.test/c',
    });
    expect(notes.tag).toBeUndefined();
  });

  it('marks a semver prerelease', () => {
    expect(parseReleaseNotes('', { tag: 'release-v1.2.0-rc.1' }).prerelease).toBe(true);
  });

  it('flags a body whose heading names another version', () => {
    const notes = parseReleaseNotes('## 0.17.0 (2026-08-18)\n\nText.', { version: '0.18.0' });
    expect(notes.needsReview).toEqual([
      expect.objectContaining({ line: 1, reason: expect.stringMatching(/0\.17\.0/) }),
    ]);
  });

  it.each([
    [{}, /do not say which version/],
    [{ tag: 'latest' }, /not a version tag/],
    [{ version: '0.17' }, /not a semantic version/],
    [{ version: '0.17.0', tag: 'release-v0.18.0' }, /disagree/],
  ])('refuses unusable identity %j with INVALID_INPUT', (options, message) => {
    expect(() => parseReleaseNotes('Text.', options)).toThrowError(message);
    expect(() => parseReleaseNotes('Text.', options)).toThrowError(UpgradeError);
  });
});

describe('input that is not markdown', () => {
  it.each([
    [null, 'INVALID_INPUT'],
    [42, 'INVALID_INPUT'],
    [{ body: 'x' }, 'INVALID_INPUT'],
    [new Uint8Array([1, 2, 3]), 'INVALID_INPUT'],
    ['PK\u0003\u0004\u0000\u0000zip', 'NOTES_UNREADABLE'],
    ['\u0001\u0002\u0003\u0004\u0005\u0006 junk \ufffd\ufffd', 'NOTES_UNREADABLE'],
  ])('%j gives a clear %s error', (input, code) => {
    let error: unknown;
    try {
      parseReleaseNotes(input as string, { version: '1.0.0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UpgradeError);
    expect((error as UpgradeError).code).toBe(code);
    expect((error as UpgradeError).message).toMatch(/Nothing was/);
    expect((error as UpgradeError).hint).toBeTruthy();
  });

  it('says where the binary data starts', () => {
    expect(() => parseReleaseNotes('# ok\n\nline\n\u0000', { version: '1.0.0' })).toThrowError(/line 4/);
    expect(() => parseReleaseNotes('\u0000', { version: '1.0.0' })).toThrowError(NotesUnreadableError);
  });

  it('tolerates a stray control character in otherwise normal notes', () => {
    const notes = parseReleaseNotes('Fixes a crash\u0007 on save.', { version: '1.0.0' });
    expect(notes.needsReview).toEqual([]);
  });
});
