import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { utf8Prefix } from '../db/database-names';
import { ident, literal, type PsqlTarget, psqlQuery } from '../db/psql';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';
import { MAX_PARALLEL_JOBS } from './choose-format';
import { ContainerDir } from './container-dir';
import { copyDumpFiles } from './copy-dump-files';
import { checkDumpDirEntries, loadManifest } from './load-manifest';
import { type BackupManifest, DUMP_FILE } from './manifest';
import { openRegular } from './regular-file';
import { roleStatements } from './roles';
import { readTableContents, type TableContents } from './table-counts';
import { changed } from './tar-of-files';

export interface RestoreIntoInput {
  docker: DockerPort;
  containerId: string;
  user: string;
  /** A database that must not exist yet; it is created here. */
  database: string;
  backupDir: string;
  /** The manifest already loaded, or the one a backup being written will get. @default read from backupDir */
  manifest?: BackupManifest;
  secrets?: SecretSet;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** Called with the new database's OID as soon as it exists, so cleanup can drop exactly that one. */
  onCreated?: (oid: string) => void;
  /**
   * Set as the new database's comment straight after it is created: the mark by which a later run
   * (one resuming after a crash) knows the database is this run's own and may drop it.
   */
  marker?: string;
  /** pg_restore's parallel jobs. @default the container's processors, at most 4 */
  jobs?: number;
}

/**
 * Roles first, then a new database; the dump is copied into the container (hashed on the way and
 * checked against the manifest), then `pg_restore --exit-on-error --jobs` reads it there. The
 * roles come from the validated manifest as data; the statements that create them are built here.
 */
export async function restoreInto(input: RestoreIntoInput): Promise<void> {
  const manifest = input.manifest ?? (await loadManifest(input.backupDir));
  if (manifest.format === 'directory') {
    // Checked (exactly the listed files, each regular and of its size) before anything is created.
    await checkDumpDirEntries(input.backupDir, manifest);
    for (const f of manifest.files) {
      await (
        await openRegular(join(input.backupDir, f.name), { bytes: f.bytes, backupId: manifest.id })
      ).close();
    }
    return restoreFrom(input, manifest, (dir) => stageDirectory(input, manifest, dir));
  }
  const dumpFile = manifest.files.find((f) => f.name === DUMP_FILE)!;
  // Opened (and checked to be a regular file of the recorded size) before anything is created.
  const dump = await openRegular(join(input.backupDir, DUMP_FILE), {
    bytes: dumpFile.bytes,
    backupId: manifest.id,
  });
  try {
    await restoreFrom(input, manifest, (dir) => stageArchive(input, manifest, dump, dir));
  } finally {
    await dump.close().catch(() => undefined);
  }
}

/** Copies the dump into the container's working directory; returns what pg_restore reads. */
type Stage = (dir: ContainerDir) => Promise<{ path: string; formatArgs: string[] }>;

async function restoreFrom(input: RestoreIntoInput, manifest: BackupManifest, stage: Stage): Promise<void> {
  const { docker, containerId, user, database } = input;
  const admin = { docker, containerId, user, database: 'postgres', secrets: input.secrets };
  // The role we restore as already exists and is the superuser: a backup does not get to change it.
  const specs = manifest.roleSpecs.filter((r) => r.name !== user);
  const roles = roleStatements(specs);
  if (roles.length) {
    try {
      await psqlQuery(admin, roles, 'create the roles of the backup');
    } catch (err) {
      throw new UpgradeError('RESTORE_FAILED', {
        message: `Could not create the roles of backup ${manifest.id}: ${(err as Error).message}`,
        cause: err,
      });
    }
  }
  // CREATE DATABASE runs outside a transaction, so it is a statement of its own; with a marker the
  // database is created under a name of its own, then marked and given its name in one transaction: a
  // database with the staging name always carries the mark, whenever the process dies. Its OID is read
  // in the same psql process.
  const unmarked = input.marker ? `${utf8Prefix(database, 50)}_new` : database;
  const rows = await psqlQuery(
    admin,
    [
      `CREATE DATABASE ${ident(unmarked)}`,
      ...(input.marker
        ? [
            `BEGIN; COMMENT ON DATABASE ${ident(unmarked)} IS ${literal(input.marker)}; ALTER DATABASE ${ident(unmarked)} RENAME TO ${ident(database)}; COMMIT;`,
          ]
        : []),
      oidQuery(database),
    ],
    input.marker ? `create database ${database}, marked as this run's` : `create database ${database}`,
  );
  const oid = rows[0]?.[0];
  if (!oid) throw failure(`find database ${database} after creating it`, '', input.secrets);
  input.onCreated?.(oid);
  // pg_restore reads standard input with one job only; a file in the container it can read with several.
  // Making the directory removes what a killed restore into the same database left.
  const dir = await ContainerDir.create(docker, containerId, database, {
    secrets: input.secrets,
    signal: input.signal,
  });
  try {
    const staged = await stage(dir);
    const jobs = input.jobs ?? Math.min(MAX_PARALLEL_JOBS, dir.processors);
    const restored = await docker.exec(containerId, {
      cmd: [
        'pg_restore',
        ...staged.formatArgs,
        '--exit-on-error',
        `--jobs=${jobs}`,
        '--no-password',
        '-U',
        user,
        '-d',
        database,
        staged.path,
      ],
      signal: input.signal,
    });
    if (restored.exitCode !== 0) throw failure(`restore into ${database}`, restored.stderr, input.secrets);
  } finally {
    // The copy holds only what the database it was restored into holds, in that database's own
    // container; a removal that fails is not worth failing (or undoing) a restore over.
    await dir.dispose().catch(() => undefined);
  }
}

/** The custom-format archive, hashed as it is streamed into the container and checked before use. */
async function stageArchive(
  input: RestoreIntoInput,
  manifest: BackupManifest,
  dump: FileHandle,
  dir: ContainerDir,
): Promise<{ path: string; formatArgs: string[] }> {
  let sent = 0;
  let reported = 0;
  // Hashed as it is streamed: the bytes restored are the bytes checked, even if the file is
  // replaced between an earlier check and this read.
  const hash = createHash('sha256');
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      sent += chunk.length;
      hash.update(chunk);
      if (input.onProgress && sent - reported >= 8 << 20) {
        reported = sent;
        input.onProgress(sent);
      }
      cb(null, chunk);
    },
  });
  const dumpFile = manifest.files.find((f) => f.name === DUMP_FILE)!;
  const staged = await dir.write(
    DUMP_FILE,
    dump.createReadStream({ highWaterMark: 1 << 20, autoClose: false }).pipe(counter),
    { secrets: input.secrets, signal: input.signal },
  );
  const digest = hash.digest('hex');
  // Checked before pg_restore reads a byte: what is restored is exactly what the manifest lists.
  if (sent !== dumpFile.bytes || digest !== dumpFile.sha256) throw changed(dumpFile, manifest.id);
  input.onProgress?.(sent);
  return { path: staged, formatArgs: [] };
}

/**
 * Every file of the dump directory, as one tar stream unpacked in the container; each file is hashed
 * as it streams and one that differs from the manifest stops the copy (BACKUP_CORRUPT) before
 * pg_restore reads anything.
 */
async function stageDirectory(
  input: RestoreIntoInput,
  manifest: BackupManifest,
  dir: ContainerDir,
): Promise<{ path: string; formatArgs: string[] }> {
  const path = await copyDumpFiles(dir, input.backupDir, manifest.files, {
    backupId: manifest.id,
    secrets: input.secrets,
    signal: input.signal,
    onProgress: input.onProgress,
  });
  return { path, formatArgs: ['--format=directory'] };
}

/** Exact row counts of every user table and the applied migrations, as the database holds them now. */
export function readContents(
  docker: DockerPort,
  containerId: string,
  user: string,
  database: string,
  secrets?: SecretSet,
): Promise<TableContents> {
  const target = { docker, containerId, user, database, secrets };
  return readTableContents((sql) => psqlQuery(target, sql, 'read table contents'));
}

function failure(what: string, stderr: string, secrets?: SecretSet): UpgradeError {
  const detail = tailOf(stderr, secrets, 4, ' | ');
  return new UpgradeError('RESTORE_FAILED', {
    message: `Could not ${what}: ${detail || 'the command failed'}`,
  });
}

/** The OID of the database with this name (as text; no row when there is none). */
function oidQuery(name: string): string {
  return `SELECT oid::text FROM pg_database WHERE datname = ${literal(name)}`;
}

/** The OID of the database with this name, or null when there is none. */
export async function databaseOid(admin: PsqlTarget, name: string): Promise<string | null> {
  const rows = await psqlQuery(admin, oidQuery(name), `look up database ${name}`);
  return rows[0]?.[0] ?? null;
}

/** The comment of the database with this name, or null when there is none (or no such database). */
export async function databaseComment(admin: PsqlTarget, name: string): Promise<string | null> {
  const rows = await psqlQuery(
    admin,
    `SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = ${literal(name)}`,
    `read the comment of database ${name}`,
  );
  return rows[0]?.[0] || null;
}
