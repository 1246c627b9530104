import { setTimeout as delay } from 'node:timers/promises';
import { ident, literal, type PsqlTarget, psqlQuery } from '../db/psql';
import type { Deployment } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import type { Handlers } from '../execute/step-runner';
import type { SecretSet } from '../secrets';
import { startAppStep, stopAppStep } from './app-container-steps';
import type { BackupEventHandler } from './backup-events';
import { ContainerDir } from './container-dir';
import { checkFiles, loadSignedManifest } from './load-manifest';
import type { BackupManifest } from './manifest';
import { databaseComment, databaseOid, readContents, restoreInto } from './restore-into';
import type { RestorePlan } from './restore-plan';
import { reloadSigningKey } from './signing-key';
import { compareWithManifest } from './table-counts';

/** What the restore handlers share for one run. */
export interface RestoreCtx {
  deployment: Deployment;
  plan: RestorePlan;
  secrets: SecretSet;
  emit: BackupEventHandler;
  /** psql as the plan's user on the maintenance database, in the target's Postgres container. */
  admin: PsqlTarget;
  /** The manifest the `check` step loaded (and, with a key, authenticated) in this process. */
  manifest?: BackupManifest;
}

/** The comment a restore puts on its staging database: how a later run knows the database is its own. */
export function stagingMarker(plan: RestorePlan): string {
  return `engram-upgrade restore ${plan.id} of backup ${plan.backup.id}`;
}

async function manifestOf(ctx: RestoreCtx): Promise<BackupManifest> {
  if (ctx.manifest) return ctx.manifest;
  const { plan } = ctx;
  // The signature is checked again with the key the plan names, over the manifest used below.
  const { manifest } = await loadSignedManifest(plan.backup.dir, await reloadSigningKey(plan.signing));
  if (manifest.id !== plan.backup.id) {
    throw new UpgradeError('RESTORE_FAILED', {
      message: `${plan.backup.dir} holds backup ${manifest.id}, not ${plan.backup.id} as planned`,
      unchanged: 'Nothing was changed',
      hint: 'Plan the restore again',
    });
  }
  await checkFiles(plan.backup.dir, manifest);
  ctx.manifest = manifest;
  return manifest;
}

/** Drops the staging database if it is this run's: it carries this plan's mark. */
async function dropOwnStaging(ctx: RestoreCtx): Promise<void> {
  const { admin, plan } = ctx;
  if ((await databaseComment(admin, plan.stagingDatabase)) !== stagingMarker(plan)) return;
  await psqlQuery(
    admin,
    `DROP DATABASE ${ident(plan.stagingDatabase)} WITH (FORCE)`,
    `drop ${plan.stagingDatabase}`,
  );
}

async function swapDatabases(admin: PsqlTarget, plan: RestorePlan, back: boolean): Promise<void> {
  const live = plan.target.database;
  const sql = back
    ? `BEGIN; ALTER DATABASE ${ident(live)} RENAME TO ${ident(plan.stagingDatabase)}; ALTER DATABASE ${ident(plan.previousDatabase)} RENAME TO ${ident(live)}; COMMIT;`
    : `BEGIN; ALTER DATABASE ${ident(live)} RENAME TO ${ident(plan.previousDatabase)}; ALTER DATABASE ${ident(plan.stagingDatabase)} RENAME TO ${ident(live)}; COMMIT;`;
  // Sessions still connected (a psql, a straggling pool) block the rename; end them, then rename, in
  // one psql process, and retry briefly when one connected again in between.
  for (let attempt = 0; ; attempt++) {
    try {
      await psqlQuery(
        admin,
        [
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${literal(live)} AND pid <> pg_backend_pid()`,
          sql,
        ],
        back ? 'swap the previous database back' : 'swap the restored database in',
      );
      return;
    } catch (err) {
      if (attempt >= 10) throw err;
      await delay(300);
    }
  }
}

/**
 * The restore executor's steps. Until `swap` the target database is untouched; `swap` is one
 * transaction, and its undo (one transaction too) puts the previous database back.
 */
export const restoreHandlers: Handlers<RestoreCtx> = {
  'restore.check': {
    async run(_step, rt) {
      const manifest = await manifestOf(rt.ctx);
      return { backup: manifest.id, files: manifest.files.length };
    },
  },

  'restore.stop-app': stopAppStep,

  'restore.staging': {
    async run(_step, rt) {
      const { ctx } = rt;
      const { plan, admin } = ctx;
      const manifest = await manifestOf(ctx);
      // A resumed run starts the staging database again from nothing.
      await dropOwnStaging(ctx);
      let oid: string | undefined;
      await restoreInto({
        docker: admin.docker,
        containerId: admin.containerId,
        user: plan.target.user,
        database: plan.stagingDatabase,
        backupDir: plan.backup.dir,
        manifest,
        marker: stagingMarker(plan),
        onCreated: (created) => {
          oid = created;
        },
        secrets: ctx.secrets,
        signal: rt.signal,
        onProgress: (bytes) => ctx.emit({ type: 'progress', phase: 'restore', bytes }),
      });
      const actual = await readContents(
        admin.docker,
        admin.containerId,
        plan.target.user,
        plan.stagingDatabase,
        ctx.secrets,
      );
      const diffs = compareWithManifest(
        { tables: manifest.tables, applied: manifest.migrations.applied },
        actual,
      );
      if (diffs.length) {
        throw new UpgradeError('RESTORE_FAILED', {
          message: `The restored data does not match backup ${manifest.id}: ${diffs.slice(0, 5).join('; ')}`,
        });
      }
      return { oid: oid ?? null };
    },
    async undo(_step, _out, rt) {
      // Only the database carrying this plan's mark is dropped, never one whose name merely matches.
      await dropOwnStaging(rt.ctx);
      // A copy of the dump a killed run left in the Postgres container goes too.
      const { admin, plan } = rt.ctx;
      await ContainerDir.removeLeftovers(admin.docker, admin.containerId, plan.stagingDatabase);
    },
  },

  'restore.swap': {
    async run(_step, rt) {
      const { admin, plan } = rt.ctx;
      // Killed after the swap committed, before it was journalled: it is done, not to be redone.
      if ((await databaseOid(admin, plan.previousDatabase)) === plan.target.databaseOid) return null;
      await swapDatabases(admin, plan, false);
      return null;
    },
    async undo(_step, _out, rt) {
      const { admin, plan } = rt.ctx;
      // Swapped only if the replaced database (by its OID from the plan) now has the kept name.
      if ((await databaseOid(admin, plan.previousDatabase)) !== plan.target.databaseOid) return;
      await swapDatabases(admin, plan, true);
    },
  },

  'restore.drop-previous': {
    async run(_step, rt) {
      const { admin, plan } = rt.ctx;
      // By identity: the database the swap replaced (its OID from the plan), never another of that name.
      const rows = await psqlQuery(
        admin,
        `SELECT datname FROM pg_database WHERE oid = ${literal(plan.target.databaseOid)}::oid`,
        'find the replaced database',
      );
      const name = rows[0]?.[0];
      if (name === undefined) return { dropped: plan.previousDatabase }; // a killed run already dropped it
      if (name !== plan.previousDatabase) {
        throw new UpgradeError('RESTORE_FAILED', {
          message: `The replaced database (OID ${plan.target.databaseOid}) is now named ${name}, not ${plan.previousDatabase}; it was not dropped`,
          hint: `Check ${name} and drop it yourself once you know what it is`,
        });
      }
      await psqlQuery(
        admin,
        `DROP DATABASE ${ident(plan.previousDatabase)}`,
        `drop ${plan.previousDatabase}`,
      );
      return { dropped: plan.previousDatabase };
    },
  },

  'restore.start-app': startAppStep,
};
