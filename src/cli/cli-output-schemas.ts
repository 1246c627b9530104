import { z } from 'zod';
import { BackupPlanSchema } from '../backup/backup-plan';
import { BackupResultSchema, RestoreResultSchema, VerifyReportSchema } from '../backup/backup-results';
import { RestorePlanSchema } from '../backup/restore-plan';
import { LocatedImageSchema } from '../compose/image-location';
import { ReleaseNotesSchema } from '../notes/release-notes';
import { RehearsalReportSchema } from '../rehearse/rehearsal-report';
import { RollbackPlanSchema } from '../rollback/rollback-plan';
import { RollbackResultSchema } from '../rollback/rollback-result';
import { UpgradePlanSchema } from '../upgrade/upgrade-plan';
import { UpgradeResultSchema } from '../upgrade/upgrade-result';

/**
 * The one JSON document each `engram-upgrade <command> --json` prints (and the `result` of the last
 * line of `--events`), so a tool wrapping the command line can validate what it reads. Where a
 * command prints a library value, its schema is the library's own.
 */

/** `status --json`: the running version, its image and where the compose files write it. */
export const StatusOutputSchema = z.object({
  project: z.string(),
  /** As `/api/health` reports it; null when the app does not answer. */
  version: z.string().nullable(),
  buildSha: z.string().nullable(),
  /** The HTTP status of `/api/health`; 0 when nothing answered. */
  health: z.number().int(),
  image: z.object({ reference: z.string(), id: z.string(), repoDigest: z.string().nullable() }),
  imageLocation: LocatedImageSchema.nullable(),
  imageProblem: z.string().nullable(),
  migrations: z.object({ applied: z.number().int(), head: z.string().nullable() }),
  compose: z.object({
    project: z.string(),
    workingDir: z.string(),
    configFiles: z.array(z.string()),
    envFile: z.string().nullable(),
  }),
  /** Upgrades recorded and in place, oldest first: what `rollback` can undo. */
  recordedHops: z.array(z.object({ from: z.string(), to: z.string(), finishedAt: z.string() })),
});

/** `backup --json`: the plan, and the result unless `--dry-run`. */
export const BackupOutputSchema = z.object({
  plan: BackupPlanSchema,
  result: BackupResultSchema.optional(),
});

/** `restore --json`: the plan, and the result unless `--dry-run`. */
export const RestoreOutputSchema = z.object({
  plan: RestorePlanSchema,
  result: RestoreResultSchema.optional(),
});

/** `rollback --json`: the plan alone with `--dry-run`, else the plan and the result. */
export const RollbackOutputSchema = z.union([
  z.object({ plan: RollbackPlanSchema, result: RollbackResultSchema }),
  RollbackPlanSchema,
]);

/** An interrupted run as `recover` finds it: its journal's summary and the plan it saved. */
const InterruptedRunSchema = z.object({
  path: z.string(),
  run: z.string(),
  header: z.looseObject({ run: z.string(), planKind: z.string(), planId: z.string(), project: z.string() }),
  summary: z.looseObject({
    finished: z.array(z.string()),
    inFlight: z.string().nullable(),
    failed: z.string().nullable(),
  }),
  torn: z.boolean(),
  plan: z.unknown(),
  planPath: z.string(),
});

/** `recover --json`: what was found (without `--resume`, or with `--dry-run`), or what was resumed. */
export const RecoverOutputSchema = z.union([
  z.object({ interrupted: InterruptedRunSchema.nullable() }),
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('backup'), run: z.string(), result: BackupResultSchema }),
    z.object({ kind: z.literal('restore'), run: z.string(), result: RestoreResultSchema }),
    z.object({ kind: z.literal('upgrade'), run: z.string(), result: UpgradeResultSchema }),
    z.object({ kind: z.literal('rollback'), run: z.string(), result: RollbackResultSchema }),
  ]),
  /**
   * `--resume rollback` that undid the run: its executor's report (the run's plan did not happen) and
   * the steps undone, in order.
   */
  z.object({
    kind: z.enum(['backup', 'restore', 'upgrade', 'rollback']),
    run: z.string(),
    undone: z.array(z.string()),
    report: z.record(z.string(), z.string()),
  }),
]);

/** The schema of each command's `--json` document. */
export const CLI_OUTPUT_SCHEMAS = {
  status: StatusOutputSchema,
  notes: z.array(ReleaseNotesSchema),
  plan: UpgradePlanSchema,
  apply: UpgradeResultSchema,
  rollback: RollbackOutputSchema,
  recover: RecoverOutputSchema,
  backup: BackupOutputSchema,
  verify: VerifyReportSchema,
  restore: RestoreOutputSchema,
  rehearse: RehearsalReportSchema,
} as const;

export type CliCommandWithJson = keyof typeof CLI_OUTPUT_SCHEMAS;
