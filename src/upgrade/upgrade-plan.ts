import { z } from 'zod';
import { ExecStepSchema } from '../execute/step';
import { HopSchema } from '../plan/upgrade-path';
import { OnlineDecisionSchema } from './online-migration';

/**
 * What a plan was made against. An executor compares it with the deployment as it is before touching
 * anything and refuses a plan whose deployment changed since (a stale plan).
 */
export const DeploymentBindingSchema = z.object({
  project: z.string(),
  appContainerId: z.string(),
  appImageId: z.string(),
  dbContainerId: z.string(),
  migrationHead: z.string().nullable(),
  /** The compose files and the env file, by content hash. */
  files: z.array(z.object({ path: z.string(), sha256: z.string() })),
});
export type DeploymentBinding = z.infer<typeof DeploymentBindingSchema>;

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
});
export type PlannedHop = z.infer<typeof PlannedHopSchema>;

/** An upgrade, decided before anything is touched: print it, store it, approve it, execute it. */
export const UpgradePlanSchema = z.object({
  kind: z.literal('upgrade'),
  formatVersion: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  project: z.string(),
  appService: z.string(),
  from: z.string(),
  to: z.string(),
  boundTo: DeploymentBindingSchema,
  compose: z.object({
    workingDir: z.string(),
    configFiles: z.array(z.string()),
    envFile: z.string().nullable(),
    /** Where the app's image is written: the file, and how (`literal`, `digest`, `variable`). */
    image: z.object({
      path: z.string(),
      kind: z.string(),
      reference: z.string(),
      variable: z.string().optional(),
    }),
  }),
  stateDir: z.string(),
  backupDir: z.string().nullable(),
  /** `digest`: pin `repo:tag@sha256:…` (tags are re-pushed); `tag`: pin `repo:tag`. */
  pin: z.enum(['digest', 'tag']),
  healthTimeoutMs: z.number().int().positive(),
  hops: z.array(PlannedHopSchema),
  steps: z.array(ExecStepSchema),
  warnings: z.array(z.string()),
});
export type UpgradePlan = z.infer<typeof UpgradePlanSchema>;
