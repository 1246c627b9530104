import { describe, expect, it } from 'vitest';
import { analyzeMigration, type LockRisk } from '../../../src/migrations';
import { classifySql } from '../../../src/migrations/sql-lock-risk';
import { splitSql } from '../../../src/migrations/sql-text';
import { migrationModule } from './fixtures';

function sqlRisk(sql: string, newTables: string[] = []): LockRisk[] {
  return classifySql(sql, { newTables: new Set(newTables) }).map((f) => f.risk);
}

describe('lock risk of SQL statements', () => {
  it.each<[string, LockRisk]>([
    ['CREATE INDEX notes_title_index ON notes (title)', 'high'],
    ['CREATE UNIQUE INDEX IF NOT EXISTS users_email_index ON public.users (lower(email))', 'high'],
    ['CREATE INDEX CONCURRENTLY notes_title_index ON notes (title)', 'low'],
    ['create index on "Notes" using gin (tags)', 'high'],
    ['CREATE TABLE note_tags (id bigserial PRIMARY KEY, tag text NOT NULL)', 'none'],
    ['ALTER TABLE notes ADD COLUMN tags text[]', 'none'],
    ['ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false', 'low'],
    ["ALTER TABLE users ADD COLUMN IF NOT EXISTS locale text DEFAULT 'en'", 'low'],
    ['ALTER TABLE notes ADD COLUMN rev integer NOT NULL', 'low'],
    ['ALTER TABLE notes ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid()', 'high'],
    ['ALTER TABLE notes ADD COLUMN seq bigserial', 'high'],
    ['ALTER TABLE notes ADD COLUMN words integer GENERATED ALWAYS AS (length(body)) STORED', 'high'],
    ['ALTER TABLE notes ALTER COLUMN title TYPE varchar(500)', 'high'],
    ['ALTER TABLE notes ALTER title SET DATA TYPE text', 'high'],
    ['ALTER TABLE notes ALTER COLUMN title SET NOT NULL', 'high'],
    ['ALTER TABLE notes ALTER COLUMN title DROP NOT NULL', 'low'],
    ['ALTER TABLE notes DROP COLUMN legacy_body', 'low'],
    ['ALTER TABLE notes ADD CONSTRAINT title_len CHECK (length(title) < 500)', 'high'],
    ['ALTER TABLE notes ADD CONSTRAINT title_len CHECK (length(title) < 500) NOT VALID', 'low'],
    ['ALTER TABLE notes VALIDATE CONSTRAINT title_len', 'low'],
    ['ALTER TABLE notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', 'low'],
    ['ALTER TABLE notes ADD COLUMN a text, ALTER COLUMN b TYPE bigint', 'high'],
    ['ALTER TABLE notes SET UNLOGGED', 'high'],
    ['UPDATE notes SET checksum = md5(body)', 'high'],
    ['UPDATE notes SET checksum = md5(body) WHERE checksum IS NULL', 'low'],
    ['DELETE FROM sessions', 'high'],
    ['TRUNCATE oban_jobs', 'high'],
    ['LOCK TABLE notes IN ACCESS EXCLUSIVE MODE', 'high'],
    ["INSERT INTO terms_versions (label) VALUES ('x')", 'none'],
    ['DROP TABLE IF EXISTS old_notes', 'low'],
    ['DROP INDEX CONCURRENTLY notes_title_index', 'none'],
    [
      "CREATE POLICY notes_tenant ON notes USING (user_id::text = current_setting('app.current_tenant', true))",
      'low',
    ],
    ['CREATE EXTENSION IF NOT EXISTS pg_trgm', 'none'],
    ['GRANT SELECT ON notes TO engram_app', 'none'],
    ['REFRESH MATERIALIZED VIEW note_stats', 'high'],
    ['DO $$ BEGIN PERFORM 1; END $$', 'unknown'],
    ['MERGE INTO notes USING staging ON true WHEN MATCHED THEN DO NOTHING', 'unknown'],
  ])('%s → %s', (sql, risk) => {
    expect(sqlRisk(sql)).toEqual([risk]);
  });

  it('does not lock a table created earlier in the same migration', () => {
    expect(
      sqlRisk(
        'CREATE TABLE t (id int); CREATE INDEX t_id ON t (id); ALTER TABLE t ALTER COLUMN id TYPE bigint',
      ),
    ).toEqual(['none', 'none', 'none']);
    expect(sqlRisk('CREATE INDEX t_id ON t (id)', ['t'])).toEqual(['none']);
  });

  it('splits statements outside quotes, dollar quotes and comments', () => {
    expect(
      splitSql(`
        -- a comment; with a semicolon
        UPDATE notes SET title = 'a;b';
        CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;
        /* block; comment */ SELECT "odd;name" FROM t
      `),
    ).toEqual([
      "UPDATE notes SET title = 'a;b'",
      'CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql',
      'SELECT "odd;name" FROM t',
    ]);
  });
});

describe('lock risk of Ecto migration commands', () => {
  const risk = (body: string) =>
    analyzeMigration(migrationModule(`  def change do\n${body}\n  end`), { filename: '20260901000000_x.exs' })
      .lockRisk;

  it.each<[string, LockRisk]>([
    ['create table(:tags) do\n add :name, :text\n timestamps()\n end', 'none'],
    ['create index(:notes, [:title])', 'high'],
    ['create unique_index(:users, [:email], name: :users_email_index)', 'high'],
    ['create index(:notes, [:title], concurrently: true)', 'low'],
    ['create table(:tags) do\n add :name, :text\n end\n create index(:tags, [:name])', 'none'],
    ['alter table(:notes) do\n add :tags, {:array, :text}\n end', 'none'],
    ['alter table(:notes) do\n add :pinned, :boolean, default: false, null: false\n end', 'low'],
    ['alter table(:notes) do\n add :rev, :integer, null: false\n end', 'low'],
    ['alter table(:notes) do\n add :workspace_id, references(:workspaces, type: :uuid)\n end', 'low'],
    ['alter table(:notes) do\n add :public_id, :uuid, default: fragment("gen_random_uuid()")\n end', 'high'],
    ['alter table(:notes) do\n modify :title, :string, size: 500, from: :text\n end', 'high'],
    ['alter table(:notes) do\n remove :legacy_body, :text\n end', 'low'],
    ['create constraint(:notes, :title_len, check: "length(title) < 500")', 'high'],
    ['create constraint(:notes, :title_len, check: "length(title) < 500", validate: false)', 'low'],
    ['drop index(:notes, [:title])', 'low'],
    ['drop table(:old_notes)', 'low'],
    ['rename table(:notes), :body, to: :content', 'low'],
    ['execute("LOCK TABLE notes IN SHARE MODE", "SELECT 1")', 'high'],
    ['flush()', 'none'],
  ])('%j → %s', (body, expected) => {
    expect(risk(body)).toBe(expected);
  });
});
