import { describe, expect, it } from 'vitest';
import { tokenizeElixir } from '../../../src/migrations/elixir-tokens';
import { outlineMigration } from '../../../src/migrations/migration-outline';

const strings = (src: string) =>
  tokenizeElixir(src)
    .tokens.filter((t) => t.kind === 'string')
    .map((t) => t.value);

describe('reading Elixir source', () => {
  it('keeps # inside strings, heredocs, sigils and character literals out of the comments', () => {
    const src = [
      'x = "a # b"',
      "y = 'c # d'",
      'z = ~s(e # f)',
      'q = ?#',
      'h = """',
      '  g # h',
      '  """',
      '# a real comment',
    ].join('\n');
    const { comments, complete } = tokenizeElixir(src);
    expect(comments).toEqual([{ line: 8, text: 'a real comment' }]);
    expect(complete).toBe(true);
  });

  it('decodes escapes, keeps interpolation as written and leaves raw sigils alone', () => {
    expect(strings(String.raw`execute("SELECT \"a\"\n#{t} \#{u}")`)).toEqual(['SELECT "a"\n#{t} #{u}']);
    expect(strings(String.raw`execute(~S"SELECT E'\n'")`)).toEqual([String.raw`SELECT E'\n'`]);
    const [t] = tokenizeElixir('"a #{"}"} b"').tokens;
    expect(t).toMatchObject({ kind: 'string', value: 'a #{"}"} b', interpolated: true });
  });

  it('strips the closing indentation from heredocs and counts lines through them', () => {
    const { tokens } = tokenizeElixir('execute """\n    UPDATE notes\n      SET x = 1\n    """\nflush()');
    expect(tokens.find((t) => t.kind === 'string')!.value).toBe('UPDATE notes\n  SET x = 1\n');
    expect(tokens.find((t) => t.text === 'flush')!.line).toBe(5);
  });

  it('tells keyword keys, atoms and words apart', () => {
    const kinds = tokenizeElixir('index(:notes, [:title], concurrently: true, do: x)')
      .tokens.filter((t) => t.kind !== 'punct')
      .map((t) => `${t.kind}:${t.value}`);
    expect(kinds).toEqual([
      'word:index',
      'atom:notes',
      'atom:title',
      'key:concurrently',
      'word:true',
      'key:do',
      'word:x',
    ]);
  });

  it('reports an unclosed string as incomplete', () => {
    expect(tokenizeElixir('execute("SELECT 1').complete).toBe(false);
    expect(tokenizeElixir('execute """\nSELECT 1\n').complete).toBe(false);
  });

  it('outlines the module, attributes, moduledoc and functions of both def forms', () => {
    const o = outlineMigration(
      [
        'defmodule Engram.Repo.Migrations.AddX do',
        '  @moduledoc """',
        '  Adds x.',
        '  """',
        '  use Ecto.Migration',
        '  @disable_ddl_transaction true',
        '  def up do',
        '    execute "SELECT 1"',
        '  end',
        '  def down, do: raise "no"',
        '  defp helper(a) when is_atom(a) do',
        '    a',
        '  end',
        'end',
      ].join('\n'),
    );
    expect(o.module).toEqual({ name: 'Engram.Repo.Migrations.AddX', line: 1 });
    expect(o.moduledoc).toEqual({ text: 'Adds x.\n', line: 3 });
    expect([...o.attributes.keys()]).toEqual(['moduledoc', 'disable_ddl_transaction']);
    expect(
      o.defs.map((d) => [d.name, d.private, d.line, d.body.filter((t) => t.kind !== 'newline').length]),
    ).toEqual([
      ['up', false, 7, 2],
      ['down', false, 10, 2],
      ['helper', true, 11, 1],
    ]);
    expect(o.complete).toBe(true);
  });
});
