import { z } from 'zod';
import { deploymentPlanFields } from '../execute/deployment-plan';
import { ExecStepSchema } from '../execute/step';

/** How one recorded hop is undone in a rollback, and why. */
export const RollbackHopSchema = z.object({
  planId: z.string(),
  index: z.number().int(),
  from: z.string(),
  to: z.string(),
  strategy: z.enum(['migrator', 'restore', 'nothing', 'covered-by-restore']),
  why: z.string(),
  /** Migrator: the Ecto version passed to `Engram.Release.rollback` (inclusive: the first the hop applied). */
  migratorVersion: z.string().nullable(),
  /** The migrations this hop applied that the rollback reverts. */
  reverts: z.array(z.string()),
});
export type RollbackHop = z.infer<typeof RollbackHopSchema>;

/** A rollback, decided before anything changes: which hops, how each is undone, what data it costs. */
export const RollbackPlanSchema = z.object({
  kind: z.literal('rollback'),
  ...deploymentPlanFields,
  hops: z.array(RollbackHopSchema),
  /** How the old version's container is recreated (see `UpgradePlan.driver`). */
  driver: z.enum(['compose', 'engine']).default('compose'),
  data: z.object({
    /** `kept`: a migrator rollback keeps rows written since the upgrade; `discarded`: a restore drops them. */
    writesSinceUpgrade: z.enum(['kept', 'discarded']),
    /** For a restore: per table, rows now minus rows in the backup (only tables that differ). */
    changedSinceBackup: z.record(z.string(), z.number().int()),
    /** A restore that discards writes needs `acceptDataLoss` or a confirmation. */
    needsConsent: z.boolean(),
  }),
  steps: z.array(ExecStepSchema),
  warnings: z.array(z.string()),
});
export type RollbackPlan = z.infer<typeof RollbackPlanSchema>;
