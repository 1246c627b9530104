import { describe, expect, it } from 'vitest';
import { analyzeMigration, firstNewVersion, pendingMigrations } from '../../../src/migrations';
import { renderExs } from '../../../testbed/lib/exs';
import { migrationsUpTo, SERIES } from '../../../testbed/series';

// Every migration file any image of the test series ships, including files fixed in later releases.
const FILES = SERIES.flatMap((r) => migrationsUpTo(r.version)).filter(
  (m, i, all) => all.findIndex((o) => o.version === m.version && o.up === m.up) === i,
);

describe('analyzeMigration on every file the stand-in images ship', () => {
  it('covers the whole series', () => {
    expect(new Set(FILES.map((m) => m.version)).size).toBe(
      SERIES.reduce((n, r) => n + r.migrations.length, 0),
    );
  });

  it.each(FILES.map((m) => [`${m.version}_${m.slug}`, m] as const))('%s', (_name, m) => {
    const a = analyzeMigration(renderExs(m), { filename: `${m.version}_${m.slug}.exs` });
    expect(a.version).toBe(m.version);
    expect(a.name).toBe(m.slug);
    // The baseline declares no phase: it has no comment, no moduledoc and no suffix.
    expect(a.phase).toBe(m.phase?.name ?? 'unknown');
    expect(a.irreversible).toBe(m.irreversible ?? false);
    expect(a.disableDdlTransaction).toBe(m.disableDdlTransaction ?? false);
    expect(a.lockRisk).not.toBe('unknown');
  });

  it('rates the whole-table backfill high and the constant-default column low', () => {
    const [checksum] = migrationsUpTo('0.17.0').filter((m) => m.slug === 'add_notes_checksum_expand');
    const [pinned] = migrationsUpTo('0.15.0').filter((m) => m.slug === 'add_notes_pinned_expand');
    expect(analyzeMigration(renderExs(checksum!), { filename: `${checksum!.version}_x.exs` }).lockRisk).toBe(
      'high',
    );
    expect(analyzeMigration(renderExs(pinned!), { filename: `${pinned!.version}_x.exs` }).lockRisk).toBe(
      'low',
    );
  });

  it('finds what an upgrade from 0.15.0 to 0.17.0 runs and the rollback argument after it', () => {
    const analyses = migrationsUpTo('0.17.0').map((m) =>
      analyzeMigration(renderExs(m), { filename: `${m.version}_${m.slug}.exs` }),
    );
    const before = migrationsUpTo('0.15.0').map((m) => m.version);
    const pending = pendingMigrations(analyses, before);
    expect(pending.map((m) => m.version)).toEqual(['20260814120000', '20260817080000', '20260817080100']);
    expect(pending.some((m) => m.irreversible)).toBe(true);
    const after = [...before, ...pending.map((m) => m.version)];
    expect(firstNewVersion(before, after)).toBe('20260814120000');
  });
});
