import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderComposeFile } from '../../../src/testing/stack-compose-file';
import { camel, renderExs } from '../../../testbed/lib/exs';
import { migrationsUpTo, SERIES } from '../../../testbed/series';

describe('stand-in migration files', () => {
  it('names modules like Ecto does', () => {
    expect(camel('add_notes_pinned_expand')).toBe('AddNotesPinnedExpand');
  });

  it('marks irreversible files at the top and makes down/0 raise', () => {
    const src = renderExs(
      migrationsUpTo('0.17.0').find((m) => m.slug === 'drop_notes_legacy_body_contract')!,
    );
    expect(src.startsWith('# rollback-irreversible\n')).toBe(true);
    expect(src).toMatch(/def down do\n {4}raise "/);
    expect(src).toContain('# phase/contract — ');
  });

  it('writes single-statement reversible migrations as change/0 with execute(up, down)', () => {
    const src = renderExs(migrationsUpTo('0.14.0').find((m) => m.slug === 'add_notes_tags_expand')!);
    expect(src).toContain(
      '  def change do\n    execute("ALTER TABLE notes ADD COLUMN tags text[]", "ALTER TABLE notes DROP COLUMN tags")',
    );
  });

  it('escapes quotes so the stand-in reads back the exact SQL', () => {
    const src = renderExs({ version: '1', slug: 'q', up: ['SELECT "a\\b"'], down: ['SELECT 1', 'SELECT 2'] });
    expect(src).toContain('execute("SELECT \\"a\\\\b\\"")');
  });

  it('later images carry the fixed version of a migration that failed in its own release', () => {
    const failing = migrationsUpTo('1.0.1').find((m) => m.version === '20260902100100')!;
    const fixed = migrationsUpTo('1.1.0').find((m) => m.version === '20260902100100')!;
    expect(failing.up[0]).toContain('CREATE TABLE notes ');
    expect(fixed.up[0]).toContain('CREATE TABLE note_search');
  });

  it('declares migrations in strictly increasing 14-digit versions across the series', () => {
    const all = SERIES.flatMap((r) => r.migrations.map((m) => m.version));
    expect(all.every((v) => /^\d{14}$/.test(v))).toBe(true);
    expect([...all].sort()).toEqual(all);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('harness compose file', () => {
  const doc = parse(
    renderComposeFile({
      engramImage: 'reg/engram-app/engram:0.15.0',
      postgresImage: 'reg/library/postgres:18',
      postgresDataMount: '/var/lib/postgresql',
      httpPort: 40123,
      postgresPort: 40124,
      healthcheck: { intervalS: 2, startPeriodS: 30, retries: 10 },
      owner: 'host:1234',
      database: 'engram',
    }),
  );

  it('publishes ports on 127.0.0.1 only', () => {
    expect(doc.services.engram.ports).toEqual(['127.0.0.1:40123:4000']);
    expect(doc.services.postgres.ports).toEqual(['127.0.0.1:40124:5432']);
  });

  it('keeps secrets out of the compose file (interpolated from .env)', () => {
    expect(doc.services.postgres.environment.POSTGRES_PASSWORD).toBe('${POSTGRES_PASSWORD}');
    expect(doc.services.engram.environment.DATABASE_URL).toContain('${POSTGRES_PASSWORD}');
    expect(doc.services.engram.env_file).toEqual(['.env']);
  });

  it('shapes engram like the stock service: healthcheck, restart policy, depends_on healthy postgres', () => {
    expect(doc.services.engram.restart).toBe('unless-stopped');
    expect(doc.services.engram.healthcheck.test[1]).toContain('/api/health');
    expect(doc.services.engram.depends_on.postgres.condition).toBe('service_healthy');
    expect(doc.volumes.pg_data.labels['engram-upgrade.testbed']).toBe('true');
    expect(doc.services.engram.labels['engram-upgrade.testbed.owner']).toBe('host:1234');
  });

  it('mounts the Postgres volume where it is told to, like the stock pg18_data:/var/lib/postgresql', () => {
    expect(doc.services.postgres.volumes).toEqual(['pg_data:/var/lib/postgresql']);
  });
});
