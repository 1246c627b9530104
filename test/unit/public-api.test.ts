import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as root from '../../src/index';
import * as testing from '../../src/testing/index';

const MODULES: Record<string, Record<string, unknown>> = {
  'engram-upgrade': root,
  'engram-upgrade/testing': testing,
};

describe('public API', () => {
  it('every name the README imports is exported by the module it names', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const imports = [...readme.matchAll(/import \{([^}]+)\} from '(engram-upgrade[^']*)'/g)];
    expect(imports.length).toBeGreaterThan(2);
    for (const [, names, from] of imports) {
      const mod = MODULES[from!];
      expect(mod, from).toBeDefined();
      for (const name of names!
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)) {
        expect(mod![name], `${name} from ${from}`).toBeTypeOf('function');
      }
    }
  });

  it('plans are values: the primitives return plain data types', () => {
    expectTypeOf(root.planUpgradePath).returns.toEqualTypeOf<root.UpgradePath>();
    expectTypeOf(root.backup).returns.resolves.toEqualTypeOf<root.BackupPlan>();
    expectTypeOf(root.restore).returns.resolves.toEqualTypeOf<root.RestorePlan>();
    expectTypeOf(root.parseReleaseNotes).returns.toEqualTypeOf<root.ReleaseNotes>();
    expectTypeOf<root.BackupPlan['kind']>().toEqualTypeOf<'backup'>();
    expectTypeOf<root.RestorePlan['kind']>().toEqualTypeOf<'restore'>();
  });

  it('every error the library throws is an UpgradeError with a stable code', () => {
    expectTypeOf<root.UpgradeError['code']>().toEqualTypeOf<root.UpgradeErrorCode>();
    const err = new root.InvalidInputError({ message: 'x is wrong' });
    expect(err).toBeInstanceOf(root.UpgradeError);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('x is wrong. Nothing was changed.');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'InvalidInputError',
      code: 'INVALID_INPUT',
      message: 'x is wrong',
      unchanged: 'Nothing was changed',
    });
  });
});
