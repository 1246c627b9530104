import { describe, expect, it } from 'vitest';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';

// A rename is often written as two statements: where the setting lives now, and that the old name is
// no longer read. Each text is tried as a breaking bullet, as a Features bullet and as a paragraph.
const shapes = {
  breaking: (t: string) => `### ⚠ BREAKING CHANGES\n\n* ${t}\n`,
  feature: (t: string) => `### Features\n\n* ${t}\n`,
  paragraph: (t: string) => `## Operators\n\n${t}\n`,
};
const parse = (md: string) => parseReleaseNotes(md, { version: '3.0.0' });

describe('"now X; Y is no longer read" is a rename', () => {
  const cases: [string, string, string][] = [
    [
      '**mail:** outgoing mail now goes through `SMTP_RELAY_URL`; `MAILER_HOST` is no longer read. Update your `.env`.',
      'MAILER_HOST',
      'SMTP_RELAY_URL',
    ],
    [
      'Sessions are now read from `SESSION_STORE_URL`; `REDIS_SESSIONS` is ignored.',
      'REDIS_SESSIONS',
      'SESSION_STORE_URL',
    ],
    [
      'The `QUEUE_URL` variable has been removed; jobs come from `JOB_BROKER_URL` in its place.',
      'QUEUE_URL',
      'JOB_BROKER_URL',
    ],
    [
      '`THUMB_CACHE` is deprecated. Thumbnails are now addressed by `PREVIEW_CACHE_DIR`.',
      'THUMB_CACHE',
      'PREVIEW_CACHE_DIR',
    ],
    ['`LEGACY_TOKEN` was removed. Use `ADMIN_API_TOKEN` instead.', 'LEGACY_TOKEN', 'ADMIN_API_TOKEN'],
    ['`OLD_SALT` is no longer read. Rename it to `HASH_PEPPER` in your `.env`.', 'OLD_SALT', 'HASH_PEPPER'],
    [
      'Workers no longer read `WORKER_COUNT`; concurrency is read from `JOB_CONCURRENCY` instead.',
      'WORKER_COUNT',
      'JOB_CONCURRENCY',
    ],
  ];

  for (const [shape, wrap] of Object.entries(shapes)) {
    it.each(cases)(`${shape}: %s`, (text, from, to) => {
      const notes = parse(wrap(text));
      expect(notes.envRenames.map((r) => [r.from, r.to])).toEqual([[from, to]]);
      expect(notes.breaking).toEqual([expect.objectContaining({ kind: 'env-rename', from, to, line: 3 })]);
      // The new name is never reported as removed, and nothing is left for review.
      expect(notes.breaking.filter((b) => b.kind === 'removed')).toEqual([]);
      expect(notes.needsReview).toEqual([]);
    });
  }

  it('reports the line of the sentence that names the old variable', () => {
    const notes = parse(
      '## Operators\n\nBlob storage changed.\n`THUMB_CACHE` is deprecated.\nThumbnails are now addressed by `PREVIEW_CACHE_DIR`.\n',
    );
    expect(notes.envRenames).toEqual([{ from: 'THUMB_CACHE', to: 'PREVIEW_CACHE_DIR', line: 4 }]);
  });
});

describe('a variable the text introduces is never removed', () => {
  it.each([
    '`PLUGIN_DIR` was dropped and a new `PLUGIN_SEARCH_PATH` was added.',
    'Removed `PLUGIN_DIR`; added `PLUGIN_SEARCH_PATH`.',
    '`PLUGIN_DIR` is gone. A new variable, `PLUGIN_SEARCH_PATH`, lists plugin folders.',
  ])('%s', (text) => {
    for (const wrap of Object.values(shapes)) {
      const notes = parse(wrap(text));
      expect(notes.breaking.map((b) => b.from)).not.toContain('PLUGIN_SEARCH_PATH');
      expect(notes.envRenames).toEqual([]);
      // Whether the new one replaces the old one is for a person to say.
      expect(notes.needsReview).toEqual([
        expect.objectContaining({ reason: expect.stringMatching(/PLUGIN_DIR.*PLUGIN_SEARCH_PATH/) }),
      ]);
    }
  });
});

describe('an ambiguous pairing goes to review, never to a confident finding', () => {
  it.each([
    '`MEDIA_HOST` and `MEDIA_PORT` are no longer read; use `MEDIA_URL` and `MEDIA_TIMEOUT_MS`.',
    '`SEARCH_URL` is no longer read; search is now reached through `SEARCH_PRIMARY_URL` or `SEARCH_REPLICA_URL`.',
    '`CACHE_TTL` was removed. Use `CACHE_MAX_AGE` or `CACHE_STALE_AGE` instead.',
  ])('%s', (text) => {
    for (const [shape, wrap] of Object.entries(shapes)) {
      const notes = parse(wrap(text));
      expect(notes.envRenames, shape).toEqual([]);
      expect(
        notes.breaking.filter((b) => b.from !== undefined || b.to !== undefined),
        shape,
      ).toEqual([]);
      expect(notes.needsReview, shape).toEqual([
        expect.objectContaining({ line: 3, reason: expect.stringMatching(/cannot tell what replaces what/) }),
      ]);
    }
  });

  it('a breaking bullet with an ambiguous pairing is still one breaking change', () => {
    const notes = parse(
      shapes.breaking('`MEDIA_HOST` and `MEDIA_PORT` are no longer read; use `MEDIA_URL`.'),
    );
    expect(notes.breaking).toEqual([
      {
        kind: 'removed',
        text: 'MEDIA_HOST and MEDIA_PORT are no longer read; use MEDIA_URL.',
        line: 3,
      },
    ]);
  });

  it('a name said to go away and to take over is for a person to read', () => {
    const notes = parse(
      shapes.paragraph('`BIND_ADDR` is deprecated in name only and now reads from `BIND_ADDR`.'),
    );
    expect(notes.envRenames).toEqual([]);
    expect(notes.needsReview[0]?.reason).toMatch(/BIND_ADDR is named both/);
  });
});

describe('removals stay removals', () => {
  it('nothing takes over: the old variable is removed', () => {
    const notes = parse(
      shapes.breaking('`RETIRED_FLAG` was removed. `TIMEOUT_MS` now defaults to 30 seconds.'),
    );
    expect(notes.breaking).toEqual([expect.objectContaining({ kind: 'removed', from: 'RETIRED_FLAG' })]);
    expect(notes.envRenames).toEqual([]);
  });

  it('several variables removed in one sentence are each read', () => {
    const notes = parse(shapes.paragraph('`TRACE_A` and `TRACE_B` were removed.'));
    expect(notes.breaking).toEqual([
      { kind: 'removed', text: 'TRACE_A and TRACE_B were removed.', line: 3, from: 'TRACE_A' },
    ]);
    expect(notes.needsReview).toEqual([]);
  });
});
