import { z } from 'zod';
import { BreakingKindSchema, TagFamilySchema } from '../notes/release-notes';

/** 1-based line number in the release notes of `version` that a finding came from. */
const Line = z.number().int().nonnegative();

/** A finding traced back to the release whose notes said it, and the line they said it on. */
export const CitationSchema = z.object({ version: z.string(), line: Line, text: z.string() });
export type Citation = z.infer<typeof CitationSchema>;

export const HopBreakingSchema = z.object({
  version: z.string(),
  kind: BreakingKindSchema,
  text: z.string(),
  line: Line,
  from: z.string().optional(),
  to: z.string().optional(),
});
export type HopBreaking = z.infer<typeof HopBreakingSchema>;

/** Environment changes to make in `.env` before the hop's image starts (it reads them while booting). */
export const EnvChangesSchema = z.object({
  /** In release order; apply them in this order (a later rename may rename an earlier target). */
  renames: z.array(z.object({ version: z.string(), from: z.string(), to: z.string(), line: Line })),
  /** Each name once, cited at the first release that requires it. */
  required: z.array(z.object({ version: z.string(), name: z.string(), line: Line })),
});
export type EnvChanges = z.infer<typeof EnvChangesSchema>;

/** One step of an "Upgrade from X.Y to …" section, commands exactly as the notes wrote them. */
export const ManualStepSchema = z.object({
  version: z.string(),
  section: z.object({ from: z.string(), to: z.string(), line: Line }),
  text: z.string(),
  line: Line,
  commands: z.array(z.string()),
});
export type ManualStep = z.infer<typeof ManualStepSchema>;

export const SchemaImpactLevelSchema = z.enum(['not-announced', 'reversible', 'irreversible']);
export type SchemaImpactLevel = z.infer<typeof SchemaImpactLevelSchema>;

export const HopSchemaImpactSchema = z.object({
  /**
   * `not-announced` means no crossed release's notes carry a SCHEMA-IMPACT block or a one-way
   * announcement. It does not prove there are no migrations: CHANGELOG sources never carry the block.
   */
  level: SchemaImpactLevelSchema,
  /** Crossed releases whose notes announce a schema change, in order. */
  versions: z.array(z.string()),
});

export const BackupSchema = z.object({
  required: z.boolean(),
  /** `quiesced`: stop the app before the dump so no write lands between the dump and the upgrade. */
  mode: z.enum(['online', 'quiesced']),
  reason: z.string(),
});
export type Backup = z.infer<typeof BackupSchema>;

/** Why a hop ends where it does. */
export const HopReasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('target'), text: z.string() }),
  z.object({
    kind: z.literal('floor'),
    text: z.string(),
    /** The release whose floor could not be met from the hop's start. */
    version: z.string(),
    line: Line,
    /** The floor as the notes name it: a line ("0.17") or, when `exact`, a version ("0.17.2"). */
    floor: z.string(),
    exact: z.boolean(),
    source: z.enum(['minimum-from', 'upgrade-section']),
    quote: z.string(),
  }),
]);
export type HopReason = z.infer<typeof HopReasonSchema>;

export const HopSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Every release the hop crosses, in version order; the last one is `to`. */
  releases: z.array(z.string()),
  oneWay: z.boolean(),
  /** The announcements that make the hop one-way. */
  oneWayCauses: z.array(CitationSchema),
  schemaImpact: HopSchemaImpactSchema,
  breaking: z.array(HopBreakingSchema),
  envChanges: EnvChangesSchema,
  manualSteps: z.array(ManualStepSchema),
  backup: BackupSchema,
  /** How the hop is undone: the migrator's rollback from the new image, or restoring the backup. */
  rollback: z.enum(['migrator', 'restore']),
  reasons: z.array(HopReasonSchema),
});
export type Hop = z.infer<typeof HopSchema>;

export const PlanWarningCodeSchema = z.enum([
  'release-gap',
  'prerelease-skipped',
  'draft-ignored',
  'floor-sources-differ',
  'ahead-of-latest',
]);
export type PlanWarningCode = z.infer<typeof PlanWarningCodeSchema>;

export const PlanWarningSchema = z.object({
  code: PlanWarningCodeSchema,
  text: z.string(),
  version: z.string().nullable(),
  line: Line.nullable(),
});
export type PlanWarning = z.infer<typeof PlanWarningSchema>;

export const PlanNeedsReviewSchema = z.object({
  version: z.string(),
  text: z.string(),
  line: Line,
  reason: z.string(),
});
export type PlanNeedsReview = z.infer<typeof PlanNeedsReviewSchema>;

export const BackupPolicySchema = z.enum(['every-hop', 'when-needed']);
export type BackupPolicy = z.infer<typeof BackupPolicySchema>;

/**
 * The route from the running version to the target. Plain data: it survives JSON.stringify, validates
 * against this schema, and `describePath` prints it. An empty `hops` means there is nothing to do.
 */
export const UpgradePathSchema = z.object({
  family: TagFamilySchema,
  from: z.string(),
  /** The resolved target version. */
  to: z.string(),
  /** The target as asked for: a version or `latest`. */
  requested: z.string(),
  hops: z.array(HopSchema),
  warnings: z.array(PlanWarningSchema),
  needsReview: z.array(PlanNeedsReviewSchema),
  policy: z.object({
    backup: BackupPolicySchema,
    includePrereleases: z.boolean(),
    onGap: z.enum(['error', 'warn']),
  }),
});
export type UpgradePath = z.infer<typeof UpgradePathSchema>;
