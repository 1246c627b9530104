import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors/upgrade-error';
import { parseChangelog } from '../../../src/notes/parse-changelog';
import { parseReleaseNotes } from '../../../src/notes/parse-release-notes';
import { type ReleaseNotes, ReleaseNotesSchema } from '../../../src/notes/release-notes';
import { formatVersionTag, parseVersionTag } from '../../../src/notes/version-tag';
import { fcParams } from '../fc-seed';

// Markdown built from the pieces release notes are made of, so the generator reaches the parser's
// interesting paths (sections, breaking lists, upgrade guides, SCHEMA-IMPACT) and not only plain text.
const word = fc.constantFrom(
  'the',
  'server',
  'must',
  'before',
  'upgrading',
  'renamed',
  'to',
  'instead of',
  'required',
  'removed',
  'one-way',
  'irreversible',
  'cannot be rolled back',
  'only from the',
  'line',
  'first',
  'or later',
  'requires',
  'refuses to boot without',
  'it',
  'no longer read; set',
  'Upgrade from',
  'nothing',
  '→',
  '0.17',
  '0.17.2',
  'v1.0.0',
  'release-v0.18.0',
  '`OLD_VAR`',
  '`NEW_VAR`',
  'ENGRAM_X_Y',
  '`PORT`',
  '.',
  ';',
  ':',
  '(#12)',
  '**db:**',
);
const sentence = fc.array(word, { minLength: 1, maxLength: 12 }).map((w) => w.join(' '));
const block = fc.oneof(
  sentence,
  sentence.map((s) => `* ${s}`),
  sentence.map((s) => `1. ${s}`),
  sentence.map((s) => `   ${s}`),
  fc.tuple(fc.integer({ min: 1, max: 4 }), sentence).map(([d, s]) => `${'#'.repeat(d)} ${s}`),
  fc.constantFrom(
    '### ⚠ BREAKING CHANGES',
    '## SCHEMA-IMPACT',
    '### ⚠️ IRREVERSIBLE',
    '### Rollback (optional)',
    '## Upgrade from 0.18 to 1.0',
    '## [1.0.0](https://x.test/c) (2026-09-01)',
    '---',
    '```sh',
    '```',
    "bin/engram eval 'Engram.Release.rollback(Engram.Repo, 20260830100000)'",
    '- #12 (`phase/expand`) — t',
    '> note',
    '<!-- c -->',
    '<p>must upgrade</p>',
    '',
  ),
  fc.string({ maxLength: 30 }),
);
const markdown = fc.array(block, { maxLength: 40 }).map((lines) => lines.join('\n'));

function findingLines(n: ReleaseNotes): number[] {
  return [
    ...n.sections.flatMap((s) => [s.line, ...s.items.map((i) => i.line)]),
    ...n.breaking.map((b) => b.line),
    ...n.envRenames.map((r) => r.line),
    ...n.requiredEnv.map((r) => r.line),
    ...(n.oneWay ? [n.oneWay.line] : []),
    ...(n.schemaImpact.line === undefined ? [] : [n.schemaImpact.line]),
    ...n.schemaImpact.prs.map((p) => p.line),
    ...(n.minimumFrom ? [n.minimumFrom.line] : []),
    ...n.upgradeSections.flatMap((u) => [u.line, ...u.steps.map((s) => s.line)]),
    ...n.needsReview.map((r) => r.line),
  ];
}

const shift = (n: ReleaseNotes, k: number): number[] => findingLines(n).map((l) => l + k);

describe('properties', () => {
  it('any release-notes-like markdown parses into a valid value whose every line is in the text', () => {
    fc.assert(
      fc.property(markdown, (md) => {
        const notes = parseReleaseNotes(md, { version: '9.0.0' });
        expect(ReleaseNotesSchema.parse(JSON.parse(JSON.stringify(notes)))).toEqual(notes);
        const lines = md.split('\n').length;
        for (const line of findingLines(notes)) {
          expect(Number.isInteger(line) && line >= 1 && line <= lines, `line ${line} of ${lines}`).toBe(true);
        }
      }),
      fcParams(400),
    );
  });

  it('leading blank lines shift every finding by exactly that many lines', () => {
    fc.assert(
      fc.property(markdown, fc.integer({ min: 1, max: 5 }), (md, k) => {
        const plain = parseReleaseNotes(md, { version: '9.0.0' });
        const padded = parseReleaseNotes(`${'\n'.repeat(k)}${md}`, { version: '9.0.0' });
        expect(findingLines(padded)).toEqual(shift(plain, k));
      }),
      fcParams(200),
    );
  });

  // The issue's own list: variable names, "must", "before" (upgrading), irreversibility words. A word
  // between "before" and "upgrading" is anything between spaces, as a reader counts: ":" or "**db:**"
  // is one. The parser once counted only letters-and-digits words and lost such sentences.
  const looksLikeConstraint = (s: string): boolean =>
    /\b(must|irreversible|one-way|cannot be rolled back|required|requires)\b|_VAR|ENGRAM_X_Y|`PORT`|\bbefore (\S+ ){0,3}upgrading/.test(
      s,
    );
  const keepsSentence = (s: string): void => {
    const notes = parseReleaseNotes(`Some context.\n\n${s}\n`, { version: '9.0.0' });
    if (looksLikeConstraint(s)) expect(findingLines(notes)).toContain(3);
  };

  it.each(['before : upgrading the', 'before **db:** upgrading'])(
    'keeps a constraint-looking sentence found by an earlier run: %s',
    (s) => {
      expect(looksLikeConstraint(s)).toBe(true);
      keepsSentence(s);
    },
  );

  it('never loses a constraint-looking sentence: each one is read or kept for review', () => {
    fc.assert(fc.property(sentence, keepsSentence), {
      ...fcParams<[string]>(300),
      examples: [['before : upgrading the'], ['before **db:** upgrading']],
    });
  });

  it('any string at all either parses or raises an UpgradeError, never another exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          parseReleaseNotes(text, { version: '9.0.0' });
          parseChangelog(text);
        } catch (e) {
          expect(e).toBeInstanceOf(UpgradeError);
        }
      }),
      fcParams(400),
    );
  });

  it('any non-string input raises INVALID_INPUT', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => typeof v !== 'string'),
        (value) => {
          expect(() => parseReleaseNotes(value as string, { version: '9.0.0' })).toThrowError(
            expect.objectContaining({ code: 'INVALID_INPUT' }),
          );
        },
      ),
      fcParams(),
    );
  });

  it('bytes with a NUL in them are refused as NOTES_UNREADABLE, whatever else they hold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, at) => {
        const withNul = Uint8Array.from([
          ...bytes.slice(0, at % (bytes.length + 1)),
          0,
          ...bytes.slice(at % (bytes.length + 1)),
        ]);
        const text = new TextDecoder('utf-8').decode(withNul);
        expect(() => parseChangelog(text)).toThrowError(
          expect.objectContaining({ code: 'NOTES_UNREADABLE' }),
        );
      }),
      fcParams(),
    );
  });

  it('tags round-trip through their family', () => {
    const semverArb = fc
      .tuple(
        fc.nat(30),
        fc.nat(30),
        fc.nat(999),
        fc.option(fc.constantFrom('rc.1', 'beta.2'), { nil: undefined }),
      )
      .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}`);
    fc.assert(
      fc.property(
        semverArb,
        fc.constantFrom('release-v' as const, 'v' as const, 'bare' as const),
        (version, family) => {
          const tag = formatVersionTag(version, family);
          expect(parseVersionTag(tag)).toEqual({ tag, version, family, prerelease: version.includes('-') });
        },
      ),
      fcParams(),
    );
  });
});
