import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editEnvFile, parseEnvFile, quoteEnvValue, renderEnvFile } from '../../../src/compose/env-file';

const seed = Number(process.env.FC_SEED ?? 424242);
console.log(`env-file properties: fast-check seed ${seed} (set FC_SEED to replay another)`);

// Values biased towards what compose treats specially, mixed with arbitrary (well-formed) Unicode.
const special = fc.constantFrom(
  '$',
  '$$',
  '${X}',
  '$X',
  '#',
  ' #',
  ' ',
  '\t',
  "'",
  '"',
  '\\',
  '\\n',
  '\\$',
  '\n',
  '\r',
  '\r\n',
  '{',
  '}',
  '=',
  ':',
  '\u00a0',
  '\u0085',
  'é',
  '😀',
);
const value = fc
  .array(fc.oneof(special, fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 })), {
    maxLength: 8,
  })
  .map((pieces) => pieces.join(''))
  .filter((v) => !v.includes('\0'));
const name = fc.constantFrom('A', 'B', 'ENGRAM_TAG', 'SECRET_KEY_BASE', '_X1');

// A file made of statements compose reads, in the styles people write.
const statement = fc.oneof(
  fc.constantFrom('', '   ', '# a comment', '  # indented comment', '#', '# KEY=not-an-entry'),
  fc
    .tuple(
      fc.constantFrom('', 'export ', '  '),
      name,
      fc.constantFrom('=', ' = ', ': '),
      value,
      fc.constantFrom<'none' | 'single' | 'double'>('none', 'single', 'double'),
      fc.constantFrom('', '  # note', ' #'),
    )
    .map(([prefix, n, sep, v, prefer, tail]) => {
      const written = quoteEnvValue(v, prefer);
      // An empty bare value would swallow the comment (compose reads `A= # x` as "# x").
      return `${prefix}${n}${sep}${written.text}${written.text === '' ? '' : tail}`;
    }),
  name,
);
const file = fc
  .tuple(fc.array(statement, { maxLength: 10 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean())
  .map(([lines, eol, finalBreak, bom]) => {
    const body = lines.join(eol);
    return `${bom ? '\uFEFF' : ''}${body}${finalBreak && body !== '' ? eol : ''}`;
  });

const texts = (text: string) => parseEnvFile(text).lines.map((l) => l.text);

describe('env-file properties', () => {
  it('a written value always reads back exactly', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(parseEnvFile(`K=${quoteEnvValue(v).text}\n`).entries.get('K')).toBe(v);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('rendering a parsed file gives back the same text', () => {
    fc.assert(
      fc.property(file, (text) => {
        expect(renderEnvFile(parseEnvFile(text))).toBe(text);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('set: the name reads back as the value, and every other line and value stays', () => {
    fc.assert(
      fc.property(file, name, value, (text, n, v) => {
        const before = parseEnvFile(text);
        const after = editEnvFile(text, [{ op: 'set', name: n, value: v }]);
        const read = parseEnvFile(after);
        expect(read.entries.get(n)).toBe(v);
        for (const [other, was] of before.entries) if (other !== n) expect(read.entries.get(other)).toBe(was);
        const target = before.lines.findLastIndex(
          (l) => (l.kind === 'entry' || l.kind === 'inherit') && l.name === n,
        );
        const old = texts(text);
        const now = texts(after);
        if (target === -1) {
          expect(now.slice(0, -1)).toEqual(old);
        } else {
          expect(now.length).toBe(old.length);
          expect(now.filter((_, i) => i !== target)).toEqual(old.filter((_, i) => i !== target));
        }
      }),
      { seed, numRuns: 300 },
    );
  });

  it('rename: the new name holds the old value, the old name is gone, the rest is untouched', () => {
    fc.assert(
      fc.property(
        file,
        value,
        fc.constantFrom<'comment' | 'remove'>('comment', 'remove'),
        (text, v, keep) => {
          const withOld = editEnvFile(text, [{ op: 'set', name: 'OLD_NAME', value: v }]);
          const before = parseEnvFile(withOld).entries;
          const after = parseEnvFile(
            editEnvFile(withOld, [{ op: 'rename', from: 'OLD_NAME', to: 'NEW_NAME', keep }]),
          ).entries;
          expect(after.get('NEW_NAME')).toBe(v);
          expect(after.has('OLD_NAME')).toBe(false);
          for (const [other, was] of before) if (other !== 'OLD_NAME') expect(after.get(other)).toBe(was);
        },
      ),
      { seed, numRuns: 200 },
    );
  });
});
