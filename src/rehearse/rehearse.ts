import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { executeBackup } from '../backup/execute-backup';
import { executeRestore } from '../backup/execute-restore';
import { backup } from '../backup/plan-backup';
import { restore } from '../backup/plan-restore';
import { type ComposeProjectFiles, compose } from '../compose/compose-cli';
import { type Deployment, openDeployment } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import type { StepEvent } from '../execute/step';
import type { UpgradePath } from '../plan/upgrade-path';
import { executeRollback } from '../rollback/execute-rollback';
import { rollback } from '../rollback/plan-rollback';
import { composeFilesOf } from '../upgrade/deployment-state';
import { executeUpgrade } from '../upgrade/execute-upgrade';
import { applyUpgrade } from '../upgrade/plan-upgrade';
import type { Confirm } from '../upgrade/upgrade-context';
import { rehearsalCompose } from './rehearsal-compose';
import { type RehearsalReport, RehearsalReportSchema } from './rehearsal-report';

export interface RehearseOptions {
  /** A verified backup to rehearse on. @default a fresh online backup, removed afterwards */
  backup?: string;
  /** Values of variables the path newly requires (as for `executeUpgrade`). */
  env?: Record<string, string>;
  confirm?: Confirm;
  allowManualSteps?: boolean;
  /** Try each hop's planned rollback after the path, newest hop first. @default true */
  rollback?: boolean;
  signal?: AbortSignal;
  /** Where the rehearsal is (`phase`) and every step of its runs. */
  onEvent?: (event: RehearsalEvent) => void;
}

export type RehearsalEvent =
  | {
      type: 'phase';
      phase: 'backup' | 'copy' | 'start' | 'restore' | 'upgrade' | 'rollback' | 'teardown';
      detail?: string;
    }
  | StepEvent;

/** The hop steps during which the app does not serve: a quiesced backup, the recreate, the wait. */
const DOWN_STEPS = ['recreate', 'watch', 'health'];

/**
 * Rehearses an upgrade path on a throwaway copy of the deployment: the same compose files (ports and
 * fixed names dropped), images and env, in its own project with its own volumes and network, with the
 * newest backup (or a fresh one) restored into it. The whole path runs there with the same executor,
 * every hop is timed, each hop's planned rollback is tried, and the copy is removed. Nothing in the
 * real deployment changes (a fresh backup only reads it).
 */
export async function rehearse(
  deployment: Deployment,
  path: UpgradePath,
  options: RehearseOptions = {},
): Promise<RehearsalReport> {
  const started = Date.now();
  const emit = (e: RehearsalEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // An observer's bug must not break the rehearsal it watches.
    }
  };
  const app = await deployment.app();
  const files = composeFilesOf(deployment.project, app);
  const work = await mkdtemp(join(tmpdir(), 'engram-rehearsal-'));
  const copy: ComposeProjectFiles = {
    project: `${deployment.project.slice(0, 40)}-rehearsal-${randomBytes(3).toString('hex')}`,
    workingDir: join(work, 'project'),
    configFiles: [],
    envFile: null,
  };
  const secrets = await deployment.secrets();
  const endpoint = await deployment.docker.endpoint?.();
  /** Starts the copy (or finds it started) and waits until every service reports healthy. */
  const upHealthy = () =>
    compose(copy, ['up', '--detach', '--wait', '--wait-timeout', '300'], {
      signal: options.signal,
      secrets,
      endpoint,
    });
  let upStarted = false;
  let failed = true;
  try {
    let backupPath = options.backup;
    let backupMs: number | null = null;
    if (!backupPath) {
      emit({ type: 'phase', phase: 'backup', detail: 'a fresh online backup of the real deployment' });
      const t = Date.now();
      const taken = await executeBackup(
        deployment,
        // Its own state dir: a killed rehearsal leaves no interrupted run on the real deployment.
        await backup(deployment, {
          dir: join(work, 'backups'),
          mode: 'online',
          stateDir: join(work, 'state'),
        }),
        { signal: options.signal },
      );
      backupMs = Date.now() - t;
      backupPath = taken.path;
    }

    emit({ type: 'phase', phase: 'copy', detail: copy.project });
    const changes = await copyProject(files, copy);

    emit({ type: 'phase', phase: 'start' });
    upStarted = true;
    await upHealthy();
    const twin = await openDeployment({
      project: copy.project,
      appService: deployment.appService,
      dbService: deployment.dbService,
      docker: deployment.docker,
    });

    emit({ type: 'phase', phase: 'restore', detail: backupPath });
    const stateDir = join(work, 'state');
    const restoreStarted = Date.now();
    await executeRestore(twin, await restore(backupPath, twin, { keepPrevious: false, stateDir }), {
      signal: options.signal,
    });
    // The restore started the app again: wait until it answers healthy, as the plan will ask it.
    await upHealthy();
    const restoreMs = Date.now() - restoreStarted;

    emit({ type: 'phase', phase: 'upgrade', detail: `${path.from} → ${path.to}` });
    const plan = await applyUpgrade(twin, path, {
      stateDir,
      backupDir: join(work, 'hop-backups'),
      env: options.env,
    });
    const upgraded = await executeUpgrade(twin, plan, {
      signal: options.signal,
      onEvent: emit,
      env: options.env,
      confirm: options.confirm,
      allowManualSteps: options.allowManualSteps,
    });
    const hops = plan.hops.map((hop) => {
      const prefix = `hop${hop.index}.`;
      const steps = Object.fromEntries(
        Object.entries(upgraded.timings)
          .filter(([id]) => id.startsWith(prefix))
          .map(([id, ms]) => [id.slice(prefix.length), ms]),
      );
      const quiesced = plan.steps.some(
        (s) => s.id === `${prefix}backup` && (s.input as { mode?: string }).mode === 'quiesced',
      );
      const down = [...DOWN_STEPS, ...(quiesced ? ['backup'] : [])];
      return {
        from: hop.from,
        to: hop.to,
        ms: Object.values(steps).reduce((a, b) => a + b, 0),
        downtimeMs: down.reduce((a, id) => a + (steps[id] ?? 0), 0),
        steps,
        rollback: null as null | { strategy: string; ms: number; ok: boolean; error?: string },
      };
    });

    if (options.rollback ?? true) {
      for (const hop of [...hops].reverse()) {
        emit({ type: 'phase', phase: 'rollback', detail: `${hop.to} → ${hop.from}` });
        const t = Date.now();
        let strategy = 'unknown';
        try {
          const back = await rollback(twin, { stateDir, to: { hops: 1 }, acceptDataLoss: true });
          strategy = back.hops[0]?.strategy ?? 'unknown';
          await executeRollback(twin, back, { signal: options.signal, onEvent: emit, acceptDataLoss: true });
          hop.rollback = { strategy, ms: Date.now() - t, ok: true };
        } catch (err) {
          if (options.signal?.aborted) throw err;
          hop.rollback = {
            strategy,
            ms: Date.now() - t,
            ok: false,
            error: secrets.redact(err instanceof UpgradeError ? err.summary : String(err)),
          };
          break; // an earlier hop cannot be rolled back over one that failed to
        }
      }
    }
    const report = RehearsalReportSchema.parse({
      kind: 'rehearsal',
      project: deployment.project,
      rehearsalProject: copy.project,
      from: path.from,
      to: path.to,
      backup: { path: options.backup ?? null, fresh: !options.backup, ms: backupMs },
      restoreMs,
      copyChanges: changes,
      hops,
      totalMs: Date.now() - started,
    });
    failed = false;
    return report;
  } finally {
    emit({ type: 'phase', phase: 'teardown', detail: copy.project });
    if (upStarted) {
      await compose(copy, ['down', '--volumes', '--remove-orphans', '--timeout', '5'], {
        secrets,
        endpoint,
      }).catch(
        () => undefined, // reported below by the leftover check
      );
    }
    // The copy's .env holds secrets and a fresh backup holds real data: nothing of it stays.
    await rm(work, { recursive: true, force: true });
    // A leftover is reported, but never over the error that ended the rehearsal.
    if (upStarted && !failed) await requireGone(deployment, copy.project);
  }
}

/** Copies the project's compose files and env files into the rehearsal's own directory, rewritten. */
async function copyProject(files: ComposeProjectFiles, copy: ComposeProjectFiles): Promise<string[]> {
  const changes: string[] = [];
  const place = (p: string) => {
    const rel = relative(files.workingDir, p);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new UpgradeError('INVALID_INPUT', {
        message: `${p} is outside the compose project's directory ${files.workingDir}, so the rehearsal cannot copy it alongside`,
        unchanged: 'Nothing was changed; no rehearsal stack was started',
        hint: 'Keep the compose and env files in the project directory, or rehearse by hand',
      });
    }
    return join(copy.workingDir, rel);
  };
  await mkdir(copy.workingDir, { recursive: true, mode: 0o700 });
  const envFiles = new Set<string>();
  for (const file of files.configFiles) {
    const rewritten = rehearsalCompose(file, await readFile(file, 'utf8'));
    const to = place(file);
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await writeFile(to, rewritten.text, { mode: 0o600 });
    copy.configFiles.push(to);
    changes.push(...rewritten.changes);
    for (const e of rewritten.envFiles) envFiles.add(isAbsolute(e) ? e : join(dirname(file), e));
  }
  if (files.envFile) envFiles.add(files.envFile);
  for (const e of envFiles) {
    const to = place(e);
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(e, to).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err; // an optional env file that does not exist
    });
  }
  copy.envFile = files.envFile ? place(files.envFile) : null;
  return changes;
}

/** Fails when a container of the rehearsal project is still there after its teardown. */
async function requireGone(deployment: Deployment, project: string): Promise<void> {
  const left = await deployment.docker.findContainers({ 'com.docker.compose.project': project });
  if (left.length) {
    throw new UpgradeError('DOCKER_OPERATION', {
      message: `The rehearsal project ${project} still has ${left.length} container(s) after its teardown`,
      unchanged: 'The real deployment was not changed',
      hint: `Remove them with docker compose -p ${project} down --volumes`,
    });
  }
}
