import { z } from 'zod';
import { DUMP_DIR, DUMP_FILE, fileSetProblem } from './dump-layout';

export { DUMP_DIR, DUMP_FILE };
export const MANIFEST_FILE = 'manifest.json';
/** Written by format 1 only: a psql script. Format 2 records roles as data and has no such file. */
export const ROLES_FILE = 'roles.sql';
/**
 * Exactly the files a custom-format backup holds besides its manifest; a directory-format backup holds
 * the files of `db.dir/` instead (see `fileSetProblem`). A manifest listing any other set is refused.
 */
export const BACKUP_FILES = [DUMP_FILE] as const;
/** manifest.json is small; anything larger is not ours and is not read. */
export const MANIFEST_MAX_BYTES = 1 << 20;

/**
 * A role or database name as deployments use them: letters, digits, `_`, `-` and `.`, at most 63.
 * Always quoted where used; with no quote, space, backslash or control character, even a quoting
 * mistake could not turn one into SQL or a psql command.
 */
export const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$/;
const plainName = z.string().regex(PLAIN_NAME, 'not a plain name (letters, digits, _ . -; at most 63)');

export const BackupFileSchema = z.object({
  /**
   * A plain file name inside the backup directory, or inside its dump directory (`db.dir/toc.dat`);
   * never any other path. Which names a backup may list is decided by its format.
   */
  name: z
    .string()
    .max(200)
    .regex(/^(?:db\.dir\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .refine((n) => !n.includes('..')),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupFile = z.infer<typeof BackupFileSchema>;

/**
 * A cluster role the database needs, as data: only what Engram relies on. There is deliberately no
 * field for superuser, createrole, createdb, replication or bypassrls, and the object is strict, so
 * a manifest that asks for one of them is refused rather than obeyed.
 */
export const RoleSpecSchema = z.strictObject({
  name: plainName,
  login: z.boolean(),
  inherit: z.boolean(),
  /** Groups this role belongs to; each must be another role of the same manifest. */
  memberOf: z.array(plainName),
});
export type RoleSpec = z.infer<typeof RoleSpecSchema>;

/**
 * Written last, after every file it lists was written, fsynced and checksummed. A backup directory
 * without a valid manifest is not a backup. Holds no secret: the master key appears only as a
 * fingerprint, so a restore can warn when the running key differs.
 */
export const BackupManifestSchema = z
  .object({
    formatVersion: z.literal(2),
    /** `<project>-<stamp>`; appears in messages, so no spaces or control characters. */
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/),
    createdAt: z.string(),
    project: z.string(),
    mode: z.enum(['online', 'quiesced']),
    /**
     * `custom`: one archive, `db.dump` (`pg_dump -Fc`). `directory`: `db.dir/` with `toc.dat` and one
     * file per table's data (`pg_dump -Fd`), each listed in `files`.
     */
    format: z.enum(['custom', 'directory']),
    /** The archive's compression (pg_dump `--compress`); absent in backups made before it was recorded. */
    compression: z.enum(['gzip', 'zstd', 'lz4']).optional(),
    /** pg_dump's parallel jobs (`-j`; 1 for the custom format); absent in backups made before it was recorded. */
    jobs: z.number().int().min(1).max(64).optional(),
    engram: z.object({
      version: z.string().nullable(),
      image: z.string(),
      imageId: z.string(),
      buildSha: z.string().nullable(),
    }),
    masterKeyFingerprint: z.string().nullable(),
    database: z.object({
      name: plainName,
      user: plainName,
      serverVersion: z.string(),
      serverMajor: z.number().int(),
      sizeBytes: z.number().int().nonnegative(),
      /** Where the source ran; informational only, never started by verification or restore. */
      image: z.string(),
    }),
    migrations: z.object({ head: z.string().nullable(), applied: z.array(z.string()) }),
    tables: z.record(z.string(), z.number().int().nonnegative()),
    /** The names of `roleSpecs`, in the same order. */
    roles: z.array(z.string()),
    roleSpecs: z.array(RoleSpecSchema),
    files: z.array(BackupFileSchema),
    timings: z.object({ dumpMs: z.number(), verifyMs: z.number(), totalMs: z.number() }),
    verifiedLevel: z.union([z.literal(1), z.literal(2)]),
  })
  .superRefine((m, ctx) => {
    const names = m.roleSpecs.map((r) => r.name);
    if (new Set(names).size !== names.length || names.join('\n') !== m.roles.join('\n')) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: 'roles does not match roleSpecs' });
    }
    for (const [i, r] of m.roleSpecs.entries()) {
      if (r.name === m.database.user) {
        ctx.addIssue({ code: 'custom', path: ['roleSpecs', i], message: 'names the database owner' });
      }
      // A group outside the manifest could be the superuser or a pg_* role: an escalation, refused.
      for (const g of r.memberOf) {
        if (!names.includes(g) || g === r.name) {
          ctx.addIssue({
            code: 'custom',
            path: ['roleSpecs', i, 'memberOf'],
            message: `membership in ${g}, which is not a role of this backup`,
          });
        }
      }
    }
    const problem = fileSetProblem(
      m.format,
      m.compression,
      m.files.map((f) => f.name),
    );
    if (problem) ctx.addIssue({ code: 'custom', path: ['files'], message: problem });
  });
export type BackupManifest = z.infer<typeof BackupManifestSchema>;
