import { z } from 'zod';
import { ExecStepSchema } from '../execute/step';
import { DatabaseBindingSchema } from './database-binding';
import { AuthenticitySchema, SigningKeyRefSchema } from './manifest-signature';

/**
 * What a restore will do. The backup is restored into a new staging database and checked against its
 * manifest; only then is it swapped in by renaming, in one transaction. The replaced database is kept
 * under `previousDatabase` unless `keepPrevious` is false.
 */
export const RestorePlanSchema = z.object({
  kind: z.literal('restore'),
  formatVersion: z.literal(2),
  id: z.string(),
  createdAt: z.string(),
  backup: z.object({
    dir: z.string(),
    id: z.string(),
    createdAt: z.string(),
    engramVersion: z.string().nullable(),
    head: z.string().nullable(),
    migrations: z.number().int(),
    serverMajor: z.number().int(),
    /** Whether its manifest's signature was checked with `signing` when the plan was made. */
    authenticity: AuthenticitySchema.default({ authenticated: false, signature: 'not-checked' }),
  }),
  /**
   * The key the manifest's signature is checked with: where it comes from and its id, never the key.
   * The executor reads it again and checks the signature again before restoring. null: no key.
   * @default null
   */
  signing: SigningKeyRefSchema.nullable().default(null),
  target: z.object({
    project: z.string(),
    dbContainer: z.string(),
    database: z.string(),
    /** The live database's OID when the plan was made: the plan is refused if it no longer matches. */
    databaseOid: z.string(),
    /** Migrations the app's image ships that the backup does not have (it would migrate them on start). */
    migrationsAhead: z.array(z.string()),
    /** Connections to the target database when the plan was made; those still open at the swap end. */
    otherConnections: z.array(
      z.object({
        application: z.string(),
        user: z.string(),
        client: z.string(),
        state: z.string(),
        since: z.string(),
      }),
    ),
    user: z.string(),
    serverMajor: z.number().int(),
    appContainer: z.string().nullable(),
    appRunning: z.boolean(),
  }),
  stopApp: z.boolean(),
  startApp: z.boolean(),
  keepPrevious: z.boolean(),
  stagingDatabase: z.string(),
  previousDatabase: z.string(),
  warnings: z.array(z.string()),
  /** The target deployment as the plan saw it; the executor refuses the plan when it changed since. */
  boundTo: DatabaseBindingSchema,
  /** Where the run's lock, journal and saved plan go. */
  stateDir: z.string(),
  /** What the executor does, in order; it follows these and nothing else. */
  steps: z.array(ExecStepSchema),
});
export type RestorePlan = z.infer<typeof RestorePlanSchema>;
