import { describe, expect, it } from 'vitest';
import { interpolate, lookupIn, parseTemplate } from '../../../src/compose/interpolate';
import { InvalidInputError } from '../../../src/errors/upgrade-error';

const env = lookupIn({ T: '1.0', E: '', R: 'ghcr.io/x' });

describe('interpolate', () => {
  // Each expectation was checked against `docker compose config` (Compose 2.26).
  it.each([
    ['repo:${T}', 'repo:1.0'],
    ['repo:$T', 'repo:1.0'],
    ['${R}/y:${T:-2}', 'ghcr.io/x/y:1.0'],
    ['repo:${E:-d}', 'repo:d'],
    ['repo:${E-d}', 'repo:'],
    ['repo:${U-d}', 'repo:d'],
    ['repo:${U:-${T}}', 'repo:1.0'],
    ['r:${U:-${R:-z}/q}', 'r:ghcr.io/x/q'],
    ['repo:${T:+alt}', 'repo:alt'],
    ['repo:${E:+alt}', 'repo:'],
    ['repo:${U+alt}', 'repo:'],
    ['repo:${T+alt}', 'repo:alt'],
    ['a$$b', 'a$b'],
    ['a$1', 'a$1'],
    ['trailing $', 'trailing $'],
    ['repo:${T}}x', 'repo:1.0}x'],
  ])('%s → %s', (template, expected) => {
    expect(interpolate(template, env)).toBe(expected);
  });

  it('reports unset variables that have no default, and substitutes an empty string as compose does', () => {
    const unset: string[] = [];
    expect(interpolate('a:${NOPE}-$ALSO_NOT', env, { onUnset: (n) => unset.push(n) })).toBe('a:-');
    expect(unset).toEqual(['NOPE', 'ALSO_NOT']);
    const none: string[] = [];
    interpolate('${NOPE:-x}${E}', env, { onUnset: (n) => none.push(n) });
    expect(none).toEqual([]);
  });

  it('raises the message of ${VAR:?message} when the variable is missing or empty', () => {
    expect(() => interpolate('${E:?set the tag}', env)).toThrow(/Required variable E is empty: set the tag/);
    expect(() => interpolate('${U?}', env)).toThrow(InvalidInputError);
    expect(interpolate('${E?}', env)).toBe('');
  });

  it('refuses a ${ compose would refuse', () => {
    for (const bad of ['${', '${T', '${}', '${1X}', '${ T}', '${T!x}']) {
      expect(() => parseTemplate(bad), bad).toThrow(InvalidInputError);
    }
  });

  it('keeps each reference as written, with its nested default', () => {
    expect(parseTemplate('ghcr.io/a:${TAG:-v$$1}')).toEqual([
      { kind: 'text', text: 'ghcr.io/a:' },
      {
        kind: 'variable',
        name: 'TAG',
        operator: ':-',
        argument: [{ kind: 'text', text: 'v$1' }],
        source: '${TAG:-v$$1}',
      },
    ]);
  });

  it('reads only own properties of a record, never the prototype', () => {
    expect(lookupIn({})('constructor')).toBeUndefined();
    expect(lookupIn(new Map([['A', '1']]))('A')).toBe('1');
  });
});
