import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeMigration,
  MigrationAnalysisSchema,
  MigrationLogWatcher,
  parseLogLine,
} from '../../../src/migrations';

const PARAMS = { seed: 20_260_902, numRuns: 300 };

// Sources assembled from the pieces migration files are made of, so the generator reaches the lexer's
// and the reader's awkward paths (unclosed literals, stray `end`s, heredocs, sigils), not only noise.
const piece = fc.oneof(
  fc.constantFrom(
    'defmodule Engram.Repo.Migrations.X do\n',
    '  use Ecto.Migration\n',
    '  def up do\n',
    '  def down do\n',
    '  def change do\n',
    '  def down, do: ',
    '  defp helper do\n',
    'end\n',
    '  end\n',
    'execute(',
    'execute ',
    ')',
    '(',
    ', ',
    '"',
    '"""\n',
    "'",
    '~S"""\n',
    '~s(',
    '?#',
    '#{',
    '}',
    '# phase/expand — x\n',
    '# phase/contract: y\n',
    '# rollback-irreversible\n',
    '@moduledoc """\nphase/migrate-data\n"""\n',
    '@disable_ddl_transaction true\n',
    'create index(:notes, [:title], concurrently: true)\n',
    'create table(:t) do\n',
    'alter table(:notes) do\n',
    'add :x, :text, default: "a", null: false\n',
    'modify :x, :bigint\n',
    'remove :x\n',
    'raise "no"\n',
    'backfill()\n',
    '"UPDATE notes SET a = 1; ALTER TABLE notes ALTER COLUMN a TYPE int"',
    '"CREATE INDEX i ON notes (a)"',
    '$$',
    '--',
    '/*',
    ';',
    '\n',
  ),
  fc.string({ maxLength: 8 }),
);
const source = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(''));
const filename = fc
  .tuple(fc.stringMatching(/^\d{14}$/), fc.constantFrom('x', 'add_x_expand', 'y_migrate', 'z_contract'))
  .map(([v, s]) => `${v}_${s}.exs`);

describe('properties', () => {
  it('analyzeMigration never throws on a valid file name and always returns a valid analysis', () => {
    fc.assert(
      fc.property(source, filename, (src, name) => {
        const a = analyzeMigration(src, { filename: name });
        expect(MigrationAnalysisSchema.safeParse(a).success).toBe(true);
        expect(a.evidence.length).toBeGreaterThanOrEqual(4);
        // A file that cannot be read is never called safe to roll back.
        if (a.module === null) expect(a.irreversible).toBe(true);
      }),
      PARAMS,
    );
  });

  it('parseLogLine and the watcher never throw, and the watcher returns one event per line', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        '{"severity":"info","message":"== Running 20260101000000 A.B.up/0"}',
        '{"severity":"info","message":"== Migrated 20260101000000 in 0.1s"}',
        '** (Postgrex.Error) ERROR 42P07 (duplicate_table) x',
        '    (ecto_sql 3.14.0) lib/x.ex:1: y',
      ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const w = new MigrationLogWatcher();
        for (const l of lines) {
          parseLogLine(l);
          const parts = l.split('\n');
          const expected = parts.length > 1 && parts.at(-1) === '' ? parts.length - 1 : parts.length;
          expect(w.push(l)).toHaveLength(expected);
        }
        const s = w.state();
        if (s.failed) expect(s.crashed).toBe(true);
      }),
      PARAMS,
    );
  });
});
