import { basename, join } from 'node:path';
import { PsqlSession } from '../db/psql-session';
import { type Deployment, secretsOf } from '../deployment/deployment';
import type { ContainerRecord } from '../docker/docker-port';
import { envMap } from '../docker/env-entries';
import { AbortedError, UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import { errnoIn } from '../errors/errno';
import { type SecretSet, secretFingerprint, tailOf } from '../secrets';
import { writeManifestSignature } from './backup-authenticity';
import { type BackupEventHandler, emitter } from './backup-events';
import { type BackupPlan, BackupPlanSchema } from './backup-plan';
import { checkedPlan } from './checked-plan';
import { dumpDatabase } from './dump-database';
import { exists, hashFile, syncDir, writeDurable } from './fs-durable';
import { HashingFileWriter } from './hashing-file-writer';
import {
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

export interface ExecuteBackupOptions {
  signal?: AbortSignal;
  onEvent?: BackupEventHandler;
  /** Host dumps only: the database password. @default POSTGRES_PASSWORD of the Postgres container */
  password?: string;
}

export interface BackupResult {
  path: string;
  manifest: BackupManifest;
}

interface Snapshot {
  id: string;
  tables: Record<string, number>;
  applied: string[];
  roles: RoleSpec[];
}

async function readSnapshot(session: PsqlSession): Promise<Snapshot> {
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

/** Carries out a backup plan. On any failure nothing is left at the final path and the app runs as before. */
export async function executeBackup(
  deployment: Deployment,
  planInput: BackupPlan,
  options: ExecuteBackupOptions = {},
): Promise<BackupResult> {
  const plan = checkedPlan(BackupPlanSchema, planInput, 'backup');
  throwIfAborted(options.signal, {
    message: 'The backup was aborted before it started',
    unchanged: 'Nothing was changed',
  });
  const emit = emitter(options.onEvent);
  const started = Date.now();
  const finalPath = plan.destination.path;
  let work: PinnedDir | undefined;
  const db = await deployment.db();
  const app = await deployment.findApp();
  const secrets: SecretSet = secretsOf(db, app);
  let stoppedApp: ContainerRecord | undefined;
  let session: PsqlSession | undefined;
  let step = 'prepare';
  try {
    if (await exists(finalPath)) {
      throw new UpgradeError('BACKUP_FAILED', {
        message: `${finalPath} already exists`,
        hint: 'Plan a new backup',
      });
    }
    const parent = await prepareBackupDir(plan.destination.dir);
    await removeStaleWorkDirs(parent, `.${plan.id}.partial-`);
    work = await makeWorkDir(parent, `.${plan.id}.partial-`);
    const tempPath = work.path;
    const version = await engramVersion(deployment, app);
    const appEnv = envMap(app?.env ?? []);

    if (plan.mode === 'quiesced' && app?.running) {
      step = 'stop-app';
      emit({ type: 'step', step, status: 'started' });
      await deployment.docker.stop(app.id, 30);
      stoppedApp = app;
      emit({ type: 'step', step, status: 'finished' });
    }

    step = 'snapshot';
    emit({ type: 'step', step, status: 'started' });
    session = PsqlSession.open(deployment.docker, db.id, plan.source.user, plan.source.database, secrets);
    const snap = await readSnapshot(session);
    emit({ type: 'step', step, status: 'finished', detail: `${Object.keys(snap.tables).length} tables` });

    step = 'dump';
    emit({ type: 'step', step, status: 'started' });
    await assertPinned(work);
    const dumpStarted = Date.now();
    const writer = new HashingFileWriter(join(tempPath, DUMP_FILE), (bytes) =>
      emit({ type: 'progress', phase: 'dump', bytes }),
    );
    const dumped = await dumpDatabase({
      docker: deployment.docker,
      dbContainerId: db.id,
      plan,
      snapshot: snap.id,
      writer,
      password: options.password ?? envMap(db.env).POSTGRES_PASSWORD,
      signal: options.signal,
    });
    if (dumped.exitCode !== 0 || writer.bytes === 0) {
      throw new UpgradeError('BACKUP_FAILED', {
        message: `pg_dump ${dumped.exitCode === null ? 'was cut off' : `exited ${dumped.exitCode}`} after ${writer.bytes} bytes: ${tailOf(dumped.stderr, secrets, 2) || 'no message'}`,
      });
    }
    const dumpMs = Date.now() - dumpStarted;
    await session.query('COMMIT');
    await session.close();
    session = undefined;
    emit({ type: 'progress', phase: 'dump', bytes: writer.bytes });
    emit({ type: 'dump-written', path: writer.path, bytes: writer.bytes, sha256: writer.sha256 });
    emit({ type: 'step', step, status: 'finished', detail: `${writer.bytes} bytes` });

    step = 'verify';
    emit({ type: 'step', step, status: 'started' });
    const verifyStarted = Date.now();
    const manifest: BackupManifest = BackupManifestSchema.parse({
      formatVersion: 2,
      id: plan.id,
      createdAt: plan.createdAt,
      project: plan.project,
      mode: plan.mode,
      format: 'custom',
      engram: {
        version,
        image: app?.image ?? plan.source.appImage ?? 'unknown',
        imageId: app?.imageId ?? 'unknown',
        buildSha: appEnv.RELEASE_SHA || null,
      },
      masterKeyFingerprint: secretFingerprint(appEnv.ENCRYPTION_MASTER_KEY),
      database: {
        name: plan.source.database,
        user: plan.source.user,
        serverVersion: plan.source.serverVersion,
        serverMajor: plan.source.serverMajor,
        sizeBytes: plan.source.sizeBytes,
        image: db.image,
      },
      migrations: { head: snap.applied.at(-1) ?? null, applied: snap.applied },
      tables: snap.tables,
      roles: snap.roles.map((r) => r.name),
      roleSpecs: snap.roles,
      files: [{ name: DUMP_FILE, bytes: writer.bytes, sha256: writer.sha256 }],
      timings: { dumpMs, verifyMs: 0, totalMs: 0 },
      verifiedLevel: plan.verify.level,
    });
    await assertPinned(work);
    const reread = await hashFile(join(tempPath, DUMP_FILE), { bytes: writer.bytes, backupId: plan.id });
    if (reread.sha256 !== writer.sha256 || reread.bytes !== writer.bytes) {
      throw new UpgradeError('BACKUP_CORRUPT', {
        message: `The dump read back from disk differs from what was written (sha256 ${reread.sha256.slice(0, 12)}…, expected ${writer.sha256.slice(0, 12)}…)`,
        hint: 'Check the disk holding the backup dir, then run the backup again',
      });
    }
    await listArchive(deployment.docker, db.id, join(tempPath, DUMP_FILE), manifest, options.signal);
    if (plan.verify.level === 2) {
      const scratch = await ScratchPostgres.start(deployment.docker, db.image, plan.source.user, {
        signal: options.signal,
      });
      await scratch.use(
        () =>
          testRestore(deployment.docker, scratch, tempPath, manifest, {
            secrets,
            signal: options.signal,
            onProgress: (bytes) => emit({ type: 'progress', phase: 'restore', bytes }),
          }),
        // The backup verified: a container Docker would not remove is reported, not a failed backup.
        { onLeftover: (err) => emit({ type: 'warning', message: err.message }) },
      );
    }
    manifest.timings.verifyMs = Date.now() - verifyStarted;
    emit({ type: 'step', step, status: 'finished', detail: `level ${plan.verify.level}` });

    step = 'commit';
    manifest.timings.totalMs = Date.now() - started;
    await assertPinned(work);
    const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
    await writeDurable(join(tempPath, MANIFEST_FILE), manifestText);
    await writeManifestSignature(tempPath, manifestText, plan.signing);
    await syncDir(tempPath);
    await publishPinned(work, parent, join(parent.path, basename(finalPath)));
    work = undefined;

    if (stoppedApp && plan.restartApp) {
      step = 'start-app';
      await deployment.docker.start(stoppedApp.id);
      stoppedApp = undefined;
    }
    return { path: finalPath, manifest };
  } catch (err) {
    await session?.close();
    // Removes the working directory, or only a link put in its place (rm never follows one).
    if (work) await removeWorkDir(work);
    let restarted = false;
    if (stoppedApp)
      restarted = await deployment.docker.start(stoppedApp.id).then(
        () => true,
        () => false,
      );
    throw backupFailure(err, {
      step,
      finalPath,
      restarted,
      appName: stoppedApp?.name,
      secrets,
      id: plan.id,
      aborted: options.signal?.aborted === true,
    });
  }
}

function backupFailure(
  err: unknown,
  ctx: {
    step: string;
    finalPath: string;
    restarted: boolean;
    appName?: string;
    secrets: SecretSet;
    id: string;
    aborted: boolean;
  },
): UpgradeError {
  const inner = err instanceof UpgradeError ? err : undefined;
  const base = inner ? `${inner.summary} [${inner.code}]` : ((err as Error).message ?? String(err));
  // The disk filling up may surface wrapped (a write through the Docker stream): look down the causes.
  const noSpace = ['ENOSPC', 'EDQUOT'].includes(errnoIn(err) ?? '');
  // A backup fails with a backup code; a Docker or database error underneath stays the cause (causeCode).
  const code = noSpace ? 'BACKUP_NO_SPACE' : inner?.code.startsWith('BACKUP_') ? inner.code : 'BACKUP_FAILED';
  const what = ctx.aborted ? 'it was aborted' : noSpace ? 'the backup dir ran out of space' : base;
  const app = ctx.appName
    ? ctx.restarted
      ? ` ${ctx.appName} was started again.`
      : ` ${ctx.appName} is STOPPED and could not be started: start it with docker start ${ctx.appName}.`
    : '';
  const details = {
    message: ctx.secrets.redact(`Backup ${ctx.id} failed during '${ctx.step}': ${what}`),
    unchanged: `Nothing was left at ${ctx.finalPath}; the partial files were removed.${app} The database was only read`,
    hint: ctx.aborted
      ? 'Run the backup again when it can finish'
      : inner?.hint
        ? inner.hint
        : noSpace
          ? 'Free space in the backup dir or choose another, then run the backup again'
          : 'Fix the cause above and run the backup again',
    step: ctx.step,
    backupId: ctx.id,
    cause: err,
  };
  return ctx.aborted ? new AbortedError(details) : new UpgradeError(code, details);
}
