import { describe, expect, it } from 'vitest';
import { parseEnvFile, renderEnvFile } from '../../../src/compose/env-file';
import { InvalidInputError } from '../../../src/errors/upgrade-error';
import { ENV_FILE } from './fixtures';

const readV = (text: string, name = 'V') => parseEnvFile(text).entries.get(name);

describe('parseEnvFile', () => {
  it('reads an .env.example-style file and renders it back byte for byte', () => {
    const parsed = parseEnvFile(ENV_FILE);
    expect(parsed.entries.get('SECRET_KEY_BASE')).toBe('sJ8k2x/N0q+abc==');
    expect(parsed.entries.get('JWT_SECRET')).toBe('jwt$secret');
    expect(parsed.entries.get('AWS_REGION')).toBe('eu-west-1');
    expect(parsed.entries.get('ENGRAM_TAG')).toBe('0.17.0');
    expect(parsed.lines.filter((l) => l.kind === 'blank')).toHaveLength(1);
    expect(parsed.lines[0]).toMatchObject({ kind: 'comment', text: '# Engram settings', line: 1 });
    expect(renderEnvFile(parsed)).toBe(ENV_FILE);
  });

  // Each expectation was checked against `docker compose config` (Compose 2.26, compose-go dotenv).
  it.each([
    ['V=plain', 'plain'],
    ['V =  spaced  ', 'spaced'],
    ['V: yaml-style', 'yaml-style'],
    ['export V=1', '1'],
    ['V=a #comment', 'a'],
    ['V=a#not-a-comment', 'a#not-a-comment'],
    ['V=a\t#tab-is-no-comment', 'a\t#tab-is-no-comment'],
    ['V= #c', '#c'],
    ['V=', ''],
    ['V=x$$y', 'x$y'],
    ["V='a$b'", 'a$b'],
    ['V="q\\$r"', 'q$r'],
    ["V='a\\b'", 'a\\b'],
    ["V='it\\'s'", "it's"],
    ['V="x\\ny"', 'x\ny'],
    ['V="a\\0123b\\cz\\\\"', 'aSb\\cz\\'],
    ['V="say \\"hi\\""  # trailing comment', 'say "hi"'],
    ['V="two\nlines"', 'two\nlines'],
    ["V='raw\nnewline'", 'raw\nnewline'],
    ['A=1\nV=${A}-$A-${B:-d}', '1-1-d'],
    ["A=1\nV='${A}'", '${A}'],
  ])('%j → %j', (text, expected) => {
    expect(readV(text)).toBe(expected);
  });

  it('lets a later definition win, as compose does', () => {
    expect(readV('V=1\nV=2\n')).toBe('2');
  });

  it('keeps CRLF line ends, a missing final line break and a byte order mark', () => {
    const text = '\uFEFFA=1\r\n# c\r\nB="x"\r\nC=3';
    const parsed = parseEnvFile(text);
    expect(parsed.bom).toBe(true);
    expect([...parsed.entries]).toEqual([
      ['A', '1'],
      ['B', 'x'],
      ['C', '3'],
    ]);
    expect(parsed.lines.map((l) => l.eol)).toEqual(['\r\n', '\r\n', '\r\n', '']);
    expect(renderEnvFile(parsed)).toBe(text);
  });

  it('numbers lines across a value that spans several', () => {
    const parsed = parseEnvFile('A="1\n2\n3"\nB=4\n');
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 4]);
  });

  it('takes a bare NAME from the environment it is given, and leaves it out otherwise', () => {
    expect(parseEnvFile('TAG\n').entries.has('TAG')).toBe(false);
    const parsed = parseEnvFile('TAG\nV=${TAG}\n', { environment: { TAG: '0.18.1' } });
    expect(parsed.entries.get('TAG')).toBe('0.18.1');
    expect(parsed.entries.get('V')).toBe('0.18.1');
    expect(parsed.lines[0]).toMatchObject({ kind: 'inherit', name: 'TAG' });
  });

  it('interpolates with the environment before earlier entries, as compose does', () => {
    expect(parseEnvFile('A=file\nV=$A\n', { environment: new Map([['A', 'shell']]) }).entries.get('V')).toBe(
      'shell',
    );
  });

  it('splits an entry into head, value text and tail so a value can be replaced in place', () => {
    const [line] = parseEnvFile('  export  KEY = "v a l"   # note\n').lines;
    expect(line).toMatchObject({
      kind: 'entry',
      head: '  export  KEY = ',
      nameAt: 10,
      valueText: '"v a l"',
      tail: '   # note',
      quote: 'double',
    });
  });

  it.each([
    ['V="unterminated', /never closed/],
    ["V='x' OTHER=1", /docker compose would read it as another variable/],
    ['MY VAR=1', /contains a space/],
    ['V;rm=1', /";" cannot appear in a variable name/],
    ['=value', /no variable name/],
    ['export', /lone "export"/],
    ['V=${', /not a valid compose variable reference/],
  ])('refuses %j with a message naming the line', (text, message) => {
    const error = (() => {
      try {
        parseEnvFile(`OK=1\n${text}\n`, { path: '/srv/engram/.env' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toMatch(message);
    expect((error as InvalidInputError).message).toContain('/srv/engram/.env line 2');
    expect((error as InvalidInputError).message).toContain('Nothing was changed');
  });
});
