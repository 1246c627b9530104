import { z } from 'zod';

/** Where a tag came from. Versions are only ever compared within one family. */
export const TagFamilySchema = z.enum(['release-v', 'v', 'bare']);
export type TagFamily = z.infer<typeof TagFamilySchema>;

export const BreakingKindSchema = z.enum([
  'env-rename',
  'env-required',
  'removed',
  'manual-step',
  'api',
  'other',
]);
export type BreakingKind = z.infer<typeof BreakingKindSchema>;

/** 1-based line number in the markdown the finding came from. */
const Line = z.number().int().nonnegative();

export const BreakingChangeSchema = z.object({
  kind: BreakingKindSchema,
  text: z.string(),
  line: Line,
  /** env-rename: the old variable; removed: the removed variable, when the change names one. */
  from: z.string().optional(),
  /** env-rename: the new variable; env-required: the variable that must now be set. */
  to: z.string().optional(),
});
export type BreakingChange = z.infer<typeof BreakingChangeSchema>;

export const EnvRenameSchema = z.object({ from: z.string(), to: z.string(), line: Line });
export type EnvRename = z.infer<typeof EnvRenameSchema>;

export const RequiredEnvSchema = z.object({ name: z.string(), line: Line });
export type RequiredEnv = z.infer<typeof RequiredEnvSchema>;

export const SectionItemSchema = z.object({ text: z.string(), line: Line });
export const SectionSchema = z.object({ title: z.string(), line: Line, items: z.array(SectionItemSchema) });
export type Section = z.infer<typeof SectionSchema>;

export const UpgradeStepSchema = z.object({ text: z.string(), line: Line, commands: z.array(z.string()) });
export type UpgradeStep = z.infer<typeof UpgradeStepSchema>;

export const UpgradeSectionSchema = z.object({
  from: z.string(),
  to: z.string(),
  line: Line,
  steps: z.array(UpgradeStepSchema),
});
export type UpgradeSection = z.infer<typeof UpgradeSectionSchema>;

/** A version floor: this release may only be applied directly from `version` or later. */
export const MinimumFromSchema = z.object({
  version: z.string(),
  /** true when the notes name an exact version ("0.17.2"), false when they name a line ("0.17"). */
  exact: z.boolean(),
  text: z.string(),
  line: Line,
});
export type MinimumFrom = z.infer<typeof MinimumFromSchema>;

export const OneWaySchema = z.object({ text: z.string(), line: Line });

/**
 * The SCHEMA-IMPACT block of a GitHub release body (CHANGELOG.md never has one). Its PR list is not
 * limited to the release (the generator lists every phase-labelled PR ever merged), so `present` and
 * `prs` do not prove this release migrates; only the IRREVERSIBLE ending is scoped to the release.
 */
export const SchemaImpactSchema = z.object({
  present: z.boolean(),
  line: Line.optional(),
  irreversible: z.boolean(),
  /** The migration version the notes' rollback command names, if any (14 digits). */
  rollbackTo: z.string().optional(),
  prs: z.array(z.object({ number: z.number().int(), label: z.string(), title: z.string(), line: Line })),
});
export type SchemaImpact = z.infer<typeof SchemaImpactSchema>;

export const NeedsReviewSchema = z.object({ text: z.string(), line: Line, reason: z.string() });
export type NeedsReview = z.infer<typeof NeedsReviewSchema>;

/**
 * Everything the planner needs from one release's notes. Plain data: survives JSON.stringify and
 * validates against this schema.
 */
export const ReleaseNotesSchema = z.object({
  /** Normalised semver, e.g. "0.17.0" for tag "release-v0.17.0". */
  version: z.string(),
  tag: z.string().optional(),
  family: TagFamilySchema,
  /** Release date, YYYY-MM-DD (from the API's published_at, or the CHANGELOG heading). */
  date: z.string().optional(),
  prerelease: z.boolean(),
  draft: z.boolean(),
  url: z.string().optional(),
  sections: z.array(SectionSchema),
  breaking: z.array(BreakingChangeSchema),
  envRenames: z.array(EnvRenameSchema),
  requiredEnv: z.array(RequiredEnvSchema),
  /** Set when an irreversible (one-way) migration is announced in any form. */
  oneWay: OneWaySchema.nullable(),
  schemaImpact: SchemaImpactSchema,
  minimumFrom: MinimumFromSchema.nullable(),
  upgradeSections: z.array(UpgradeSectionSchema),
  needsReview: z.array(NeedsReviewSchema),
});
export type ReleaseNotes = z.infer<typeof ReleaseNotesSchema>;
