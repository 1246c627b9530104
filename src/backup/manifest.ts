import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const DUMP_FILE = 'db.dump';
export const ROLES_FILE = 'roles.sql';

export const BackupFileSchema = z.object({
  /** A plain file name inside the backup directory; never a path. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .refine((n) => !n.includes('..')),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupFile = z.infer<typeof BackupFileSchema>;

/**
 * Written last, after every file it lists was written, fsynced and checksummed. A backup directory
 * without a valid manifest is not a backup. Holds no secret: the master key appears only as a
 * fingerprint, so a restore can warn when the running key differs.
 */
export const BackupManifestSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string(),
  createdAt: z.string(),
  project: z.string(),
  mode: z.enum(['online', 'quiesced']),
  format: z.literal('custom'),
  engram: z.object({
    version: z.string().nullable(),
    image: z.string(),
    imageId: z.string(),
    buildSha: z.string().nullable(),
  }),
  masterKeyFingerprint: z.string().nullable(),
  database: z.object({
    name: z.string(),
    user: z.string(),
    serverVersion: z.string(),
    serverMajor: z.number().int(),
    sizeBytes: z.number().int().nonnegative(),
    image: z.string(),
  }),
  migrations: z.object({ head: z.string().nullable(), applied: z.array(z.string()) }),
  tables: z.record(z.string(), z.number().int().nonnegative()),
  roles: z.array(z.string()),
  files: z.array(BackupFileSchema),
  timings: z.object({ dumpMs: z.number(), verifyMs: z.number(), totalMs: z.number() }),
  verifiedLevel: z.union([z.literal(1), z.literal(2)]),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;
