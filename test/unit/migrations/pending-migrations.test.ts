import { describe, expect, it } from 'vitest';
import {
  analyzeMigration,
  firstNewVersion,
  type MigrationAnalysis,
  pendingMigrations,
} from '../../../src/migrations';
import { migrationModule } from './fixtures';

function shipped(version: string): MigrationAnalysis {
  return analyzeMigration(migrationModule('  def change, do: execute("SELECT 1", "SELECT 1")'), {
    filename: `${version}_m${version.slice(-4)}.exs`,
  });
}

describe('pendingMigrations', () => {
  const files = ['20260817080100', '20260602000000', '20260817080000', '20260715090000'].map(shipped);

  it('returns the shipped migrations not yet applied, in ascending version order', () => {
    const pending = pendingMigrations(files, ['20260602000000', '20260715090000', '20250101000000']);
    expect(pending.map((m) => m.version)).toEqual(['20260817080000', '20260817080100']);
    expect(
      pendingMigrations(
        files,
        files.map((f) => f.version),
      ),
    ).toEqual([]);
  });

  it('does not reorder the caller’s array', () => {
    const copy = [...files];
    pendingMigrations(files, []);
    expect(files).toEqual(copy);
  });

  it('rejects versions that are not 14-digit strings, and shipped files that share a version', () => {
    expect(() => pendingMigrations(files, [20260602000000 as never])).toThrowError(
      /applied\[0\] 20260602000000 is not a migration version/,
    );
    expect(() => pendingMigrations(files, ['0.17.0'])).toThrowError(/applied\[0\] "0\.17\.0"/);
    expect(() => pendingMigrations([...files, shipped('20260602000000')], [])).toThrowError(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('two shipped migrations have version 20260602000000'),
      }),
    );
  });
});

describe('firstNewVersion', () => {
  const before = ['20260602000000', '20260715090000'];

  it('is the lowest version applied now but not before: the inclusive rollback target', () => {
    expect(firstNewVersion(before, [...before, '20260817080100', '20260817080000'])).toBe('20260817080000');
  });

  it('counts a partial upgrade: only what was applied before the failure', () => {
    expect(firstNewVersion(before, [...before, '20260902100000'])).toBe('20260902100000');
  });

  it('is null when nothing new was applied, even if something was rolled back', () => {
    expect(firstNewVersion(before, before)).toBeNull();
    expect(firstNewVersion(before, ['20260602000000'])).toBeNull();
    expect(firstNewVersion([], [])).toBeNull();
  });

  it('rejects anything but 14-digit strings', () => {
    expect(() => firstNewVersion(['2026060200000'], [])).toThrowError(/appliedBefore\[0\] "2026060200000"/);
    expect(() => firstNewVersion([], 'x' as never)).toThrowError(/appliedNow is not a list/);
  });
});
