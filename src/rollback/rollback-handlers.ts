import { runRestoreWithin } from '../backup/execute-restore';
import { SigningKeyRefSchema } from '../backup/manifest-signature';
import { restore } from '../backup/plan-restore';
import { reloadSigningKey, signingKeySourceOf } from '../backup/signing-key';
import type { ComposeProjectFiles } from '../compose/compose-cli';
import type { Deployment } from '../deployment/deployment';
import type { Handlers } from '../execute/step-runner';
import type { SecretSet } from '../secrets';
import { appendRolledBack } from '../upgrade/hop-record';
import { type KeptFile, restoreKept } from '../upgrade/kept-files';
import { requireEctoVersion, runMigratorRollback } from './migrator-rollback';
import { pointAtOldImage, requireApplied, startOld } from './revert-hop';
import type { RollbackPlan } from './rollback-plan';

export interface RollbackContext {
  deployment: Deployment;
  plan: RollbackPlan;
  files: ComposeProjectFiles;
  secrets: SecretSet;
  runId: string;
}

/** The step handlers of a rollback plan. */
export const rollbackHandlers: Handlers<RollbackContext> = {
  'stop-app': {
    async run(_step, rt) {
      const app = await rt.ctx.deployment.app();
      // The migrator and the restore need the database to themselves; the container itself is kept.
      if (app.running) await rt.ctx.deployment.docker.stop(app.id, 30);
      return { containerId: app.id, wasRunning: app.running };
    },
    async undo(_step, out, rt) {
      const o = out as { containerId: string; wasRunning: boolean } | undefined;
      if (o?.wasRunning) await rt.ctx.deployment.docker.start(o.containerId);
    },
  },

  'restore-backup': {
    async run(step, rt) {
      const input = step.input as {
        backup: { path: string; id: string };
        expectApplied: string[];
      };
      // The key the plan was made with, or none; a key that changed since is refused.
      const key = await reloadSigningKey(
        step.input.signing ? SigningKeyRefSchema.parse(step.input.signing) : null,
      );
      const plan = await restore(input.backup.path, rt.ctx.deployment, {
        stopApp: true,
        startApp: false,
        signingKey: key ? signingKeySourceOf(key.ref) : undefined,
      });
      const result = await runRestoreWithin(rt.ctx.deployment, plan, {
        onEvent: (e) => {
          if (e.type === 'progress')
            rt.emit({ type: 'progress', step: step.id, phase: 'restore', current: e.bytes });
        },
      });
      await requireApplied(
        rt.ctx.deployment,
        rt.ctx.secrets,
        input.expectApplied,
        `restoring backup ${input.backup.id}`,
      );
      return { previousDatabase: result.previousDatabase };
    },
  },

  'migrator-rollback': {
    async run(step, rt) {
      const input = step.input as {
        image: string;
        toVersion: string;
        expectApplied: string[];
        shipped: string[];
      };
      const toVersion = requireEctoVersion(input.toVersion, input.shipped);
      const like = await rt.ctx.deployment.app();
      const output = await runMigratorRollback(rt.ctx.deployment, {
        image: input.image,
        toVersion,
        like,
        secrets: rt.ctx.secrets,
        signal: rt.signal,
      });
      await requireApplied(
        rt.ctx.deployment,
        rt.ctx.secrets,
        input.expectApplied,
        `the migrator rollback to ${toVersion}`,
      );
      return { reverted: output.match(/== Migrated \d{14}/g)?.length ?? 0 };
    },
  },

  'restore-files': {
    async run(step) {
      const kept = step.input.kept as KeptFile[];
      // Newest hop first: the last copies written are the oldest hop's originals.
      const restored: string[] = [];
      for (const k of kept) restored.push(...(await restoreKept([k])));
      return { restored };
    },
  },

  'old-image': {
    async run(step, rt) {
      const oldImage = step.input.oldImage as { reference: string; id: string };
      await pointAtOldImage(rt.ctx.deployment, oldImage, (m) =>
        rt.emit({ type: 'log', step: step.id, level: 'info', message: m }),
      );
      return { imageId: oldImage.id };
    },
  },

  'start-old': {
    async run(step, rt) {
      const version = String(step.input.version);
      await startOld(rt.ctx.deployment, {
        files: rt.ctx.files,
        service: rt.ctx.plan.appService,
        secrets: rt.ctx.secrets,
        healthTimeoutMs: rt.ctx.plan.healthTimeoutMs,
        version,
        signal: rt.signal,
        driver: rt.ctx.plan.driver,
        log: (m) => rt.emit({ type: 'log', step: step.id, level: 'info', message: m }),
      });
      return { version };
    },
  },

  'record-rollback': {
    async run(step, rt) {
      const hops = step.input.hops as { planId: string; index: number }[];
      for (const h of hops) {
        await appendRolledBack(rt.ctx.plan.stateDir, rt.ctx.plan.project, {
          ...h,
          at: new Date().toISOString(),
          run: rt.ctx.runId,
        });
      }
      return { hops: hops.length };
    },
  },
};
