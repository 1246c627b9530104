import { z } from 'zod';
import { BackupManifestSchema } from './manifest';
import { AuthenticitySchema } from './manifest-signature';

/**
 * What `executeBackup`, `executeRestore` and `verifyBackup` return, as schemas a tool can validate
 * them (or the CLI's `--json` output) with. The `BackupResult`, `RestoreResult` and `VerifyReport`
 * types are the same shapes (a unit test keeps them equal).
 */

/** A finished backup: its directory and the manifest it wrote. */
export const BackupResultSchema = z.object({
  path: z.string(),
  manifest: BackupManifestSchema,
});

/** A finished restore. */
export const RestoreResultSchema = z.object({
  database: z.string(),
  /** Where the replaced database now lives; null when it was dropped. */
  previousDatabase: z.string().nullable(),
  head: z.string().nullable(),
});

/** A verified backup. */
export const VerifyReportSchema = z.object({
  id: z.string(),
  level: z.union([z.literal(1), z.literal(2)]),
  archiveEntries: z.number().int(),
  tablesCompared: z.number().int(),
  head: z.string().nullable(),
  /** Whether the manifest's signature was checked with the configured key. */
  authenticity: AuthenticitySchema,
  /** Said plainly, never silently: for instance that the backup is unauthenticated. */
  warnings: z.array(z.string()),
  ms: z.number(),
});
