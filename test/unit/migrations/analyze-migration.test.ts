import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  analyzeMigration,
  type MigrationAnalysis,
  MigrationAnalysisSchema,
  type MigrationPhase,
} from '../../../src/migrations';
import { analyzeFixture, FIXTURES, fixtureSource, migrationModule } from './fixtures';

type Summary = Pick<MigrationAnalysis, 'phase' | 'irreversible' | 'lockRisk' | 'disableDdlTransaction'>;

const EXPECTED: Record<string, Summary> = {
  '20260618100000_add_users_locale.exs': {
    phase: 'unknown',
    irreversible: true,
    lockRisk: 'high',
    disableDdlTransaction: false,
  },
  '20260629250000_clear_v1_crdt_state_migrate.exs': {
    phase: 'migrate-data',
    irreversible: true,
    lockRisk: 'high',
    disableDdlTransaction: false,
  },
  '20260715090000_add_notes_tags_expand.exs': {
    phase: 'expand',
    irreversible: false,
    lockRisk: 'none',
    disableDdlTransaction: false,
  },
  '20260805230858_add_notes_search_index_expand.exs': {
    phase: 'expand',
    irreversible: false,
    lockRisk: 'low',
    disableDdlTransaction: true,
  },
  '20260808100000_create_note_links_expand.exs': {
    phase: 'expand',
    irreversible: false,
    lockRisk: 'none',
    disableDdlTransaction: false,
  },
  '20260808100100_add_notes_pinned.exs': {
    phase: 'expand',
    irreversible: false,
    lockRisk: 'low',
    disableDdlTransaction: true,
  },
  '20260817080100_drop_notes_legacy_body_contract.exs': {
    phase: 'contract',
    irreversible: false,
    lockRisk: 'low',
    disableDdlTransaction: false,
  },
  '20260819150000_rename_notes_body_contract.exs': {
    phase: 'unknown',
    irreversible: false,
    lockRisk: 'high',
    disableDdlTransaction: false,
  },
  '20260820120000_backfill_note_checksums_migrate.exs': {
    phase: 'migrate-data',
    irreversible: false,
    lockRisk: 'low',
    disableDdlTransaction: false,
  },
  '20260821090000_seed_terms_versions_migrate.exs': {
    phase: 'migrate-data',
    irreversible: true,
    lockRisk: 'none',
    disableDdlTransaction: false,
  },
};

describe('analyzeMigration on files written the ways Engram writes them', () => {
  it('has an expectation for every fixture file', () => {
    expect(FIXTURES.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (filename, expected) => {
    const a = analyzeFixture(filename);
    expect({
      phase: a.phase,
      irreversible: a.irreversible,
      lockRisk: a.lockRisk,
      disableDdlTransaction: a.disableDdlTransaction,
    }).toEqual(expected);
    expect(a.version).toBe(filename.slice(0, 14));
    expect(a.name).toBe(filename.slice(15, -4));
    expect(a.module).toMatch(/^Engram\.Repo\.Migrations\.[A-Z]\w+$/);
    expect(MigrationAnalysisSchema.parse(JSON.parse(JSON.stringify(a)))).toStrictEqual(a);
  });

  it('cites a line for every conclusion drawn from the file body', () => {
    for (const filename of FIXTURES) {
      const a = analyzeFixture(filename);
      expect(a.evidence).toEqual(a.reasons!.map((r) => r.text));
      for (const r of a.reasons!) {
        if (r.line !== null) expect(r.text).toContain(`Line ${r.line}`);
      }
      const topics = new Set(a.reasons!.map((r) => r.topic));
      expect([...topics].sort()).toEqual(['ddl-transaction', 'irreversible', 'lock-risk', 'phase']);
    }
  });

  it('reads a dash comment and agrees with the slug suffix', () => {
    const a = analyzeFixture('20260715090000_add_notes_tags_expand.exs');
    expect(a.evidence).toContain(
      'Line 2: the comment "# phase/expand — nullable tags column; nothing reads it until the next …" names phase expand.',
    );
    expect(a.evidence).toContain('The slug suffix _expand means phase expand.');
    expect(a.evidence.join('\n')).toMatch(
      /Line 7: alter table\(:notes\): add :tags.*catalog-only \(lock risk none\)/,
    );
  });

  it('reads a colon comment', () => {
    const a = analyzeFixture('20260808100000_create_note_links_expand.exs');
    expect(a.reasons!.find((r) => r.topic === 'phase')).toMatchObject({ line: 2 });
    expect(a.evidence[0]).toContain('"# phase/expand: new table');
  });

  it('finds a phase named only in the @moduledoc, at the line it is written on', () => {
    const src = fixtureSource('20260808100100_add_notes_pinned.exs');
    const a = analyzeFixture('20260808100100_add_notes_pinned.exs');
    const claim = a.reasons!.find((r) => r.topic === 'phase')!;
    expect(src.split('\n')[claim.line! - 1]).toContain('phase/expand — the column has a constant default');
    expect(claim.text).toMatch(/^Line 5: the @moduledoc line/);
    // "The # of pinned notes" inside the heredoc is text, not a comment.
    expect(a.reasons!.filter((r) => r.topic === 'phase')).toHaveLength(1);
    expect(a.evidence).toContain(
      'Line 10: @disable_ddl_transaction true: statements commit one by one, so a failure part-way leaves the earlier ones applied.',
    );
  });

  it('reads _migrate as migrate-data and # rollback-irreversible with a raising down/0 as one-way', () => {
    const a = analyzeFixture('20260629250000_clear_v1_crdt_state_migrate.exs');
    expect(a.evidence).toContain('The slug suffix _migrate means phase migrate-data.');
    expect(a.evidence).toContain('Line 1: "# rollback-irreversible" marks the migration one-way.');
    expect(a.evidence.join('\n')).toMatch(/Line 18: down\/0 raises \(raise Ecto\.MigrationError/);
    expect(a.evidence.join('\n')).toMatch(
      /Line 10: execute\/1 "UPDATE notes SET crdt_state = NULL.*UPDATE without WHERE rewrites every row of notes/,
    );
  });

  it('rolls back change/0 built from reversible Ecto commands and execute/2', () => {
    const a = analyzeFixture('20260805230858_add_notes_search_index_expand.exs');
    expect(a.evidence).toContain(
      'Line 8: change/0 holds only commands Ecto can run backward, so the migrator can roll it back.',
    );
    expect(a.evidence.join('\n')).toMatch(
      /Line 14: create index\(:notes.*concurrently: true lets reads and writes/,
    );
    // The index runs outside a transaction, as CONCURRENTLY requires: no warning about that.
    expect(a.evidence.join('\n')).not.toContain('cannot run inside a transaction');
  });

  it('does not roll back execute/1 inside change/0', () => {
    const a = analyzeFixture('20260821090000_seed_terms_versions_migrate.exs');
    expect(a.evidence).toContain(
      `Line 6: execute/1 "INSERT INTO terms_versions (label) VALUES ('2026-08')" cannot run backward (execute/1 gives Ecto no SQL to run backward), so change/0 cannot be rolled back.`,
    );
    expect(a.evidence).toContain(
      'Line 2: the comment "# phase/migrate-data — first terms version for existing users" names phase migrate-data.',
    );
  });

  it('says a reversible contract that drops a column still loses the column data', () => {
    const a = analyzeFixture('20260817080100_drop_notes_legacy_body_contract.exs');
    expect(a.irreversible).toBe(false);
    expect(a.evidence).toContain(
      'Line 10: it throws away notes.legacy_body; rolling back restores the schema, not that data.',
    );
  });

  it('reports unknown with both pieces of evidence when comment and slug disagree', () => {
    const a = analyzeFixture('20260819150000_rename_notes_body_contract.exs');
    expect(a.evidence).toContain(
      'Line 2: the comment "# phase/expand — keep both columns until clients move over" names phase expand.',
    );
    expect(a.evidence).toContain('The slug suffix _contract means phase contract.');
    expect(a.evidence).toContain(
      'Phase unknown: the file names expand and contract (comment on line 2: expand; slug suffix _contract: contract).',
    );
    // Both statements of the ~S heredoc are read; the type change decides.
    expect(a.evidence.join('\n')).toMatch(/changing a column type rewrites notes/);
    expect(a.evidence.join('\n')).toMatch(/SET NOT NULL scans every row of notes/);
  });

  it('says why the phase is unknown when nothing names one, and that up/0 alone cannot be rolled back', () => {
    const a = analyzeFixture('20260618100000_add_users_locale.exs');
    expect(a.evidence).toContain(
      'Phase unknown: no "# phase/…" comment, no phase in the @moduledoc and no _expand, _migrate or _contract slug suffix.',
    );
    expect(a.evidence).toContain(
      'Line 4: up/0 has no down/0 and there is no change/0, so rolling back fails.',
    );
    expect(a.evidence).toContain(
      'Line 9: create index(:users, [:locale]): without concurrently: true it blocks writes to users until the index is built (lock risk high).',
    );
  });

  it('exports types that say what they hold', () => {
    expectTypeOf(analyzeMigration).returns.toEqualTypeOf<MigrationAnalysis>();
    expectTypeOf<MigrationAnalysis['phase']>().toEqualTypeOf<MigrationPhase>();
    expectTypeOf<MigrationAnalysis['lockRisk']>().toEqualTypeOf<'none' | 'low' | 'high' | 'unknown'>();
  });
});

describe('analyzeMigration edge cases', () => {
  const analyze = (body: string, filename = '20260901000000_example.exs') =>
    analyzeMigration(migrationModule(body), { filename });

  it('reads the phase form Preflight looks for', () => {
    expect(analyze('  # phase: contract\n  def up, do: execute("SELECT 1")').phase).toBe('contract');
  });

  it('reads a moduledoc that names the phase in prose', () => {
    const a = analyze(
      '  @moduledoc "Data migration phase: copies titles."\n  def change, do: execute("SELECT 1", "SELECT 1")',
    );
    expect(a.phase).toBe('migrate-data');
  });

  it('treats a file with an unclosed heredoc as unreadable, not as safe', () => {
    const a = analyzeMigration('defmodule X do\n  def up do\n    execute """\n    DROP TABLE notes\n', {
      filename: '20260901000000_broken_contract.exs',
    });
    expect(a).toMatchObject({ phase: 'contract', irreversible: true, lockRisk: 'unknown' });
    expect(a.evidence).toContain('Lock risk unknown: no up/0 or change/0 could be read.');
  });

  it('treats a file without a module as unreadable', () => {
    const a = analyzeMigration('# not a migration\n', { filename: '20260901000000_empty.exs' });
    expect(a).toMatchObject({ module: null, phase: 'unknown', irreversible: true, lockRisk: 'unknown' });
  });

  it('follows helper functions and module attributes', () => {
    const a = analyze(
      [
        '  @backfill "UPDATE notes SET title = trim(title)"',
        '  def up do',
        '    backfill()',
        '  end',
        '  def down, do: :ok',
        '  defp backfill do',
        '    execute(@backfill)',
        '  end',
      ].join('\n'),
    );
    expect(a.lockRisk).toBe('high');
    expect(a.evidence.join('\n')).toMatch(/Line 10: execute\/1 "UPDATE notes SET title = trim\(title\)"/);
    expect(a.evidence).toContain('Line 8: down/0 does nothing, so rolling back only forgets the version.');
  });

  it('warns that a concurrent index inside a transaction fails', () => {
    const a = analyze('  def change do\n    create index(:notes, [:title], concurrently: true)\n  end');
    expect(a.disableDdlTransaction).toBe(false);
    expect(a.evidence).toContain(
      'Line 5: a concurrent index operation cannot run inside a transaction and the file does not set @disable_ddl_transaction, so this migration fails when it runs.',
    );
  });

  it('says unknown for a statement it cannot read, unless something else is high', () => {
    expect(analyze('  def up do\n    MyApp.Backfill.run()\n  end\n  def down, do: :ok').lockRisk).toBe(
      'unknown',
    );
    expect(
      analyze(
        '  def up do\n    MyApp.Backfill.run()\n    execute "LOCK TABLE notes IN EXCLUSIVE MODE"\n  end',
      ).lockRisk,
    ).toBe('high');
  });

  it('reads SQL inside a loop of executes', () => {
    const a = analyze(
      '  def up do\n    for t <- ~w(notes users) do\n      execute("ALTER TABLE #{t} ALTER COLUMN id TYPE uuid")\n    end\n  end',
    );
    expect(a.lockRisk).toBe('high');
    expect(a.evidence.join('\n')).toContain('changing a column type rewrites #{t}');
  });

  it.each([
    ['a.exs', 'it does not start with a version number'],
    ['20260901000000_add_x.ex', 'it ends in .ex, not .exs'],
    ['20260901000000_add_x.sql', 'it does not end in .exs'],
    ['202609010000_add_x.exs', 'its version 202609010000 has 12 digits, not 14'],
    ['20260901000000add_x.exs', 'the version is not followed by an underscore and a slug'],
    ['20260901000000.exs', 'the version is not followed by an underscore and a slug'],
    ['20260901000000_.exs', 'the slug after the version is empty'],
    ['20260901000000_AddX.exs', 'the slug "AddX" is not lower-case snake_case'],
    ['', 'it is empty'],
  ])('rejects the file name %j', (filename, why) => {
    const attempt = () => analyzeMigration('', { filename });
    expect(attempt).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', name: 'InvalidInputError' }),
    );
    expect(attempt).toThrowError(why);
  });

  it('accepts a path and a version whose "hour" is 25, as Engram ships one', () => {
    const a = analyzeMigration(migrationModule('  def change, do: execute("SELECT 1", "SELECT 1")'), {
      filename: 'priv/repo/migrations/20260629250000_x_expand.exs',
    });
    expect(a).toMatchObject({ version: '20260629250000', name: 'x_expand', phase: 'expand' });
  });

  it('rejects a missing file name or a source that is not text', () => {
    expect(() => analyzeMigration('', undefined as never)).toThrowError(/opts\.filename/);
    expect(() =>
      analyzeMigration(Buffer.from('x') as never, { filename: '20260901000000_x.exs' }),
    ).toThrowError(/is not text/);
  });
});
