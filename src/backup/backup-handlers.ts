import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PsqlSession } from '../db/psql-session';
import type { Deployment } from '../deployment/deployment';
import type { ContainerRecord } from '../docker/docker-port';
import { envMap } from '../docker/env-entries';
import { UpgradeError } from '../errors';
import type { Handlers } from '../execute/step-runner';
import { type SecretSet, secretFingerprint, tailOf } from '../secrets';
import { startAppStep, stopAppStep } from './app-container-steps';
import { writeManifestSignature } from './backup-authenticity';
import type { BackupEventHandler } from './backup-events';
import type { BackupPlan } from './backup-plan';
import { ContainerDir, dumpKey } from './container-dir';
import { dumpDatabase } from './dump-database';
import { dumpDirectory } from './dump-directory';
import { dumpPathOf } from './dump-layout';
import { exists, hashFile, syncDir, writeDurable } from './fs-durable';
import { HashingFileWriter } from './hashing-file-writer';
import {
  type BackupFile,
  type BackupManifest,
  BackupManifestSchema,
  DUMP_FILE,
  MANIFEST_FILE,
  type RoleSpec,
} from './manifest';
import { parseRoleRows, ROLES_QUERY, roleSpecsOf } from './roles';
import {
  assertPinned,
  makeWorkDir,
  type PinnedDir,
  prepareBackupDir,
  publishPinned,
  removeStaleWorkDirs,
  removeWorkDir,
} from './safe-dir';
import { ScratchPostgres } from './scratch-postgres';
import { readTableContents } from './table-counts';
import { listArchive, testRestore } from './verify-backup';

/** What the backup handlers share for one run. */
export interface BackupCtx {
  deployment: Deployment;
  plan: BackupPlan;
  secrets: SecretSet;
  /** Host dumps only: the database password (never journalled). */
  password?: string;
  emit: BackupEventHandler;
}

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

const prepared = (outputs: ReadonlyMap<string, unknown>) => outputs.get('prepare') as PreparedBackup;
const dumped = (outputs: ReadonlyMap<string, unknown>) => outputs.get('dump') as DumpedBackup;

async function engramVersion(
  deployment: Deployment,
  app: ContainerRecord | undefined,
): Promise<string | null> {
  if (app?.running) {
    const r = await deployment.docker.exec(app.id, { cmd: ['/app/bin/engram', 'version'] }).catch((err) => {
      // A running app can still refuse an exec (restarting, stopping): its image tag then answers.
      // An engine that does not answer, or an abort, is not a version question and is thrown.
      if (err instanceof UpgradeError && err.code === 'DOCKER_OPERATION') return undefined;
      throw err;
    });
    const m = r?.stdout.match(/^engram\s+(\S+)/m);
    if (m) return m[1]!;
  }
  const tag = app?.image.match(/:([^:/@]+)$/)?.[1];
  return tag && /^\d+\.\d+\.\d+/.test(tag) ? tag : null;
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
function digestOfFiles(files: readonly BackupFile[]): string {
  const list = files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
  return createHash('sha256').update(list).digest('hex');
}

async function readSnapshot(session: PsqlSession) {
  await session.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const [[id]] = (await session.query('SELECT pg_export_snapshot()')) as [[string]];
  const [[canRead]] = (await session.query(
    'SELECT (rolsuper OR rolbypassrls)::text FROM pg_roles WHERE rolname = current_user',
  )) as [[string]];
  if (canRead !== 'true') {
    throw new UpgradeError('BACKUP_FAILED', {
      message:
        'The database user is neither superuser nor BYPASSRLS, so a dump would miss rows hidden by row-level security',
      hint: 'Run the backup as the database owner that compose created (POSTGRES_USER), or grant it BYPASSRLS',
    });
  }
  const contents = await readTableContents((sql) => session.query(sql));
  const roles = roleSpecsOf(parseRoleRows(await session.query(ROLES_QUERY)));
  return { id: id!, ...contents, roles };
}

/** The backup executor's steps. Each either finishes or leaves nothing that its undo cannot remove. */
export const backupHandlers: Handlers<BackupCtx> = {
  'backup.prepare': {
    async run(_step, rt) {
      const { deployment, plan } = rt.ctx;
      const finalPath = plan.destination.path;
      const parent = await prepareBackupDir(plan.destination.dir);
      // A dir given through a link: the final name is taken in the real directory.
      if (await exists(join(parent.path, basename(finalPath)))) {
        throw new UpgradeError('BACKUP_FAILED', {
          message: `${finalPath} already exists`,
          unchanged: 'Nothing was changed',
          hint: 'Plan a new backup',
        });
      }
      await removeStaleWorkDirs(parent, `.${plan.id}.partial-`);
      const work = await makeWorkDir(parent, `.${plan.id}.partial-`);
      const [app, db] = await Promise.all([deployment.findApp(), deployment.db()]);
      const appEnv = envMap(app?.env ?? []);
      return {
        startedAt: Date.now(),
        parent,
        work,
        engram: {
          version: await engramVersion(deployment, app),
          image: app?.image ?? plan.source.appImage ?? 'unknown',
          imageId: app?.imageId ?? 'unknown',
          buildSha: appEnv.RELEASE_SHA || null,
        },
        masterKeyFingerprint: secretFingerprint(appEnv.ENCRYPTION_MASTER_KEY),
        dbImage: db.image,
      } satisfies PreparedBackup;
    },
    async undo(_step, out, rt) {
      // Removes the working directory, or only a link put in its place (rm never follows one).
      const prep = out as PreparedBackup | undefined;
      if (prep) return removeWorkDir(prep.work);
      // Failed or killed before its output was journalled: this plan's working directories, if any.
      const { plan } = rt.ctx;
      if (!(await exists(plan.destination.dir))) return;
      await removeStaleWorkDirs(await prepareBackupDir(plan.destination.dir), `.${plan.id}.partial-`);
    },
  },

  'backup.stop-app': stopAppStep,

  'backup.dump': {
    async run(_step, rt) {
      const { deployment, plan, secrets, emit } = rt.ctx;
      const prep = prepared(rt.outputs);
      await assertPinned(prep.work);
      const path = join(prep.work.path, dumpPathOf(plan.format));
      // A resumed run writes the dump again from a new snapshot.
      await rm(path, { force: true, recursive: true });
      const db = await deployment.db();
      const session = PsqlSession.open(
        deployment.docker,
        db.id,
        plan.source.user,
        plan.source.database,
        secrets,
      );
      try {
        emit({ type: 'step', step: 'snapshot', status: 'started' });
        const snap = await readSnapshot(session);
        emit({
          type: 'step',
          step: 'snapshot',
          status: 'finished',
          detail: `${Object.keys(snap.tables).length} tables`,
        });
        const started = Date.now();
        if (plan.format === 'directory') {
          const files = await dumpDirectory({
            docker: deployment.docker,
            dbContainerId: db.id,
            plan,
            snapshot: snap.id,
            workDir: prep.work.path,
            secrets,
            signal: rt.signal,
            onProgress: (bytes) => emit({ type: 'progress', phase: 'dump', bytes }),
            onLeftover: (err) => emit({ type: 'warning', message: err.message }),
          });
          const dumpMs = Date.now() - started;
          await session.query('COMMIT');
          const bytes = files.reduce((n, f) => n + f.bytes, 0);
          const sha256 = digestOfFiles(files);
          emit({ type: 'dump-written', path, bytes, sha256 });
          return {
            bytes,
            sha256,
            files,
            dumpMs,
            tables: snap.tables,
            applied: snap.applied,
            roles: snap.roles,
          } satisfies DumpedBackup;
        }
        const writer = new HashingFileWriter(path, (bytes) =>
          emit({ type: 'progress', phase: 'dump', bytes }),
        );
        const result = await dumpDatabase({
          docker: deployment.docker,
          dbContainerId: db.id,
          plan,
          snapshot: snap.id,
          writer,
          password: rt.ctx.password ?? envMap(db.env).POSTGRES_PASSWORD,
          signal: rt.signal,
        });
        if (result.exitCode !== 0 || writer.bytes === 0) {
          throw new UpgradeError('BACKUP_FAILED', {
            message: `pg_dump ${result.exitCode === null ? 'was cut off' : `exited ${result.exitCode}`} after ${writer.bytes} bytes: ${tailOf(result.stderr, secrets, 2) || 'no message'}`,
          });
        }
        const dumpMs = Date.now() - started;
        await session.query('COMMIT');
        emit({ type: 'progress', phase: 'dump', bytes: writer.bytes });
        emit({ type: 'dump-written', path: writer.path, bytes: writer.bytes, sha256: writer.sha256 });
        return {
          bytes: writer.bytes,
          sha256: writer.sha256,
          dumpMs,
          tables: snap.tables,
          applied: snap.applied,
          roles: snap.roles,
        } satisfies DumpedBackup;
      } finally {
        await session.close();
      }
    },
    async undo(_step, _out, rt) {
      // A copy of a directory-format dump a killed run left in the Postgres container. Best effort: a
      // Docker that does not answer must not stop the undo before the working directory goes, and the
      // next backup of this database removes such a copy first.
      const { deployment, plan } = rt.ctx;
      if (plan.format !== 'directory') return;
      const db = await deployment.db().catch(() => undefined);
      if (!db?.running) return;
      await ContainerDir.removeLeftovers(deployment.docker, db.id, dumpKey(plan.source.database)).catch(
        () => undefined,
      );
    },
  },

  'backup.verify': {
    async run(_step, rt) {
      const { deployment, plan, secrets, emit } = rt.ctx;
      const prep = prepared(rt.outputs);
      const dump = dumped(rt.outputs);
      const started = Date.now();
      const manifest = manifestOf(plan, prep, dump, { verifyMs: 0, totalMs: 0 });
      await assertPinned(prep.work);
      for (const f of filesOf(dump)) {
        const reread = await hashFile(join(prep.work.path, f.name), { bytes: f.bytes, backupId: plan.id });
        if (reread.sha256 !== f.sha256 || reread.bytes !== f.bytes) {
          throw new UpgradeError('BACKUP_CORRUPT', {
            message: `${f.name} read back from disk differs from what was written (sha256 ${reread.sha256.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…)`,
            hint: 'Check the disk holding the backup dir, then run the backup again',
          });
        }
      }
      const db = await deployment.db();
      const path = join(prep.work.path, dumpPathOf(plan.format));
      await listArchive(deployment.docker, db.id, path, manifest, rt.signal);
      if (plan.verify.level === 2) {
        const scratch = await ScratchPostgres.start(deployment.docker, db.image, plan.source.user, {
          signal: rt.signal,
        });
        await scratch.use(
          () =>
            testRestore(deployment.docker, scratch, prep.work.path, manifest, {
              secrets,
              signal: rt.signal,
              onProgress: (bytes) => emit({ type: 'progress', phase: 'restore', bytes }),
            }),
          // The backup verified: a container Docker would not remove is reported, not a failed backup.
          { onLeftover: (err) => emit({ type: 'warning', message: err.message }) },
        );
      }
      return { verifyMs: Date.now() - started };
    },
  },

  'backup.commit': {
    async run(_step, rt) {
      const { plan } = rt.ctx;
      const prep = prepared(rt.outputs);
      const finalPath = join(prep.parent.path, basename(plan.destination.path));
      // Killed after the rename, before it was journalled: the backup is already complete.
      if (!(await exists(prep.work.path))) {
        const published = await manifestAt(finalPath);
        if (published?.id === plan.id) return { path: plan.destination.path, totalMs: published.totalMs };
      }
      const { verifyMs } = rt.outputs.get('verify') as { verifyMs: number };
      const manifest = manifestOf(plan, prep, dumped(rt.outputs), {
        verifyMs,
        totalMs: Date.now() - prep.startedAt,
      });
      await assertPinned(prep.work);
      const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
      await writeDurable(join(prep.work.path, MANIFEST_FILE), manifestText);
      await writeManifestSignature(prep.work.path, manifestText, plan.signing);
      await syncDir(prep.work.path);
      await publishPinned(prep.work, prep.parent, finalPath);
      return { path: plan.destination.path, totalMs: manifest.timings.totalMs };
    },
  },

  'backup.start-app': startAppStep,
};

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
