import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors/upgrade-error';
import { scanChangelog } from '../../../src/notes/changelog-sections';
import { type ParseChangelogOptions, parseChangelog } from '../../../src/notes/parse-changelog';
import { plainBulletList, plainHeading } from '../../../src/notes/plain-blocks';
import type { ReleaseNotes } from '../../../src/notes/release-notes';
import { fcParams } from '../fc-seed';
import { fixture } from './fixtures';

/** What the window promises: the same as parsing everything and keeping the versions in it. */
function expected(md: string, { from, to }: ParseChangelogOptions): ReleaseNotes[] {
  return parseChangelog(md).filter(
    (n) =>
      semver.valid(n.version) !== null &&
      (from === undefined || semver.gte(n.version, from)) &&
      (to === undefined || semver.lte(n.version, to)),
  );
}

describe('parseChangelog with a version window', () => {
  const text = fixture('CHANGELOG.md');

  it('reads from the running version up to the target, both included, in file order', () => {
    const notes = parseChangelog(text, { from: '0.16.0', to: '0.18.1' });
    expect(notes.map((n) => n.version)).toEqual(['0.18.1', '0.18.0', '0.17.0', '0.16.0']);
    expect(notes).toEqual(expected(text, { from: '0.16.0', to: '0.18.1' }));
  });

  it.each<ParseChangelogOptions>([
    { from: '1.0.0' },
    { to: '0.6.0' },
    { from: '0.12.0', to: '0.12.6' },
    { from: '0.17.0', to: '0.17.0' },
    { from: '0.12.7', to: '0.13.5' },
    { from: '2.0.0' },
    { from: '0.5.688', to: '0.5.688' },
  ])('%j gives what the whole file gives for those versions', (window) => {
    expect(parseChangelog(text, window)).toEqual(expected(text, window));
  });

  it('takes tags as bounds', () => {
    const notes = parseChangelog(text, { from: 'release-v0.18.0', to: 'v1.0.0' });
    expect(notes.map((n) => n.version)).toEqual(['1.0.0', '0.18.1', '0.18.0']);
  });

  it('keeps line numbers of the whole file', () => {
    const [notes] = parseChangelog(text, { from: '0.16.0', to: '0.16.0' });
    const line =
      text.split('\n').findIndex((l) => l.includes('`REGISTRATION_ENABLED` is no longer read')) + 1;
    expect(notes!.envRenames[0]!.line).toBe(line);
  });

  it.each<[ParseChangelogOptions, RegExp]>([
    [{ from: 'latest' }, /`from` is "latest", which is not a version/],
    [{ to: '0.17' }, /`to` is "0.17", which is not a version/],
    [{ from: '1.0.0', to: '0.18.0' }, /starts at 1\.0\.0, after its end 0\.18\.0/],
  ])('refuses %j with INVALID_INPUT', (window, message) => {
    expect(() => parseChangelog(text, window)).toThrowError(message);
    expect(() => parseChangelog(text, window)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('reference definitions at the end of the file still resolve inside the window', () => {
    const md = [
      '# Changelog',
      '',
      '## [2.1.0] - 2026-10-02',
      '',
      '### Removed',
      '',
      '- `LEGACY_SYNC` is no longer read; see [the guide][sync].',
      '',
      '## [2.0.0] - 2026-09-01',
      '',
      '- First release.',
      '',
      '[2.1.0]: https://x.test/compare/2.0.0...2.1.0',
      '[2.0.0]: https://x.test/releases/2.0.0',
      '[sync]: https://x.test/docs/sync',
    ].join('\n');
    const [notes] = parseChangelog(md, { from: '2.1.0' });
    // "[the guide][sync]" is a link only with its definition: the text reads "see the guide".
    expect(notes!.sections[0]!.items[0]!.text).toBe('LEGACY_SYNC is no longer read; see the guide.');
    expect(parseChangelog(md, { from: '2.1.0' })).toEqual(expected(md, { from: '2.1.0' }));
  });
});

describe('scanChangelog', () => {
  it('splits the fixture at its 26 version headings without doubts', () => {
    const scan = scanChangelog(fixture('CHANGELOG.md'));
    expect(scan.certain).toBe(true);
    const versions = scan.sections.flatMap((s) => (s.version ? [s.version] : []));
    expect(versions).toHaveLength(26);
    expect(scan.sections.filter((s) => s.unsure)).toEqual([]);
  });

  it('a version heading inside fenced code, an HTML comment or an HTML block starts nothing', () => {
    const md = [
      '## 3.0.0',
      '```md',
      '## 2.9.0',
      '```',
      '<!--',
      '## 2.8.0',
      '-->',
      '<details>',
      '## 2.7.0',
      '</details>',
      '',
      '## 2.0.0',
    ].join('\n');
    const scan = scanChangelog(md);
    expect(scan.sections.map((s) => [s.version, s.unsure])).toEqual([
      ['3.0.0', true],
      ['2.0.0', false],
    ]);
    expect(parseChangelog(md).map((n) => n.version)).toEqual(['3.0.0', '2.0.0']);
  });

  it('an indented or setext version heading marks its section for parsing instead of splitting', () => {
    const scan = scanChangelog('## 3.0.0\n\n  ## 2.9.0\n\n## 2.0.0\n\n1.9.0 (2026-01-01)\n==========\n');
    expect(scan.sections.map((s) => [s.version, s.unsure])).toEqual([
      ['3.0.0', true],
      ['2.0.0', true],
    ]);
    const md = '## 3.0.0\n\n  ## 2.9.0\n\n* fix\n\n## 2.0.0\n\n1.9.0 (2026-01-01)\n==========\n\n* first\n';
    expect(parseChangelog(md, { from: '1.9.0', to: '2.9.0' }).map((n) => n.version)).toEqual([
      '2.9.0',
      '2.0.0',
      '1.9.0',
    ]);
  });

  it('gives up (and the parser reads the whole file) where only list nesting tells', () => {
    // Inside a list item the unindented line closes the item and its fence; at top level it would not.
    const md = '## 3.0.0\n\n1. Run:\n   ```sh\ndocker compose pull\n   ```\n\n## 2.0.0\n';
    expect(scanChangelog(md).certain).toBe(false);
    expect(parseChangelog(md, { to: '2.0.0' })).toEqual(expected(md, { to: '2.0.0' }));
  });
});

// Realistic pieces of a CHANGELOG, and the ones that fool a line scan: version headings inside code,
// HTML and lists, setext and indented headings, reference definitions, unclosed fences, raw text.
const version = fc.tuple(fc.nat(3), fc.nat(12), fc.nat(9)).map(([a, b, c]) => `${a}.${b}.${c}`);
const heading = fc.tuple(version, fc.nat(9)).map(([v, style]) => {
  const styles = [
    `## [${v}](https://x.test/compare/a...${v}) (2026-09-01)`,
    `## ${v} (2026-09-01)`,
    `### [${v}](https://x.test/c) (2026-09-01)`,
    `# v${v}`,
    `## [${v}] - 2026-09-01`,
    `  ## ${v}`,
    `${v} (2026-09-01)\n-----------------`,
    `## **${v}**`,
    `## [${v}](https://x.test/c "title") (2026-09-01)`,
    `## ${v} ##`,
  ];
  return styles[style]!;
});
const piece = fc.oneof(
  heading,
  fc.constantFrom(
    '',
    '### ⚠ BREAKING CHANGES',
    '### Features',
    '* **config:** `OLD_HOST` is no longer read; the API is now reached through `API_BASE_URL`.',
    '* **db:** this migration is one-way; upgrade to 0.17.0 first.',
    '* `SECRET_SALT` must be set.',
    '## Upgrade from 1.2 to 1.3',
    '1. Pull:',
    '   ```sh',
    '   docker compose pull',
    '   ```',
    '```',
    '~~~',
    '    ## 4.4.4',
    '> ## 5.5.5',
    '- ## 6.6.6',
    '<!--',
    '-->',
    '<!-- ## 7.7.7 -->',
    '<details>',
    '</details>',
    '<pre>',
    '</pre>',
    '<span>',
    '[ref]: https://x.test/ref',
    '[0.1.0]: https://x.test/first',
    '[ref]:',
    '- [ref]: https://x.test/nested',
    'see [ref] and [0.1.0]',
    '---',
    '=====',
    '\t## 8.8.8',
    'text 1.2.3 in a paragraph',
    '  ```',
    ' ```',
    '   ~~~~',
    '   <details>',
    '<?php',
    '?>',
    '<![CDATA[',
    ']]>',
    '<script>',
    '</script>',
    '>',
    '* * *',
    '1) item',
    '  [ref]: https://x.test/ref "t"',
    "[ref]: <https://x.test/other> 'u'",
    '## [1.0.0][ref]',
    '## <b>1.0.0</b>',
    '## 1.0.0 (`x`)',
  ),
  fc.string({ maxLength: 20 }),
);
const changelog = fc
  .tuple(fc.array(piece, { maxLength: 40 }), fc.boolean(), fc.boolean())
  .map(([p, crlf, bom]) =>
    `${bom ? '\ufeff' : ''}# Changelog\n\n${p.join('\n')}\n`.replace(/\n/g, crlf ? '\r\n' : '\n'),
  );
const window = fc.record(
  { from: fc.option(version, { nil: undefined }), to: fc.option(version, { nil: undefined }) },
  { requiredKeys: [] },
);

describe('window property', () => {
  it('the generated files mostly take the scan, not the whole-file fallback', () => {
    const docs = fc.sample(changelog, { numRuns: 500, seed: 7 });
    const scans = docs.map(scanChangelog).filter((s) => s.certain);
    expect(scans.length).toBeGreaterThan(docs.length / 3);
    expect(scans.filter((s) => s.sections.length > 2).length).toBeGreaterThan(docs.length / 10);
  });

  it('any window of any CHANGELOG gives what the whole file gives for those versions', () => {
    fc.assert(
      fc.property(changelog, window, (md, w) => {
        const bounds: ParseChangelogOptions = {};
        if (w.from !== undefined) bounds.from = w.from;
        if (w.to !== undefined) bounds.to = w.to;
        if (bounds.from && bounds.to && semver.gt(bounds.from, bounds.to)) {
          [bounds.from, bounds.to] = [bounds.to, bounds.from];
        }
        if (bounds.from === undefined && bounds.to === undefined) bounds.from = '0.0.0';
        let got: ReleaseNotes[];
        try {
          got = parseChangelog(md, bounds);
        } catch (e) {
          expect(e).toBeInstanceOf(UpgradeError);
          return;
        }
        expect(JSON.stringify(got)).toBe(JSON.stringify(expected(md, bounds)));
      }),
      fcParams(200),
    );
  });
});

// Bullet lines from characters that mean something in markdown, between headings the way release-please
// writes them: the lists built without the parser must read exactly like the parser's.
const plainPiece = fc.constantFrom(
  'word ',
  'a',
  'Z9',
  ' ',
  'OLD_NAME',
  '`OLD_NAME`',
  '`a b`',
  '[#12](https://x.test/i/12)',
  ' ([abc1234](https://x.test/c/abc1234))',
  ' ENGRAM_KEY ',
  ' is no longer read; use ',
  ' must be set',
  '(see above)',
  ': ',
  '.',
);
const hostilePiece = fc.constantFrom(
  ...'_*`[]()<>&!#:.-\\~|=+\t'.split(''),
  '` x`',
  '[x](<y>)',
  '](u)',
  '&amp;',
  '\\_',
  '**b**',
  '  ',
);
const bulletChar = fc.oneof({ arbitrary: plainPiece, weight: 12 }, { arbitrary: hostilePiece, weight: 1 });
const bulletLine = fc
  .tuple(
    fc.constantFrom('* ', '- ', '+ ', '*  ', '1. '),
    fc.array(bulletChar, { minLength: 1, maxLength: 12 }),
  )
  .map(([marker, chars]) => `${marker}${chars.join('')}`);
const headingLine = fc
  .tuple(
    fc.constantFrom('# ', '### ', '#### ', '##  ', '###\t'),
    fc.array(bulletChar, { minLength: 1, maxLength: 6 }),
  )
  .map(([hashes, chars]) => `${hashes}${chars.join('')}`);
const bulletChangelog = fc
  .array(
    fc.tuple(
      version,
      fc.oneof(fc.constant('### Features'), headingLine),
      fc.array(bulletLine, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((versions) =>
    versions
      .map(
        ([v, title, lines, gap]) =>
          `## [${v}](https://x.test/c) (2026-09-01)\n\n${title}\n\n${lines.join(gap ? '\n\n' : '\n')}\n`,
      )
      .join('\n'),
  );

describe('plain bullet lists', () => {
  it('a release-please bullet is built from its line', () => {
    const list = plainBulletList(
      [
        '* **sync:** keep `NOTE_CACHE` warm ([#12](https://x.test/i/12)) ([abc1234](https://x.test/c/abc1234))',
      ],
      7,
    );
    const paragraph = list?.children[0]?.children[0];
    expect(paragraph?.type === 'paragraph' && paragraph.children.map((c) => c.type)).toEqual([
      'strong',
      'text',
      'inlineCode',
      'text',
      'link',
      'text',
      'link',
      'text',
    ]);
    expect(list?.position?.start.line).toBe(7);
  });

  it.each([
    '* fix *emphasis* here',
    '* see <https://x.test>',
    '* a &amp; b',
    '* an escaped \\* star',
    '* ``two`` backticks',
    '* # heading in an item',
    '* 1. nested list',
    '* trailing spaces  ',
    '* ![image](x.png)',
    '* [label][ref]',
    '* _lead underscore',
  ])('leaves "%s" to the parser', (line) => {
    expect(plainBulletList([line], 1)).toBeNull();
  });

  it('a release-please version heading is built from its line', () => {
    const heading = plainHeading('## [4.2.0](https://x.test/compare/4.1.0...4.2.0) (2026-10-01)', 3);
    expect(heading).toMatchObject({ type: 'heading', depth: 2, position: { start: { line: 3 } } });
    expect(heading?.children.map((c) => c.type)).toEqual(['link', 'text']);
    expect(plainHeading('### ⚠ BREAKING CHANGES', 1)?.children).toEqual([
      expect.objectContaining({ type: 'text', value: '⚠ BREAKING CHANGES' }),
    ]);
  });

  it.each(['## 1.0.0 ##', '##  two spaces', '## *emphasis*', '## [1.0.0][ref]', '#no space'])(
    'leaves the heading "%s" to the parser',
    (line) => {
      expect(plainHeading(line, 1)).toBeNull();
    },
  );

  it('the adversarial bullets are often plain enough to be built, so the property tests the builder', () => {
    const lines = fc.sample(bulletLine, { numRuns: 1000, seed: 11 });
    const built = lines.filter((l) => plainBulletList([l], 1) !== null);
    expect(built.length).toBeGreaterThan(100);
    expect(built.length).toBeLessThan(900);
  });

  it('read the same built from the lines as parsed as markdown', () => {
    fc.assert(
      fc.property(bulletChangelog, (md) => {
        const bounds = { from: '0.0.0' };
        expect(JSON.stringify(parseChangelog(md, bounds))).toBe(JSON.stringify(expected(md, bounds)));
      }),
      fcParams(80),
    );
  });
});
