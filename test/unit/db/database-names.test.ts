import { describe, expect, it } from 'vitest';
import { restoreDatabaseNames, utf8Prefix } from '../../../src/db/database-names';
import { UpgradeError } from '../../../src/errors';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const at = new Date('2026-11-29T02:35:54.123Z');

describe('restoreDatabaseNames', () => {
  const targets = [
    'engram',
    'x'.repeat(56),
    'x'.repeat(62),
    'x'.repeat(63),
    `${'ä'.repeat(31)}x`, // 63 bytes in 32 characters
    `${'日'.repeat(21)}`, // 63 bytes
  ];

  it.each(targets)('derives distinct names of at most 63 bytes for %s', (target) => {
    const n = restoreDatabaseNames(target, at, () => 'abc123');
    for (const name of [n.staging, n.previous]) {
      expect(bytes(name)).toBeLessThanOrEqual(63);
      expect(name).not.toBe(target);
    }
    expect(n.staging).not.toBe(n.previous);
  });

  it('keeps the timestamp and the random part in both names, so two restores never clash', () => {
    const a = restoreDatabaseNames('x'.repeat(56), at, () => 'aaaaaa');
    const b = restoreDatabaseNames('x'.repeat(56), at, () => 'bbbbbb');
    expect(a.previous).toContain('20261129023554aaaaaa');
    expect(b.previous).toContain('20261129023554bbbbbb');
    expect(a.previous).not.toBe(b.previous);
    expect(a.staging).not.toBe(b.staging);
  });

  it('uses fresh randomness by default', () => {
    const a = restoreDatabaseNames('engram', at);
    const b = restoreDatabaseNames('engram', at);
    expect(a.staging).not.toBe(b.staging);
  });

  it('refuses a target name Postgres would truncate', () => {
    for (const name of ['x'.repeat(64), `${'ä'.repeat(32)}`, '']) {
      expect(() => restoreDatabaseNames(name, at)).toThrow(UpgradeError);
    }
    try {
      restoreDatabaseNames('y'.repeat(70), at);
    } catch (err) {
      expect((err as UpgradeError).code).toBe('INVALID_INPUT');
      expect((err as Error).message).toContain('70 bytes');
      expect((err as Error).message).toContain('Nothing was changed');
    }
  });
});

describe('utf8Prefix', () => {
  it('never splits a character', () => {
    expect(utf8Prefix('ääää', 5)).toBe('ää');
    expect(utf8Prefix('abc', 10)).toBe('abc');
    expect(bytes(utf8Prefix('日本語テキスト', 10))).toBe(9);
  });
});
