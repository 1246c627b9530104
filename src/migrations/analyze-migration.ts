import { InvalidInputError } from '../errors/upgrade-error';
import { decideLockRisk } from './detect-lock-risk';
import { decidePhase, phaseClaims } from './detect-phase';
import { decideReversibility } from './detect-reversibility';
import { isWord } from './elixir-syntax';
import type { MigrationAnalysis, MigrationReason } from './migration-analysis';
import { parseMigrationFilename } from './migration-filename';
import { outlineMigration } from './migration-outline';

export interface AnalyzeMigrationOptions {
  /**
   * The file's name, `<14-digit version>_<slug>.exs`; a leading directory is ignored. The version and
   * slug come from it, as Ecto reads them.
   */
  filename: string;
}

/**
 * Reads one Ecto migration file (source text, never evaluated) and says what running it means for an
 * upgrade: its phase, whether the migrator can undo it, how much it may lock, and whether it runs
 * outside a transaction. Every conclusion comes with a sentence citing the line it rests on.
 *
 * Reads the forms Engram's files use: `# phase/expand — …` and `# phase/contract: …` comments, a
 * phase named only in `@moduledoc`, `_expand`/`_migrate`/`_contract` slug suffixes, a top-of-file
 * `# rollback-irreversible`, a raising `down/0`, `change/0` with Ecto commands or `execute/2`, and SQL
 * inside `execute(…)`. Pure: no I/O, no clock.
 *
 * @throws InvalidInputError when `filename` is not `<14 digits>_<slug>.exs` or `source` is not text.
 */
export function analyzeMigration(source: string, opts: AnalyzeMigrationOptions): MigrationAnalysis {
  if (typeof opts?.filename !== 'string') {
    throw new InvalidInputError({
      message: 'analyzeMigration needs the file name in opts.filename',
      hint: 'Pass { filename: "<14-digit version>_<slug>.exs" }; the version and slug come from it',
    });
  }
  if (typeof source !== 'string') {
    throw new InvalidInputError({
      message: `the source of ${opts.filename} is not text`,
      hint: 'Pass the contents of the .exs file as a string',
    });
  }
  const { version, slug } = parseMigrationFilename(opts.filename);
  const outline = outlineMigration(source);

  const phase = decidePhase(phaseClaims(outline, slug));
  const reversibility = decideReversibility(outline);
  const lock = decideLockRisk(outline);

  const attr = outline.attributes.get('disable_ddl_transaction');
  const disableDdlTransaction =
    attr !== undefined && attr.value.length === 1 && isWord(attr.value[0], 'true');
  const ddl: MigrationReason[] = [
    disableDdlTransaction
      ? {
          topic: 'ddl-transaction',
          line: attr!.line,
          text: `Line ${attr!.line}: @disable_ddl_transaction true: statements commit one by one, so a failure part-way leaves the earlier ones applied.`,
        }
      : {
          topic: 'ddl-transaction',
          line: null,
          text: 'No @disable_ddl_transaction: the migration runs in one transaction and fails as a whole.',
        },
  ];
  if (!disableDdlTransaction) {
    for (const line of new Set(lock.needsNoTransaction)) {
      ddl.push({
        topic: 'ddl-transaction',
        line,
        text: `Line ${line}: a concurrent index operation cannot run inside a transaction and the file does not set @disable_ddl_transaction, so this migration fails when it runs.`,
      });
    }
  }

  const reasons = [...phase.reasons, ...reversibility.reasons, ...lock.reasons, ...ddl];
  return {
    version,
    name: slug,
    module: outline.module?.name ?? null,
    phase: phase.phase,
    irreversible: reversibility.irreversible,
    lockRisk: lock.lockRisk,
    disableDdlTransaction,
    evidence: reasons.map((r) => r.text),
    reasons,
  };
}
