import { describe, expect, it } from 'vitest';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';

const feature = (t: string) => parseReleaseNotes(`### Features\n\n* ${t}\n`, { version: '3.0.0' });
const breaking = (t: string) => parseReleaseNotes(`### ⚠ BREAKING CHANGES\n\n* ${t}\n`, { version: '3.0.0' });

// Required means the app will not boot or work without the variable. A setting offered, or needed only
// in some setups, is something to read, not something to set before every upgrade.
describe('optional or conditional settings are not required', () => {
  it.each([
    ['ops: `PG_SSL_MODE` env toggle for database TLS (hosted Postgres providers require it)', 'PG_SSL_MODE'],
    ['To enable request tracing, set `OTEL_EXPORT_URL` in your `.env`.', 'OTEL_EXPORT_URL'],
    ['`SMTP_PASSWORD` must be set if you use the mail relay.', 'SMTP_PASSWORD'],
    ['Optionally set `THEME_DIR` in your `.env` to load custom themes.', 'THEME_DIR'],
    ['The S3 storage backend requires `BUCKET_NAME`.', 'BUCKET_NAME'],
    ['On managed hosts `DB_CA_CERT` must be provided.', 'DB_CA_CERT'],
  ])('%s', (text, name) => {
    for (const notes of [feature(text), breaking(text)]) {
      expect(notes.requiredEnv).toEqual([]);
      expect(notes.breaking.filter((b) => b.kind === 'env-required')).toEqual([]);
      expect(notes.needsReview).toContainEqual({
        text: text.replaceAll('`', ''),
        line: 3,
        reason: expect.stringMatching(new RegExp(`^${name} is asked for only in some setups`)),
      });
    }
  });

  it('the condition is read per statement: a requirement next to an optional setting stays required', () => {
    const notes = feature('`ENGRAM_SECRET` must be set; you can also set `ENGRAM_LABEL` for the page title.');
    expect(notes.requiredEnv.map((r) => r.name)).toEqual(['ENGRAM_SECRET']);
  });
});

describe('still required', () => {
  it.each([
    'Engram 3.0 requires `ENGRAM_SECRET`.',
    'This release requires `ENGRAM_SECRET`.',
    'Requires `ENGRAM_SECRET` to be set.',
    'config: the server now requires `ENGRAM_SECRET`.',
    '`ENGRAM_SECRET` must be set; the server refuses to boot without it.',
    'Add `ENGRAM_SECRET` to your `.env` (any long random string, for example from `openssl rand`).',
  ])('%s', (text) => {
    expect(feature(text).requiredEnv.map((r) => r.name)).toEqual(['ENGRAM_SECRET']);
    expect(feature(text).needsReview).toEqual([]);
  });
});
