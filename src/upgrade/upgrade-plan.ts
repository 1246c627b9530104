import { z } from 'zod';
import { deploymentPlanFields } from '../execute/deployment-plan';
import { ExecStepSchema } from '../execute/step';
import { HopSchema } from '../plan/upgrade-path';
import { OnlineDecisionSchema } from './online-migration';

export { type DeploymentBinding, DeploymentBindingSchema } from '../execute/deployment-plan';

/** An env edit as the plan shows it. Values the caller passes are never stored: only their hash. */
export const PlannedEnvEditSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('rename'),
    from: z.string(),
    to: z.string(),
    version: z.string(),
    /** What happens to the old line. */
    keep: z.enum(['comment', 'remove']),
  }),
  z.object({
    op: z.literal('set'),
    name: z.string(),
    version: z.string(),
    /** sha256 of the value the caller passed; execution needs the same value again. */
    valueSha256: z.string(),
  }),
]);
export type PlannedEnvEdit = z.infer<typeof PlannedEnvEditSchema>;

export const PlannedHopSchema = HopSchema.extend({
  index: z.number().int().positive(),
  /** The reference pulled for this hop (`repo:tag`). */
  image: z.string(),
  envEdits: z.array(PlannedEnvEditSchema),
  /** Whether the hop migrates ahead, from the new image, while the old version keeps serving. */
  online: OnlineDecisionSchema,
  /** What a rehearsal of the same hop measured (`applyUpgrade({ estimates })`); null without one. */
  estimate: z
    .object({
      ms: z.number().int().nonnegative(),
      downtimeMs: z.number().int().nonnegative(),
      rollbackMs: z.number().int().nonnegative().nullable(),
    })
    .nullable()
    .default(null),
});
export type PlannedHop = z.infer<typeof PlannedHopSchema>;

/** An upgrade, decided before anything is touched: print it, store it, approve it, execute it. */
export const UpgradePlanSchema = z.object({
  kind: z.literal('upgrade'),
  ...deploymentPlanFields,
  compose: deploymentPlanFields.compose.extend({
    /** Where the app's image is written: the file, and how (`literal`, `digest`, `variable`). */
    image: z.object({
      path: z.string(),
      kind: z.string(),
      reference: z.string(),
      variable: z.string().optional(),
    }),
  }),
  backupDir: z.string().nullable(),
  /** `digest`: pin `repo:tag@sha256:…` (tags are re-pushed); `tag`: pin `repo:tag`. */
  pin: z.enum(['digest', 'tag']),
  /**
   * How the app container is recreated: `compose` (`docker compose up -d`) or `engine` (the library
   * over the Engine API, as compose would). Plans made before the option existed used compose.
   */
  driver: z.enum(['compose', 'engine']).default('compose'),
  hops: z.array(PlannedHopSchema),
  steps: z.array(ExecStepSchema),
  warnings: z.array(z.string()),
});
export type UpgradePlan = z.infer<typeof UpgradePlanSchema>;
