import { runBackupWithin } from '../backup/execute-backup';
import { SigningKeyRefSchema } from '../backup/manifest-signature';
import { backup } from '../backup/plan-backup';
import { reloadSigningKey, signingKeySourceOf } from '../backup/signing-key';
import { repositoryOf, tagOf } from '../compose/image-reference';
import { oneOffLabels, removeExitedOneOffs } from '../deployment/one-off-containers';
import { UpgradeError } from '../errors';
import type { ExecStep } from '../execute/step';
import type { Handlers, StepRuntime } from '../execute/step-runner';
import { MigrationLogWatcher } from '../migrations/ecto-log';
import { pendingMigrations } from '../migrations/pending-migrations';
import { runMigratorRollback } from '../rollback/migrator-rollback';
import { requireApplied, revertHop } from '../rollback/revert-hop';
import { awaitHealthy } from './await-app';
import { awaitMigrations } from './await-migrations';
import { readApplied } from './deployment-state';
import { editConfig } from './edit-config';
import { appendHopRecord, type HopRecord } from './hop-record';
import { readImageMigrations } from './image-migrations';
import { type KeptFile, restoreKept } from './kept-files';
import type { PulledImage } from './pull-image';
import { pullImage } from './pull-image';
import { recreateApp } from './recreate-app';
import { sibling, type UpgradeContext } from './upgrade-context';
import type { PlannedEnvEdit } from './upgrade-plan';

export interface ReadMigrationsOutput {
  releaseVersion: string;
  shipped: { version: string; name: string; phase: string; irreversible: boolean; lockRisk: string }[];
  pending: string[];
}
export interface BackupOutput {
  path: string;
  id: string;
  stoppedApp: boolean;
}
export interface RunningOutput {
  oldContainerId: string;
  oldImage: { reference: string; id: string };
  preApplied: string[];
}
export interface RecreateOutput {
  newContainerId: string;
}

type Rt = StepRuntime<UpgradeContext>;
interface ManualStepInput {
  text: string;
  commands: string[];
  handling: string;
  argv?: string[];
}

function hopOf(step: ExecStep, rt: Rt) {
  const index = Number(step.id.slice(3, step.id.indexOf('.')));
  const hop = rt.ctx.plan.hops.find((h) => h.index === index);
  if (!hop) throw new UpgradeError('INVALID_INPUT', { message: `Step ${step.id} names no hop of the plan` });
  return hop;
}

function output<T>(rt: Rt, step: ExecStep, name: string): T | undefined {
  return rt.outputs.get(sibling(step.id, name)) as T | undefined;
}

/** The app's environment as the new version will have it once the hop's env edits are made. */
function envAfterEdits(
  env: readonly string[],
  edits: PlannedEnvEdit[],
  values: Record<string, string>,
): string[] {
  const map = new Map(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
  for (const e of edits) {
    if (e.op === 'rename' && map.has(e.from)) {
      if (!map.has(e.to)) map.set(e.to, map.get(e.from)!);
      map.delete(e.from);
    } else if (e.op === 'set' && values[e.name] !== undefined) map.set(e.name, values[e.name]!);
  }
  return [...map].map(([k, v]) => `${k}=${v}`);
}

function log(rt: Rt, step: ExecStep, message: string): void {
  rt.emit({ type: 'log', step: step.id, level: 'info', message: rt.ctx.secrets.redact(message) });
}

/** The step handlers of an upgrade hop. Each is small; the runner sequences, journals and undoes them. */
export const upgradeHandlers: Handlers<UpgradeContext> = {
  pull: {
    async run(step, rt) {
      const reference = String(step.input.reference);
      return pullImage(rt.ctx.deployment.docker, reference, {
        signal: rt.signal,
        onProgress: (p) =>
          rt.emit({
            type: 'progress',
            step: step.id,
            phase: 'pull',
            current: p.current,
            total: p.total,
            detail: p.status,
          }),
      });
    },
  },

  'read-migrations': {
    async run(step, rt) {
      const pulled = output<PulledImage>(rt, step, 'pull')!;
      const hop = hopOf(step, rt);
      if (hop.online.qualifies && hop.online.imageId !== pulled.imageId) {
        throw new UpgradeError('PLAN_STALE', {
          message: `${pulled.reference} is image ${pulled.imageId.slice(7, 19)} now, not ${hop.online.imageId?.slice(7, 19)} whose migrations the plan judged safe to run ahead: the tag moved`,
          unchanged: 'Nothing was changed',
          hint: 'Plan again, so the new image is read and judged',
        });
      }
      const found = await readImageMigrations(rt.ctx.deployment.docker, pulled.imageId);
      if (found.releaseVersion !== hop.to) {
        throw new UpgradeError('PULL_FAILED', {
          message: `${pulled.reference} contains release ${found.releaseVersion}, not ${hop.to}`,
          unchanged: 'Nothing was changed',
          hint: 'The tag points at another release: check the registry',
        });
      }
      const applied = await readApplied(rt.ctx.deployment, await rt.ctx.deployment.db(), rt.ctx.secrets);
      const pending = pendingMigrations(found.migrations, applied);
      const oneWay = pending.filter((m) => m.irreversible);
      if (oneWay.length && !step.input.hasBackup) {
        throw new UpgradeError('INVALID_INPUT', {
          message: `${hop.to} ships migrations that cannot be reverted (${oneWay.map((m) => m.version).join(', ')}), and the plan takes no backup before them`,
          unchanged: 'Nothing was changed',
          hint: "Plan again with backup: 'every-hop' (or a backupDir), so the hop can be undone by restoring it",
        });
      }
      for (const m of pending) {
        log(
          rt,
          step,
          `pending ${m.version} ${m.name}: phase ${m.phase}${m.irreversible ? ', irreversible' : ''}, lock risk ${m.lockRisk}`,
        );
      }
      return {
        releaseVersion: found.releaseVersion,
        shipped: found.migrations.map((m) => ({
          version: m.version,
          name: m.name,
          phase: m.phase,
          irreversible: m.irreversible,
          lockRisk: m.lockRisk,
        })),
        pending: pending.map((m) => m.version),
      } satisfies ReadMigrationsOutput;
    },
  },

  backup: {
    async run(step, rt) {
      // The key the plan was made with, or none: a key that changed since is refused here.
      const key = await reloadSigningKey(
        step.input.signing ? SigningKeyRefSchema.parse(step.input.signing) : null,
      );
      const { deployment } = rt.ctx;
      const mode = step.input.mode === 'quiesced' ? 'quiesced' : 'online';
      const wasRunning = (await deployment.app()).running;
      const plan = await backup(deployment, {
        dir: String(step.input.dir),
        mode,
        restartApp: false,
        verifyLevel: step.input.verifyLevel === 2 ? 2 : 1,
        signingKey: key ? signingKeySourceOf(key.ref) : undefined,
      });
      const taken = await runBackupWithin(deployment, plan, {
        signal: rt.signal,
        onEvent: (e) => {
          if (e.type === 'progress')
            rt.emit({ type: 'progress', step: step.id, phase: e.phase, current: e.bytes });
        },
      });
      return {
        path: taken.path,
        id: taken.manifest.id,
        stoppedApp: mode === 'quiesced' && wasRunning,
      } satisfies BackupOutput;
    },
    async undo(_step, out, rt) {
      const o = out as BackupOutput | undefined;
      if (o && !o.stoppedApp) return;
      const app = await rt.ctx.deployment.app();
      if (!app.running) await rt.ctx.deployment.docker.start(app.id);
    },
  },

  'pre-migrate': {
    async run(step, rt) {
      const hop = hopOf(step, rt);
      const pulled = output<PulledImage>(rt, step, 'pull')!;
      const { deployment, secrets } = rt.ctx;
      const app = await deployment.app();
      const stillRunning = await removeExitedOneOffs(deployment.docker, deployment.project);
      if (stillRunning.length)
        log(rt, step, `a migrator an earlier run started is still running (${stillRunning.join(', ')})`);
      const outcome = await deployment.docker.runOneOff({
        image: pulled.imageId,
        entrypoint: ['/app/bin/engram'],
        cmd: ['eval', 'Engram.Release.migrate()'],
        env: envAfterEdits(app.env, hop.envEdits, rt.ctx.env),
        network: app.networks[0],
        labels: oneOffLabels(deployment.project, 'migrate'),
        signal: rt.signal,
      });
      const watcher = new MigrationLogWatcher();
      for (const line of outcome.output.split('\n')) {
        for (const e of watcher.push(line)) {
          if (e.kind === 'migrated')
            log(rt, step, `migrated ${e.version} in ${e.seconds}s while ${hop.from} served`);
        }
      }
      if (outcome.exitCode !== 0) {
        const failed = watcher.state().failed;
        throw new UpgradeError('MIGRATION_FAILED', {
          message: `Running ${hop.to}'s migrations ahead failed${failed ? ` at ${failed.version}: ${secrets.redact(failed.message)}` : ` (exit ${outcome.exitCode})`}`,
          version: failed?.version,
        });
      }
      const applied = await readApplied(deployment, await deployment.db(), secrets);
      const missing = hop.online.pending.filter((m) => !applied.includes(m.version));
      if (missing.length) {
        throw new UpgradeError('MIGRATION_FAILED', {
          message: `After running ${hop.to}'s migrations ahead, ${missing.map((m) => m.version).join(', ')} are still not applied`,
        });
      }
      return { applied: hop.online.pending.map((m) => m.version) };
    },
    async undo(step, _out, rt) {
      // The old version is still serving: revert what ran ahead without stopping it.
      const before = output<RunningOutput>(rt, step, 'running');
      const pulled = output<PulledImage>(rt, step, 'pull');
      if (!before || !pulled) return;
      const { deployment, secrets } = rt.ctx;
      const applied = await readApplied(deployment, await deployment.db(), secrets);
      const ahead = applied.filter((v) => !before.preApplied.includes(v));
      if (ahead.length === 0) return;
      log(rt, step, `reverting ${ahead.length} migration(s) that ran ahead, from ${ahead[0]}`);
      await runMigratorRollback(deployment, {
        image: pulled.imageId,
        toVersion: ahead[0]!,
        like: await deployment.app(),
        secrets,
      });
      await requireApplied(deployment, secrets, before.preApplied, 'reverting the migrations that ran ahead');
    },
  },

  'manual-steps': {
    async run(step, rt) {
      const steps = step.input.steps as ManualStepInput[];
      const hop = hopOf(step, rt);
      // Every step is agreed before anything changes; release calls run later, in the new container.
      for (const m of steps) {
        const allowed =
          (m.handling === 'release-call' && rt.ctx.allowManualSteps) ||
          (rt.ctx.confirm
            ? await rt.ctx.confirm({
                kind: 'manual-step',
                text: m.text,
                commands: m.commands,
                hop: hop.index,
              })
            : false);
        if (!allowed) {
          throw new UpgradeError('UPGRADE_FAILED', {
            message: `Hop ${hop.from} → ${hop.to} has a step in its upgrade notes that was not agreed to: "${m.text}"${m.commands.length ? ` (${m.commands.join(' ; ')})` : ''}`,
            hint:
              m.handling === 'release-call'
                ? 'Pass allowManualSteps: true to let the library run this Engram release call, or a confirm callback'
                : 'Do the step yourself, then pass a confirm callback that answers true for it',
          });
        }
      }
      return { agreed: steps.length };
    },
  },

  'release-calls': {
    async run(step, rt) {
      const calls = step.input.calls as ManualStepInput[];
      const running = output<RecreateOutput>(rt, step, 'recreate')!;
      const done: string[] = [];
      for (const c of calls) {
        if (c.argv?.[0] !== '/app/bin/engram' || c.argv[1] !== 'eval') {
          throw new UpgradeError('INVALID_INPUT', {
            message: `Step ${step.id} holds a call that is not an Engram release call`,
          });
        }
        const r = await rt.ctx.deployment.docker.exec(running.newContainerId, { cmd: c.argv });
        if (r.exitCode !== 0) {
          throw new UpgradeError('UPGRADE_FAILED', {
            message: `${c.argv.slice(2).join(' ')} exited ${r.exitCode}: ${rt.ctx.secrets.redact(r.stderr).trim().split('\n').slice(-3).join(' | ')}`,
          });
        }
        done.push(c.argv[2]!);
        log(rt, step, `ran ${c.argv[2]}`);
      }
      return { ran: done };
    },
  },

  'edit-config': {
    async run(step, rt) {
      const hop = hopOf(step, rt);
      const pulled = output<PulledImage>(rt, step, 'pull')!;
      const repo = repositoryOf(hop.image);
      const tag = tagOf(hop.image) ?? hop.to;
      const newReference =
        rt.ctx.plan.pin === 'digest' && pulled.digest ? `${repo}:${tag}@${pulled.digest}` : `${repo}:${tag}`;
      const kept = await editConfig({
        files: rt.ctx.files,
        service: rt.ctx.plan.appService,
        envEdits: hop.envEdits,
        env: rt.ctx.env,
        newReference,
        keepDir: rt.ctx.runDir,
        label: `hop${hop.index}`,
      });
      return { kept, reference: newReference };
    },
    async undo(_step, out) {
      const o = out as { kept: KeptFile[] } | undefined;
      if (o) await restoreKept(o.kept);
    },
  },

  'note-running': {
    async run(_step, rt) {
      const { deployment, secrets } = rt.ctx;
      const app = await deployment.app();
      const preApplied = await readApplied(deployment, await deployment.db(), secrets);
      return {
        oldContainerId: app.id,
        oldImage: { reference: app.image, id: app.imageId },
        preApplied,
      } satisfies RunningOutput;
    },
  },

  recreate: {
    async run(step, rt) {
      const { deployment, files, plan, secrets } = rt.ctx;
      await recreateApp(deployment, {
        driver: plan.driver,
        files,
        service: plan.appService,
        secrets,
        signal: rt.signal,
        log: (m) => log(rt, step, m),
      });
      return { newContainerId: (await deployment.app()).id } satisfies RecreateOutput;
    },
    async undo(step, _out, rt) {
      const { deployment, files, plan, secrets } = rt.ctx;
      const hop = hopOf(step, rt);
      const before = output<RunningOutput>(rt, step, 'running');
      if (!before) return;
      const pulled = output<PulledImage>(rt, step, 'pull');
      const migrations = output<ReadMigrationsOutput>(rt, step, 'migrations');
      const taken = output<BackupOutput>(rt, step, 'backup');
      const config = output<{ kept: KeptFile[] }>(rt, step, 'config');
      await revertHop(
        deployment,
        {
          from: hop.from,
          oldImage: before.oldImage,
          newImage: pulled ? { id: pulled.imageId } : null,
          preApplied: before.preApplied,
          shipped: migrations?.shipped ?? [],
          backup: taken ? { path: taken.path, id: taken.id } : null,
          kept: config?.kept ?? [],
        },
        {
          files,
          secrets,
          service: plan.appService,
          healthTimeoutMs: plan.healthTimeoutMs,
          startOld: true,
          driver: plan.driver,
          log: (m) => log(rt, step, m),
        },
      );
    },
  },

  'await-migrations': {
    async run(step, rt) {
      const created = output<RecreateOutput>(rt, step, 'recreate')!;
      const before = output<RunningOutput>(rt, step, 'running')!;
      const migrations = output<ReadMigrationsOutput>(rt, step, 'migrations')!;
      const applied = await awaitMigrations(rt.ctx.deployment, {
        containerId: created.newContainerId,
        expected: migrations.shipped.map((m) => m.version),
        pending: migrations.pending.length,
        deadlineMs: rt.ctx.plan.healthTimeoutMs,
        signal: rt.signal,
        secrets: rt.ctx.secrets,
        onEvent: (e) => rt.emit({ ...e, step: step.id }),
      });
      return { applied: applied.filter((v) => !before.preApplied.includes(v)) };
    },
  },

  'health-gate': {
    async run(step, rt) {
      const created = output<RecreateOutput>(rt, step, 'recreate')!;
      const pulled = output<PulledImage>(rt, step, 'pull')!;
      return awaitHealthy(rt.ctx.deployment, {
        containerId: created.newContainerId,
        version: String(step.input.version),
        buildSha: pulled.releaseSha,
        deadlineMs: rt.ctx.plan.healthTimeoutMs,
        signal: rt.signal,
        secrets: rt.ctx.secrets,
      });
    },
  },

  'record-hop': {
    async run(step, rt) {
      const hop = hopOf(step, rt);
      const pulled = output<PulledImage>(rt, step, 'pull')!;
      const before = output<RunningOutput>(rt, step, 'running')!;
      const migrations = output<ReadMigrationsOutput>(rt, step, 'migrations')!;
      const taken = output<BackupOutput>(rt, step, 'backup');
      const config = output<{ kept: KeptFile[] }>(rt, step, 'config');
      const applied = await readApplied(rt.ctx.deployment, await rt.ctx.deployment.db(), rt.ctx.secrets);
      const record: HopRecord = {
        planId: rt.ctx.plan.id,
        run: rt.ctx.runId,
        project: rt.ctx.plan.project,
        index: hop.index,
        from: hop.from,
        to: hop.to,
        oldImage: before.oldImage,
        newImage: { reference: pulled.reference, id: pulled.imageId, digest: pulled.digest },
        preApplied: before.preApplied,
        applied,
        shipped: migrations.shipped.map((m) => ({ version: m.version, irreversible: m.irreversible })),
        backup: taken ? { path: taken.path, id: taken.id } : null,
        kept: config?.kept ?? [],
        finishedAt: new Date().toISOString(),
      };
      await appendHopRecord(rt.ctx.plan.stateDir, record);
      return record;
    },
  },
};
