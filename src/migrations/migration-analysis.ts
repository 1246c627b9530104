import { z } from 'zod';

/** A 14-digit Ecto migration version, as a string (`20260817080100`). */
export const MigrationVersionSchema = z.string().regex(/^\d{14}$/, 'a 14-digit Ecto migration version');

/**
 * Engram's expand/contract phases. `unknown` means the file does not say, or says two different
 * things (the evidence then names both).
 */
export const MigrationPhaseSchema = z.enum(['expand', 'migrate-data', 'contract', 'unknown']);
export type MigrationPhase = z.infer<typeof MigrationPhaseSchema>;

/**
 * How much running the migration may block the live application.
 * - `none`: new objects only, or catalog-only changes with no wait worth naming.
 * - `low`: a brief ACCESS EXCLUSIVE lock, or row locks on some rows.
 * - `high`: a lock held while every row is read or rewritten (index build, type change, backfill).
 * - `unknown`: some statement could not be read.
 */
export const LockRiskSchema = z.enum(['none', 'low', 'high', 'unknown']);
export type LockRisk = z.infer<typeof LockRiskSchema>;

/** What a piece of evidence is about. */
export const MigrationTopicSchema = z.enum(['phase', 'irreversible', 'lock-risk', 'ddl-transaction']);
export type MigrationTopic = z.infer<typeof MigrationTopicSchema>;

/** One conclusion and where in the file it comes from. */
export const MigrationReasonSchema = z.object({
  topic: MigrationTopicSchema,
  /** 1-based line in the file; null when the conclusion comes from the file name or the whole file. */
  line: z.number().int().positive().nullable(),
  /** One sentence, with the line number in it, for a person. */
  text: z.string(),
});
export type MigrationReason = z.infer<typeof MigrationReasonSchema>;

/**
 * What one Ecto migration file will do, read from its source. Plain data: it survives
 * `JSON.stringify` and validates against this schema.
 */
export const MigrationAnalysisSchema = z.object({
  version: MigrationVersionSchema,
  /** The slug after the version in the file name (`drop_notes_legacy_body_contract`). */
  name: z.string().min(1),
  /** `Engram.Repo.Migrations.…`, or null when the file defines no module. */
  module: z.string().nullable(),
  phase: MigrationPhaseSchema,
  /**
   * True when the migrator cannot undo it: marked `# rollback-irreversible`, `down/0` raises or is
   * missing, or `change/0` holds a command Ecto cannot reverse. When in doubt this is true.
   */
  irreversible: z.boolean(),
  /** Of the forward run (`up/0`, else `change/0`). */
  lockRisk: LockRiskSchema,
  /** `@disable_ddl_transaction true`: statements commit one by one, so a failure can leave some applied. */
  disableDdlTransaction: z.boolean(),
  /** One short sentence per conclusion, citing the line it comes from. */
  evidence: z.array(z.string()),
  /** The same conclusions as `evidence`, with their topic and line as data. */
  reasons: z.array(MigrationReasonSchema).optional(),
});
export type MigrationAnalysis = z.infer<typeof MigrationAnalysisSchema>;
