import type { MigrationDecl } from '../series';

/** `add_notes_pinned_expand` → `AddNotesPinnedExpand` */
export function camel(slug: string): string {
  return slug
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function elixirString(sql: string): string {
  return `"${sql.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Renders a migration as a real-looking Ecto migration file whose `execute` calls the stand-in runs. */
export function renderExs(m: MigrationDecl): string {
  const lines: string[] = [];
  if (m.irreversible) lines.push('# rollback-irreversible');
  lines.push(`defmodule Engram.Repo.Migrations.${camel(m.slug)} do`);
  if (m.phase?.style === 'moduledoc') {
    lines.push('  @moduledoc """', `  phase/${m.phase.name} — ${m.phase.note}.`, '  """');
  } else if (m.phase?.style === 'dash') {
    lines.push(`  # phase/${m.phase.name} — ${m.phase.note}`);
  } else if (m.phase?.style === 'colon') {
    lines.push(`  # phase/${m.phase.name}: ${m.phase.note}`);
  }
  lines.push('  use Ecto.Migration', '');
  if (m.disableDdlTransaction)
    lines.push('  @disable_ddl_transaction true', '  @disable_migration_lock true', '');
  const down = m.down ?? [];
  const asChange = !m.irreversible && !m.disableDdlTransaction && m.up.length === 1 && down.length === 1;
  if (asChange) {
    lines.push(
      '  def change do',
      `    execute(${elixirString(m.up[0]!)}, ${elixirString(down[0]!)})`,
      '  end',
    );
  } else {
    lines.push('  def up do', ...m.up.map((s) => `    execute(${elixirString(s)})`), '  end', '');
    lines.push('  def down do');
    if (m.irreversible) {
      lines.push(
        `    raise ${elixirString(`${m.slug} is irreversible: restore the backup taken before upgrading`)}`,
      );
    } else {
      lines.push(...down.map((s) => `    execute(${elixirString(s)})`));
    }
    lines.push('  end');
  }
  lines.push('end', '');
  return lines.join('\n');
}
