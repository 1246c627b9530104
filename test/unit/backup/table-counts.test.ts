import { describe, expect, it } from 'vitest';
import { compareWithManifest, countsQuery } from '../../../src/backup/table-counts';

describe('countsQuery', () => {
  it('counts every table under its schema-qualified name in one statement', () => {
    const sql = countsQuery([
      ['public', 'notes'],
      ['public', 'schema_migrations'],
    ]);
    expect(sql).toBe(
      `SELECT 'public.notes', count(*) FROM "public"."notes" UNION ALL SELECT 'public.schema_migrations', count(*) FROM "public"."schema_migrations"`,
    );
  });

  it('quotes odd identifiers and the label literal, so no name can end the statement', () => {
    const sql = countsQuery([['we"ird', "it's; DROP TABLE x"]]);
    expect(sql).toBe(`SELECT 'we"ird.it''s; DROP TABLE x', count(*) FROM "we""ird"."it's; DROP TABLE x"`);
  });

  it('is a valid query with no rows for no tables', () => {
    expect(countsQuery([])).toMatch(/WHERE false$/);
  });
});

describe('compareWithManifest', () => {
  const expected = {
    tables: { 'public.notes': 120, 'public.users': 3 },
    applied: ['20250101000000', '20250301000000'],
  };

  it('finds nothing to report when the restore matches', () => {
    expect(compareWithManifest(expected, structuredClone(expected))).toEqual([]);
  });

  it('reports a row count that differs, naming both numbers', () => {
    const diffs = compareWithManifest(expected, {
      ...expected,
      tables: { 'public.notes': 119, 'public.users': 3 },
    });
    expect(diffs).toEqual(['table public.notes has 119 rows, the manifest says 120']);
  });

  it('reports a missing table and an extra one', () => {
    const diffs = compareWithManifest(expected, {
      ...expected,
      tables: { 'public.notes': 120, 'public.surprise': 0 },
    });
    expect(diffs).toEqual(['table public.users is missing', 'table public.surprise is not in the manifest']);
  });

  it('reports an empty table that vanished (0 rows is not the same as missing)', () => {
    const diffs = compareWithManifest(
      { tables: { 'public.empty': 0 }, applied: [] },
      { tables: {}, applied: [] },
    );
    expect(diffs).toEqual(['table public.empty is missing']);
  });

  it('reports a migration list that differs, with both heads', () => {
    const diffs = compareWithManifest(expected, { ...expected, applied: ['20250101000000'] });
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toContain('manifest head 20250301000000 (2)');
    expect(diffs[0]).toContain('restored head 20250101000000 (1)');
  });

  it('reports a migration list with the same head but a gap', () => {
    const diffs = compareWithManifest(expected, { ...expected, applied: ['20250301000000'] });
    expect(diffs).toHaveLength(1);
  });

  it('says none when a side has no migrations', () => {
    const diffs = compareWithManifest(expected, { ...expected, applied: [] });
    expect(diffs[0]).toContain('restored head none (0)');
  });
});
