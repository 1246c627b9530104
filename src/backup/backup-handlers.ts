import { rm } from 'node:fs/promises';
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
import {
  type DumpedBackup,
  digestOfFiles,
  filesOf,
  manifestAt,
  manifestOf,
  type PreparedBackup,
} from './backup-manifest';
import type { BackupPlan } from './backup-plan';
import { ContainerDir, dumpKey } from './container-dir';
import { dumpDatabase } from './dump-database';
import { dumpDirectory } from './dump-directory';
import { dumpPathOf } from './dump-layout';
import { exists, hashFile, syncDir, writeDurable } from './fs-durable';
import { HashingFileWriter } from './hashing-file-writer';
import { MANIFEST_FILE } from './manifest';
import { parseRoleRows, ROLES_QUERY, roleSpecsOf } from './roles';
import {
  assertPinned,
  makeWorkDir,
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
