import { describe, expect, it } from 'vitest';
import { parseChangelog } from '../../../src/notes/parse-changelog';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';
import { lineOf } from './fixtures';

// A hand-written guide put in front of the sections release-please generates.
const body = [
  '## Upgrade from 4.1 to 4.2', //                                               1
  '',
  '1. Stop the indexer:',
  '   ```sh',
  '   docker compose stop indexer',
  '   ```',
  '2. Back up the database.',
  '3. Pull and start the new release:',
  '   ```sh',
  '   docker compose pull && docker compose up -d',
  '   ```',
  '',
  '### ⚠ BREAKING CHANGES',
  '',
  '* **index:** the `DOC_INDEX_DIR` setting was removed.',
  '* **api:** `/api/v1/search` answers with pages of 50 hits.',
  '',
  '### Features',
  '',
  '* **index:** incremental re-indexing ([#501](https://x.test/issues/501)) ([abc1234](https://x.test/commit/abc1234))',
  '',
  '### Bug Fixes',
  '',
  '* **web:** keep the search box focused after a query ([#503](https://x.test/issues/503))',
  '',
].join('\n');

describe('an upgrade guide ends where release-please sections start', () => {
  const notes = parseReleaseNotes(body, { version: '4.2.0' });

  it('its steps are its own numbered list, with the commands inside the items', () => {
    expect(notes.upgradeSections).toHaveLength(1);
    expect(notes.upgradeSections[0]!.steps).toEqual([
      { text: 'Stop the indexer:', line: 3, commands: ['docker compose stop indexer'] },
      { text: 'Back up the database.', line: 7, commands: [] },
      {
        text: 'Pull and start the new release:',
        line: 8,
        commands: ['docker compose pull && docker compose up -d'],
      },
    ]);
  });

  it('every item under BREAKING CHANGES is a breaking change', () => {
    expect(notes.breaking).toEqual([
      {
        kind: 'removed',
        text: 'index: the DOC_INDEX_DIR setting was removed.',
        line: lineOf(body, 'DOC_INDEX_DIR'),
        from: 'DOC_INDEX_DIR',
      },
      {
        kind: 'api',
        text: 'api: /api/v1/search answers with pages of 50 hits.',
        line: lineOf(body, '/api/v1'),
      },
    ]);
  });

  it('the release-please sections are sections again, with their items', () => {
    expect(notes.sections.map((s) => [s.title, s.items.length])).toEqual([
      ['BREAKING CHANGES', 2],
      ['Features', 1],
      ['Bug Fixes', 1],
    ]);
  });

  it.each([1, 2, 3, 4])('at any heading depth (guide at depth %i)', (depth) => {
    const md = [
      `${'#'.repeat(depth)} Upgrade from 4.1 to 4.2`,
      '',
      '1. Back up.',
      '',
      `${'#'.repeat(Math.min(6, depth + 1))} Features`,
      '',
      '* faster sync',
      '',
      `${'#'.repeat(Math.min(6, depth + 2))} ⚠ BREAKING CHANGES`,
      '',
      '* sync tokens from 4.1 stop working',
    ].join('\n');
    const n = parseReleaseNotes(md, { version: '4.2.0' });
    expect(n.upgradeSections[0]!.steps.map((s) => s.text)).toEqual(['Back up.']);
    expect(n.breaking.map((b) => b.text)).toEqual(['sync tokens from 4.1 stop working']);
    expect(n.sections.map((s) => s.title)).toEqual(['Features', 'BREAKING CHANGES']);
  });

  it('a sub-heading of its own stays inside the guide', () => {
    const md = '## Upgrade from 4.1 to 4.2\n\n### Before you start\n\n1. Back up.\n2. Pull.\n';
    const n = parseReleaseNotes(md, { version: '4.2.0' });
    expect(n.upgradeSections[0]!.steps.map((s) => s.text)).toEqual(['Back up.', 'Pull.']);
  });

  it('a bullet list next to the numbered steps holds notes, not steps', () => {
    const md = [
      '## Upgrade from 4.1 to 4.2',
      '',
      'Things to know:',
      '',
      '- The first start takes a few minutes.',
      '- You must keep the old volume until the check passes.',
      '',
      '1. Back up.',
      '2. Pull.',
    ].join('\n');
    const n = parseReleaseNotes(md, { version: '4.2.0' });
    expect(n.upgradeSections[0]!.steps.map((s) => s.text)).toEqual(['Back up.', 'Pull.']);
    expect(n.needsReview).toEqual([
      expect.objectContaining({ line: 6, reason: expect.stringMatching(/"must"/) }),
    ]);
  });

  it('in a CHANGELOG, the next version heading ends the guide', () => {
    const md = [
      '# Changelog',
      '',
      '## [4.2.0](https://x.test/compare/4.1.0...4.2.0) (2026-10-01)',
      '',
      '### Upgrade from 4.1 to 4.2',
      '',
      '1. Back up.',
      '',
      '### Bug Fixes',
      '',
      '* **web:** a fix',
      '',
      '## [4.1.0](https://x.test/compare/4.0.0...4.1.0) (2026-09-20)',
      '',
      '### ⚠ BREAKING CHANGES',
      '',
      '* **db:** the `ARCHIVE_DAYS` setting was removed.',
    ].join('\n');
    const [v42, v41] = parseChangelog(md);
    expect(v42!.upgradeSections[0]!.steps.map((s) => s.text)).toEqual(['Back up.']);
    expect(v42!.sections.map((s) => s.title)).toEqual(['Bug Fixes']);
    expect(v42!.breaking).toEqual([]);
    expect(v41!.breaking).toEqual([expect.objectContaining({ kind: 'removed', from: 'ARCHIVE_DAYS' })]);
  });
});
