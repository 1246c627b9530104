import type { MigrationReason } from './migration-analysis';
import { readCommands } from './migration-commands';
import type { FunctionDef, MigrationOutline } from './migration-outline';

const MARKER = /^rollback-irreversible\b/;

/** The function Ecto runs in a direction: `up/0` (or `down/0`) first, else `change/0`. */
export function migrationFunction(
  outline: MigrationOutline,
  direction: 'up' | 'down',
): FunctionDef | undefined {
  const pub = (name: string) => outline.defs.find((d) => d.name === name && !d.private);
  return pub(direction) ?? pub('change');
}

/** A reversible migration that throws data away: rolling back restores the shape, not the data. */
function dataLoss(outline: MigrationOutline): MigrationReason[] {
  const fn = migrationFunction(outline, 'up');
  if (!fn) return [];
  return readCommands(fn.body, { outline, newTables: new Set() }).flatMap((c) =>
    c.locks
      .filter((l) => l.destroys !== undefined)
      .map((l) =>
        reason(
          c.line,
          `Line ${c.line}: it throws away ${l.destroys}; rolling back restores the schema, not that data.`,
        ),
      ),
  );
}

function reason(line: number | null, text: string): MigrationReason {
  return { topic: 'irreversible', line, text };
}

/**
 * Whether the migrator can undo the migration. When in doubt the answer is "irreversible": the cost
 * of being wrong that way is restoring a backup instead of rolling back, not losing data.
 */
export function decideReversibility(outline: MigrationOutline): {
  irreversible: boolean;
  reasons: MigrationReason[];
} {
  const reasons: MigrationReason[] = [];
  const marker = outline.comments.find((c) => MARKER.test(c.text));
  if (marker) {
    reasons.push(
      reason(marker.line, `Line ${marker.line}: "# rollback-irreversible" marks the migration one-way.`),
    );
  }
  const down = outline.defs.find((d) => d.name === 'down' && !d.private);
  const change = outline.defs.find((d) => d.name === 'change' && !d.private);
  const up = outline.defs.find((d) => d.name === 'up' && !d.private);

  if (outline.module === null || !outline.complete) {
    reasons.push(
      reason(
        null,
        'The file could not be read to the end (no module, or an unclosed string): treated as irreversible.',
      ),
    );
    return { irreversible: true, reasons };
  }
  const ctx = { outline, newTables: new Set<string>() };
  if (down) {
    const commands = readCommands(down.body, ctx);
    const raising = commands.find((c) => c.raises);
    if (raising) {
      reasons.push(
        reason(
          raising.line,
          `Line ${raising.line}: down/0 raises (${raising.what}), so the migrator cannot roll it back.`,
        ),
      );
      return { irreversible: true, reasons };
    }
    if (!marker) {
      const what =
        commands.length === 0
          ? 'does nothing, so rolling back only forgets the version'
          : `runs ${commands.length} statement${commands.length === 1 ? '' : 's'} to undo it`;
      reasons.push(reason(down.line, `Line ${down.line}: down/0 ${what}.`));
    }
    if (!marker) reasons.push(...dataLoss(outline));
    return { irreversible: marker !== undefined, reasons };
  }
  if (change) {
    const blocking = readCommands(change.body, ctx).filter((c) => !c.reverse.ok);
    for (const c of blocking) {
      const why = c.reverse.ok ? '' : c.reverse.why;
      reasons.push(
        reason(
          c.line,
          `Line ${c.line}: ${c.what} cannot run backward (${why}), so change/0 cannot be rolled back.`,
        ),
      );
    }
    if (blocking.length === 0 && !marker) {
      reasons.push(
        reason(
          change.line,
          `Line ${change.line}: change/0 holds only commands Ecto can run backward, so the migrator can roll it back.`,
        ),
      );
    }
    const irreversible = marker !== undefined || blocking.length > 0;
    if (!irreversible) reasons.push(...dataLoss(outline));
    return { irreversible, reasons };
  }
  reasons.push(
    up
      ? reason(
          up.line,
          `Line ${up.line}: up/0 has no down/0 and there is no change/0, so rolling back fails.`,
        )
      : reason(null, 'The module defines neither up/0 nor change/0: treated as irreversible.'),
  );
  return { irreversible: true, reasons };
}
