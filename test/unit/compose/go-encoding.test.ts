import { describe, expect, it } from 'vitest';
import { GoFloat32, goJson } from '../../../src/compose/go-json';
import { formatGoDuration, parseGoDuration, parseRamBytes } from '../../../src/compose/go-units';

describe('goJson: bytes as Go encoding/json writes them', () => {
  it('escapes HTML characters, line separators and control characters the way Go does', () => {
    expect(goJson('a<b>&c')).toBe('"a\\u003cb\\u003e\\u0026c"');
    expect(goJson('x\u2028y\u2029')).toBe('"x\\u2028y\\u2029"');
    expect(goJson('q"\\\n\r\t\b\f\u0001\u001f')).toBe('"q\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f"');
    // Everything else, including non-ASCII and DEL, is written as it is.
    expect(goJson('é ✓ \u007f $')).toBe('"é ✓ \u007f $"');
  });

  it('writes struct fields in the order given and map keys sorted by their bytes', () => {
    const struct = {
      zeta: 1,
      alpha: new Map([
        ['b', '2'],
        ['a', null],
        ['10', 'x'],
        ['9', 'y'],
        ['B', 'z'],
      ]),
    };
    expect(goJson(struct)).toBe('{"zeta":1,"alpha":{"10":"x","9":"y","B":"z","a":null,"b":"2"}}');
    // Plain objects keep insertion order even for keys JavaScript would otherwise move first: use a Map.
    expect(
      goJson(
        new Map([
          ['2', true],
          ['1', false],
        ]),
      ),
    ).toBe('{"1":false,"2":true}');
  });

  it('writes float32 values the shortest way that reads back as the same float32', () => {
    expect(goJson([new GoFloat32(0.5), new GoFloat32(1.5), new GoFloat32(0.1), new GoFloat32(2)])).toBe(
      '[0.5,1.5,0.1,2]',
    );
    expect(goJson(new GoFloat32(1 / 3))).toBe('0.33333334');
    expect(goJson([0, -3, 4096, null, [], true])).toBe('[0,-3,4096,null,[],true]');
  });
});

describe('Go durations', () => {
  it.each([
    ['90s', '1m30s'],
    ['1h', '1h0m0s'],
    ['1500ms', '1.5s'],
    ['500ms', '500ms'],
    ['2us', '2µs'],
    ['0', '0s'],
    ['0s', '0s'],
    ['1.5h', '1h30m0s'],
    ['1m0.5s', '1m0.5s'],
    ['2h45m', '2h45m0s'],
    ['10ns', '10ns'],
  ])('%s reads as %s', (text, written) => {
    expect(formatGoDuration(parseGoDuration(text)!)).toBe(written);
  });

  it.each(['30', '1x', '', '.s', 's', '1h 2m'])('%j is no duration Go accepts', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });
});

describe('memory sizes (docker RAMInBytes)', () => {
  it.each([
    ['512m', 536870912],
    ['512M', 536870912],
    ['1g', 1073741824],
    ['1.5g', 1610612736],
    ['64mb', 67108864],
    ['10k', 10240],
    ['1024', 1024],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseRamBytes(text)).toBe(bytes);
  });

  it('takes a number as bytes and refuses what is no size', () => {
    expect(parseRamBytes(4096)).toBe(4096);
    expect(parseRamBytes('lots')).toBeNull();
    expect(parseRamBytes('1q')).toBeNull();
  });
});
