/** The manifest a backup run writes, built from its plan and its steps' journalled outputs. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupPlan } from './backup-plan';
import {
  type BackupFile,
  type BackupManifest,
  BackupManifestSchema,
  DUMP_FILE,
  MANIFEST_FILE,
  type RoleSpec,
} from './manifest';
import type { PinnedDir } from './safe-dir';

/** The `prepare` step's journalled output: where the run writes, and what the app was before it stopped. */
export interface PreparedBackup {
  startedAt: number;
  parent: PinnedDir;
  work: PinnedDir;
  engram: { version: string | null; image: string; imageId: string; buildSha: string | null };
  masterKeyFingerprint: string | null;
  dbImage: string;
}

/** The `dump` step's output: the dump file and what the snapshot held. */
export interface DumpedBackup {
  /** All the dump's bytes (every file of a directory-format dump). */
  bytes: number;
  /** The custom-format archive's sha256; for a directory, the sha256 of its `sha256sum`-style file list. */
  sha256: string;
  /** Every file as the manifest lists it; absent in runs journalled before formats were recorded (one db.dump). */
  files?: BackupFile[];
  dumpMs: number;
  tables: Record<string, number>;
  applied: string[];
  roles: RoleSpec[];
}

/** The manifest of this run's backup, from the plan and the steps' outputs. Pure. */
export function manifestOf(
  plan: BackupPlan,
  prep: PreparedBackup,
  dump: DumpedBackup,
  timings: { verifyMs: number; totalMs: number },
): BackupManifest {
  return BackupManifestSchema.parse({
    formatVersion: 2,
    id: plan.id,
    createdAt: plan.createdAt,
    project: plan.project,
    mode: plan.mode,
    format: plan.format,
    compression: plan.compression,
    jobs: plan.jobs,
    engram: prep.engram,
    masterKeyFingerprint: prep.masterKeyFingerprint,
    database: {
      name: plan.source.database,
      user: plan.source.user,
      serverVersion: plan.source.serverVersion,
      serverMajor: plan.source.serverMajor,
      sizeBytes: plan.source.sizeBytes,
      image: prep.dbImage,
    },
    migrations: { head: dump.applied.at(-1) ?? null, applied: dump.applied },
    tables: dump.tables,
    roles: dump.roles.map((r) => r.name),
    roleSpecs: dump.roles,
    files: filesOf(dump),
    timings: { dumpMs: dump.dumpMs, verifyMs: timings.verifyMs, totalMs: timings.totalMs },
    verifiedLevel: plan.verify.level,
  });
}

/** The files of the dump, as the manifest lists them. */
export function filesOf(dump: DumpedBackup): BackupFile[] {
  return dump.files ?? [{ name: DUMP_FILE, bytes: dump.bytes, sha256: dump.sha256 }];
}

/** One digest over a directory's files: the sha256 of lines `<sha256>  <name>`, as sha256sum prints them. */
export function digestOfFiles(files: readonly BackupFile[]): string {
  const list = files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
  return createHash('sha256').update(list).digest('hex');
}

/** The id and total time in the manifest at `dir`, or null when there is none to read. */
export async function manifestAt(dir: string): Promise<{ id: string; totalMs: number } | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as { id?: unknown; timings?: { totalMs?: unknown } };
    if (typeof parsed.id !== 'string') return null;
    return { id: parsed.id, totalMs: Number(parsed.timings?.totalMs ?? 0) };
  } catch {
    return null; // not a manifest this run wrote
  }
}
