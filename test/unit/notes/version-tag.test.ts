import { describe, expect, it } from 'vitest';
import { UpgradeError } from '../../../src/errors/upgrade-error';
import {
  compareVersionTags,
  formatVersionTag,
  parseVersionTag,
  requireVersionTag,
} from '../../../src/notes/version-tag';

describe('parseVersionTag', () => {
  it.each([
    ['release-v0.17.0', '0.17.0', 'release-v', false],
    ['release-v1.2.0-rc.1', '1.2.0-rc.1', 'release-v', true],
    ['v2.8.1', '2.8.1', 'v', false],
    ['0.5.688', '0.5.688', 'bare', false],
    [' 1.0.0 ', '1.0.0', 'bare', false],
  ])('reads %s as %s in the %s family', (tag, version, family, prerelease) => {
    expect(parseVersionTag(tag)).toEqual({ tag: tag.trim(), version, family, prerelease });
  });

  it.each([
    'pre-python-removal',
    'latest',
    '0.17',
    'release-vv1.0.0',
    'release-0.17.0',
    'v',
    '',
    'sha-3f1c2a9',
  ])('does not read %j as a version', (tag) => {
    expect(parseVersionTag(tag)).toBeNull();
  });

  it('requireVersionTag names the bad tag in an INVALID_INPUT error', () => {
    expect(() => requireVersionTag('pre-python-removal')).toThrowError(/pre-python-removal/);
    try {
      requireVersionTag('latest');
    } catch (e) {
      expect(e).toBeInstanceOf(UpgradeError);
      expect((e as UpgradeError).code).toBe('INVALID_INPUT');
    }
  });
});

describe('compareVersionTags', () => {
  const tag = (t: string) => requireVersionTag(t);

  it('orders tags within one family by semver', () => {
    expect(compareVersionTags(tag('release-v0.9.0'), tag('release-v0.10.0'))).toBeLessThan(0);
    expect(compareVersionTags(tag('0.5.688'), tag('0.6.0'))).toBeLessThan(0);
    expect(compareVersionTags(tag('release-v1.0.0'), tag('release-v1.0.0-rc.1'))).toBeGreaterThan(0);
  });

  it('refuses to compare across families: v2.8.1 predates 0.6.0 in Engram', () => {
    expect(() => compareVersionTags(tag('v2.8.1'), tag('0.6.0'))).toThrowError(/different tag families/);
    expect(() => compareVersionTags(tag('release-v0.17.0'), tag('0.17.0'))).toThrowError(UpgradeError);
  });

  it('formats a version back into its family', () => {
    expect(formatVersionTag('0.17.0', 'release-v')).toBe('release-v0.17.0');
    expect(formatVersionTag('2.8.1', 'v')).toBe('v2.8.1');
    expect(formatVersionTag('0.5.688', 'bare')).toBe('0.5.688');
  });
});
