import { z } from 'zod';

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

/**
 * The fields every plan that acts on a deployment's app starts with: which plan, made when, for which
 * project and service, from which version to which, bound to the deployment as it was, where its
 * compose files are, where its state goes and how long the app may take to answer healthy.
 */
export const deploymentPlanFields = {
  formatVersion: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  project: z.string(),
  appService: z.string(),
  /** The version running when the plan was made, and the one it ends at. */
  from: z.string(),
  to: z.string(),
  boundTo: DeploymentBindingSchema,
  compose: z.object({
    workingDir: z.string(),
    configFiles: z.array(z.string()),
    envFile: z.string().nullable(),
  }),
  stateDir: z.string(),
  healthTimeoutMs: z.number().int().positive(),
};

/** The fields of a run's result every deployment executor reports (what `runSummary` fills, and a summary). */
export const runResultFields = {
  planId: z.string(),
  run: z.string(),
  /** The run's journal file. */
  journal: z.string(),
  /** The run finished an interrupted earlier run of the same plan. */
  resumed: z.boolean(),
  from: z.string(),
  to: z.string(),
  /** Milliseconds per step id. */
  timings: z.record(z.string(), z.number()),
  /** One paragraph for a person. */
  summary: z.string(),
};

/** The part of a run's result every deployment executor reports. */
export function runSummary(
  plan: { id: string; from: string; to: string },
  run: { runId: string; journal: string; resumed: boolean },
  timings: Record<string, number>,
) {
  return {
    planId: plan.id,
    run: run.runId,
    journal: run.journal,
    resumed: run.resumed,
    from: plan.from,
    to: plan.to,
    timings,
  };
}
