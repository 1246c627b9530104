import { randomBytes } from 'node:crypto';
import { loadManifest } from '../backup/load-manifest';
import { readContents } from '../backup/restore-into';
import { loadSigningKey, type SigningKeySource } from '../backup/signing-key';
import { type Deployment, dbIdentityOf } from '../deployment/deployment';
import { InvalidInputError, UpgradeError } from '../errors';
import { bindingOf } from '../execute/plan-binding';
import { defaultStateDir } from '../execute/state-dir';
import type { ExecStep } from '../execute/step';
import { inspectDeployment } from '../upgrade/deployment-state';
import { type HopRecord, hopsInPlace, readHopHistory } from '../upgrade/hop-record';
import { chooseDriver, type RecreateDriverOption } from '../upgrade/recreate-driver';
import { requireEctoVersion } from './migrator-rollback';
import { revertStrategy } from './revert-hop';
import { type RollbackHop, type RollbackPlan, RollbackPlanSchema } from './rollback-plan';

export interface RollbackOptions {
  /** Where the upgrade recorded its hops. @default defaultStateDir() */
  stateDir?: string;
  /**
   * How far back: a number of recorded hops (newest first), the version to return to, or a backup a
   * recorded hop took (its directory): the deployment returns to where it was when that backup was
   * taken, by restoring it.
   * @default { hops: 1 }
   */
  to?: { hops: number } | { version: string } | { backup: string };
  /** The hop records to roll back instead of the state directory's history (e.g. `UpgradeResult.hops`). */
  records?: HopRecord[];
  /** Force a restore of the backup even where the migrator could revert. @default facts decide */
  strategy?: 'auto' | 'restore';
  /**
   * The migrator's version argument the caller expects for the newest hop (from a runbook, or Engram's
   * Preflight hint). It must be exactly one 14-digit version the new image ships, and the one that
   * reverts exactly what the hop applied (the lowest of them: `down, to:` is inclusive); anything else
   * is refused with the right value, before any change.
   */
  migratorVersion?: string;
  /** Agree up front that a restore discards what was written since its backup. @default false */
  acceptDataLoss?: boolean;
  /**
   * Check the signature of a backup the rollback restores (HMAC-SHA256 `manifest.sig`): an unsigned or
   * changed backup is then refused. The plan records where the key is and its id, never the key.
   */
  signingKey?: SigningKeySource;
  /** @default 120000 */
  healthTimeoutMs?: number;
  /** How the old version's container is recreated (see `ApplyUpgradeOptions.driver`). @default 'auto' */
  driver?: RecreateDriverOption;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Plans rolling back recorded hops, newest first. The strategy comes from facts: the migrator (from
 * the NEW image, inclusive `down, to:` the first migration the hop applied) when every migration the
 * hop applied is reversible; the hop's backup otherwise. A restore also undoes every later hop, so
 * their steps are left out. Changes nothing.
 */
export async function rollback(deployment: Deployment, options: RollbackOptions = {}): Promise<RollbackPlan> {
  const stateDir = options.stateDir ?? defaultStateDir();
  const inPlace = options.records ?? hopsInPlace(await readHopHistory(stateDir, deployment.project));
  if (inPlace.length === 0) {
    throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
      message: `No upgrade of ${deployment.project} is recorded in ${stateDir}, so there is nothing to roll back to`,
      unchanged: 'Nothing was changed',
      hint: "Pass the state directory the upgrade used (stateDir), or its UpgradeResult.hops (records). By hand: stop the app, run bin/engram eval 'Engram.Release.rollback(Engram.Repo, <first new migration>)' from the NEW image with --entrypoint /app/bin/engram (or restore the pre-upgrade backup), pin the old image and start it",
    });
  }
  const to = options.to ?? { hops: 1 };
  let count: number;
  let forceRestoreAt: HopRecord | null = null;
  if ('backup' in to) {
    const manifest = await loadManifest(to.backup);
    const at = inPlace.findIndex((h) => h.backup?.id === manifest.id);
    if (at < 0) {
      throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
        message: `Backup ${manifest.id} (Engram ${manifest.engram.version ?? 'unknown'}, head ${manifest.migrations.head ?? 'none'}) was not taken by a recorded hop of ${deployment.project} still in place, so there is no record of the config and image to return to with it`,
        unchanged: 'Nothing was changed',
        hint: `Restore it with restore() + executeRestore(), then point the app at ${manifest.engram.image} (image ${manifest.engram.imageId.slice(7, 19)}) and start it; or roll back recorded hops with to: { hops } / { version }`,
        backupId: manifest.id,
      });
    }
    count = inPlace.length - at;
    forceRestoreAt = inPlace[at]!;
  } else if ('hops' in to) {
    if (!Number.isInteger(to.hops) || to.hops < 1 || to.hops > inPlace.length) {
      throw new InvalidInputError({
        message: `to.hops must be a whole number from 1 to ${inPlace.length} (the hops recorded)`,
      });
    }
    count = to.hops;
  } else {
    const at = inPlace.findIndex((h) => h.from === to.version);
    if (at < 0) {
      throw new InvalidInputError({
        message: `No recorded hop starts at ${JSON.stringify(String(to.version).slice(0, 40))}; recorded: ${inPlace.map((h) => `${h.from} → ${h.to}`).join(', ')}`,
      });
    }
    count = inPlace.length - at;
  }
  const chosen = inPlace.slice(-count).reverse(); // newest first
  const state = await inspectDeployment(deployment);
  const newest = chosen[0]!;
  const target = chosen.at(-1)!;
  // The image to return to, by id (its tag may have moved or been pruned): gone means no way back.
  if (!(await deployment.docker.inspectImage(target.oldImage.id))) {
    throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
      message: `The image ${target.from} ran (${target.oldImage.reference}, id ${target.oldImage.id.slice(7, 19)}) is no longer in the local image store`,
      unchanged: 'Nothing was changed',
      hint: `Pull it again by digest or tag if the registry still has that build (docker pull ${target.oldImage.reference}, then check its id), and plan the rollback again`,
    });
  }
  if (state.app.imageId !== newest.newImage.id) {
    throw new UpgradeError('PLAN_STALE', {
      message: `The app runs image ${state.app.imageId.slice(7, 19)}, not ${newest.newImage.id.slice(7, 19)} that hop ${newest.from} → ${newest.to} left running`,
      unchanged: 'Nothing was changed',
      hint: 'The deployment changed after the upgrade: roll back by hand, or bring it back to that image first',
    });
  }
  if (options.migratorVersion !== undefined) {
    requireEctoVersion(
      options.migratorVersion,
      newest.shipped.map((m) => m.version),
    );
  }
  // Decide per hop, newest first, against the migrations applied now.
  let applied = state.applied;
  const decisions: RollbackHop[] = [];
  for (const h of chosen) {
    const d = revertStrategy({ ...h, newImage: h.newImage }, applied);
    const strategy =
      (options.strategy === 'restore' && h.backup) || h === forceRestoreAt ? 'restore' : d.strategy;
    const migratorVersion = strategy === 'migrator' ? (d.toRevert[0] ?? null) : null;
    if (
      h === newest &&
      options.migratorVersion !== undefined &&
      options.migratorVersion !== migratorVersion
    ) {
      throw new UpgradeError('INVALID_INPUT', {
        message:
          migratorVersion === null
            ? `migratorVersion ${options.migratorVersion} was given, but hop ${h.from} → ${h.to} is not undone by the migrator (${d.why})`
            : `migratorVersion ${options.migratorVersion} would not revert exactly what hop ${h.from} → ${h.to} applied (${d.toRevert.join(', ')}): Ecto's down, to: reverts every applied version from the one given, so it must be ${migratorVersion}`,
        unchanged: 'Nothing was changed',
        hint: migratorVersion
          ? `Pass ${migratorVersion}, or leave migratorVersion out`
          : 'Leave migratorVersion out',
        version: options.migratorVersion,
      });
    }
    const forced = strategy === 'restore' && d.strategy !== 'restore';
    decisions.push({
      planId: h.planId,
      index: h.index,
      from: h.from,
      to: h.to,
      strategy,
      why: forced
        ? `a restore was asked for (${h === forceRestoreAt ? 'its backup was named' : "strategy: 'restore'"}), though ${d.why}`
        : d.why,
      migratorVersion,
      reverts: d.toRevert,
    });
    applied = h.preApplied;
  }
  // A restore returns the database to before its hop: every later (newer) hop's revert is redundant.
  const restoreAt = decisions.map((d) => d.strategy).lastIndexOf('restore');
  for (let i = 0; i < restoreAt; i++) {
    decisions[i] = {
      ...decisions[i]!,
      strategy: 'covered-by-restore',
      migratorVersion: null,
      why: `the restore of the backup taken before ${chosen[restoreAt]!.from} → ${chosen[restoreAt]!.to} undoes it too`,
    };
  }
  for (const [i, d] of decisions.entries()) {
    if (d.strategy === 'restore' && !chosen[i]!.backup) {
      throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
        message: `Hop ${d.from} → ${d.to} can only be undone by restoring a backup (${d.why}), and it took none`,
        unchanged: 'Nothing was changed',
        hint: 'Restore a backup of the database from before that hop with executeRestore, then start the old image',
      });
    }
  }
  const restoring = restoreAt >= 0 ? chosen[restoreAt]! : null;
  const changedSinceBackup: Record<string, number> = {};
  if (restoring?.backup) {
    const manifest = await loadManifest(restoring.backup.path);
    const { user, database } = dbIdentityOf(state.db);
    const now = await readContents(deployment.docker, state.db.id, user, database, state.secrets);
    for (const [table, rows] of Object.entries(now.tables)) {
      // Migration bookkeeping is what the rollback reverts, not data someone wrote.
      if (table === 'public.schema_migrations') continue;
      const before = manifest.tables[table];
      if (before !== undefined && before !== rows) changedSinceBackup[table] = rows - before;
      if (before === undefined && rows > 0) changedSinceBackup[table] = rows;
    }
  }
  const needsConsent = Object.keys(changedSinceBackup).length > 0 && !options.acceptDataLoss;
  const created = (options.now ?? (() => new Date()))();
  const recreate = await chooseDriver(deployment, state.files, options.driver ?? 'auto', {
    appLabels: state.app.labels,
  });
  const steps: ExecStep[] = [];
  const g = 'rollback';
  steps.push({
    id: 'stop-app',
    kind: 'stop-app',
    group: g,
    action: `Stop ${state.app.name} (${newest.to})`,
    undo: `Start ${state.app.name} again`,
    input: {},
  });
  if (restoring?.backup) {
    steps.push({
      id: 'restore',
      kind: 'restore-backup',
      group: g,
      action: `Restore backup ${restoring.backup.id} (taken before ${restoring.from} → ${restoring.to}) through a staging database swapped in by rename; discards what was written since${
        Object.keys(changedSinceBackup).length
          ? ` (${Object.entries(changedSinceBackup)
              .map(([t, n]) => `${t} ${n > 0 ? '+' : ''}${n}`)
              .join(', ')})`
          : ''
      }`,
      irreversible: true,
      input: {
        backup: restoring.backup,
        signing: options.signingKey ? (await loadSigningKey(options.signingKey)).ref : null,
        expectApplied: restoring.preApplied,
        needsConsent,
        changedSinceBackup,
      },
    });
  }
  for (const [i, d] of decisions.entries()) {
    if (d.strategy !== 'migrator') continue;
    const h = chosen[i]!;
    steps.push({
      id: `migrator-${h.index}`,
      kind: 'migrator-rollback',
      group: g,
      action: `Revert ${d.reverts.join(', ')} with Engram.Release.rollback(Engram.Repo, ${d.migratorVersion}) from the ${h.to} image (${h.newImage.id.slice(7, 19)}) in a one-off container`,
      undo: `Migrate forward again by starting ${h.to}`,
      input: {
        image: h.newImage.id,
        toVersion: d.migratorVersion,
        expectApplied: h.preApplied,
        shipped: h.shipped.map((m) => m.version),
      },
    });
  }
  steps.push(
    {
      id: 'restore-files',
      kind: 'restore-files',
      group: g,
      action: `Put the compose files and the env file back as they were before ${target.from} → ${target.to}, byte for byte`,
      undo: 'Write the files the upgrade left back',
      input: { kept: chosen.flatMap((h) => h.kept) },
    },
    {
      id: 'old-image',
      kind: 'old-image',
      group: g,
      action: `Make ${target.oldImage.reference} resolve to image ${target.oldImage.id.slice(7, 19)} (the one ${target.from} ran)`,
      undo: 'Nothing to undo: a local tag',
      input: { oldImage: target.oldImage },
    },
    {
      id: 'start-old',
      kind: 'start-old',
      group: g,
      action:
        recreate.driver === 'compose'
          ? `Start ${target.from} with docker compose up -d ${deployment.appService} and wait for /api/health to report it`
          : `Recreate ${deployment.appService} on ${target.from} over the Engine API as compose would (${recreate.why}), every setting carried over, and wait for /api/health to report it`,
      undo: 'Stop it',
      input: { version: target.from },
    },
    {
      id: 'record',
      kind: 'record-rollback',
      group: g,
      action: `Record that ${chosen.length} hop(s) were rolled back`,
      undo: 'Nothing to undo',
      input: { hops: chosen.map((h) => ({ planId: h.planId, index: h.index })) },
    },
  );
  const warnings: string[] = [...recreate.warnings];
  if (needsConsent) {
    warnings.push(
      `The restore discards rows written since the backup (${Object.entries(changedSinceBackup)
        .map(([t, n]) => `${t} ${n > 0 ? '+' : ''}${n}`)
        .join(', ')}): executing needs acceptDataLoss: true or a confirmation.`,
    );
  }
  return RollbackPlanSchema.parse({
    kind: 'rollback',
    formatVersion: 1,
    id: `${deployment.project}-rollback-${created.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
    createdAt: created.toISOString(),
    project: deployment.project,
    appService: deployment.appService,
    from: newest.to,
    to: target.from,
    boundTo: bindingOf(state),
    compose: {
      workingDir: state.files.workingDir,
      configFiles: state.files.configFiles,
      envFile: state.files.envFile,
    },
    stateDir,
    healthTimeoutMs: options.healthTimeoutMs ?? 120_000,
    hops: decisions,
    driver: recreate.driver,
    data: {
      writesSinceUpgrade: restoring ? 'discarded' : 'kept',
      changedSinceBackup,
      needsConsent,
    },
    steps,
    warnings,
  } satisfies RollbackPlan);
}
