import { z } from 'zod';
import { ExecStepSchema } from '../execute/step';
import { DatabaseBindingSchema } from './database-binding';
import { SigningKeyRefSchema } from './manifest-signature';

/** What a backup will do, decided before anything is touched. Plain data; print it, store it, approve it. */
export const BackupPlanSchema = z.object({
  kind: z.literal('backup'),
  formatVersion: z.literal(2),
  id: z.string(),
  createdAt: z.string(),
  project: z.string(),
  mode: z.enum(['online', 'quiesced']),
  /** In quiesced mode: start the app again after the backup (false when an upgrade follows straight on). */
  restartApp: z.boolean(),
  source: z.object({
    dbContainer: z.string(),
    dbImage: z.string(),
    database: z.string(),
    user: z.string(),
    serverVersion: z.string(),
    serverMajor: z.number().int(),
    sizeBytes: z.number().int().nonnegative(),
    appContainer: z.string().nullable(),
    appImage: z.string().nullable(),
    appRunning: z.boolean(),
  }),
  dump: z.discriminatedUnion('where', [
    z.object({ where: z.literal('container'), client: z.literal('pg_dump in the Postgres container') }),
    z.object({
      where: z.literal('host'),
      host: z.string(),
      port: z.number().int(),
      clientMajor: z.number().int(),
    }),
  ]),
  /**
   * `custom`: one archive streamed out of pg_dump (`-Fc`). `directory`: `pg_dump -Fd -j <jobs>` into a
   * private directory of the Postgres container, copied out file by file. @default 'custom'
   */
  format: z.enum(['custom', 'directory']).default('custom'),
  /** pg_dump's parallel jobs: 1 for the custom format. @default 1 */
  jobs: z.number().int().min(1).max(64).default(1),
  /** Why this format (and job count) was chosen, in words. */
  formatReason: z.string().optional(),
  /**
   * How pg_dump compresses the archive: `zstd` (level 1) where client and server are 16 or newer,
   * several times faster than the default `gzip` at a similar size; pg_restore reads either.
   */
  compression: z.enum(['gzip', 'zstd', 'lz4']).default('gzip'),
  destination: z.object({ dir: z.string(), path: z.string(), tempPath: z.string() }),
  space: z.object({
    requiredBytes: z.number().int().nonnegative(),
    availableBytes: z.number().int().nonnegative(),
  }),
  verify: z.object({ level: z.union([z.literal(1), z.literal(2)]) }),
  /**
   * The key that signs manifest.json (HMAC-SHA256 into manifest.sig): where it comes from and its id,
   * never the key. null: the backup is not signed. @default null
   */
  signing: SigningKeyRefSchema.nullable().default(null),
  /** The deployment as the plan saw it; the executor refuses the plan when it changed since. */
  boundTo: DatabaseBindingSchema,
  /** Where the run's lock, journal and saved plan go. */
  stateDir: z.string(),
  /** What the executor does, in order; it follows these and nothing else. */
  steps: z.array(ExecStepSchema),
});
export type BackupPlan = z.infer<typeof BackupPlanSchema>;
