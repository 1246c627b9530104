import { runRestoreWithin } from '../backup/execute-restore';
import { restore } from '../backup/plan-restore';
import type { ComposeProjectFiles } from '../compose/compose-cli';
import type { Deployment } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';
import { awaitHealthy } from '../upgrade/await-app';
import { readApplied } from '../upgrade/deployment-state';
import type { HopRecord } from '../upgrade/hop-record';
import { restoreKept } from '../upgrade/kept-files';
import { type RecreateDriver, recreateApp } from '../upgrade/recreate-app';
import { runMigratorRollback } from './migrator-rollback';

/** What reverting a hop needs; a `HopRecord`, or the part of it a failed hop got to. */
export type RevertInput = Pick<
  HopRecord,
  'from' | 'oldImage' | 'preApplied' | 'shipped' | 'backup' | 'kept'
> & {
  newImage: { id: string } | null;
};

export type RevertStrategy = 'migrator' | 'restore' | 'nothing';

/**
 * How the migrations a hop applied are undone, from facts: nothing when none was applied; the
 * migrator when every applied one is reversible in the new image; the backup otherwise.
 */
export function revertStrategy(
  input: RevertInput,
  appliedNow: readonly string[],
): {
  strategy: RevertStrategy;
  toRevert: string[];
  why: string;
} {
  const before = new Set(input.preApplied);
  const toRevert = appliedNow.filter((v) => !before.has(v));
  const missing = input.preApplied.filter((v) => !appliedNow.includes(v));
  if (missing.length) {
    return {
      strategy: 'restore',
      toRevert,
      why: `migrations applied before the hop are gone (${missing.join(', ')})`,
    };
  }
  if (toRevert.length === 0) return { strategy: 'nothing', toRevert, why: 'no new migration was committed' };
  const shipped = new Map(input.shipped.map((m) => [m.version, m]));
  const unknown = toRevert.filter((v) => !shipped.has(v));
  const oneWay = toRevert.filter((v) => shipped.get(v)?.irreversible);
  if (!input.newImage) return { strategy: 'restore', toRevert, why: 'the new image is not known' };
  if (unknown.length) {
    return { strategy: 'restore', toRevert, why: `${unknown.join(', ')} are not in the new image's files` };
  }
  if (oneWay.length)
    return {
      strategy: 'restore',
      toRevert,
      why: `${oneWay.join(', ')} cannot be reverted (rollback-irreversible)`,
    };
  // `down, to: V` reverts every applied version >= V: an older-numbered file applied by this hop would
  // take later migrations from before the hop with it.
  const lowest = [...toRevert].sort()[0]!;
  const caught = input.preApplied.filter((v) => v > lowest);
  if (caught.length) {
    return {
      strategy: 'restore',
      toRevert,
      why: `the migrator's rollback to ${lowest} would also revert ${caught.join(', ')}, applied before the hop`,
    };
  }
  return {
    strategy: 'migrator',
    toRevert,
    why: `every applied migration (${toRevert.join(', ')}) is reversible in the new image`,
  };
}

export interface RevertOptions {
  files: ComposeProjectFiles;
  secrets: SecretSet;
  service: string;
  healthTimeoutMs: number;
  /** Force a strategy; by default it comes from the facts. */
  strategy?: 'migrator' | 'restore';
  /** Start the old version and wait for it (false when an earlier hop is reverted next). */
  startOld: boolean;
  /** How the old version's container is recreated. @default 'compose' */
  driver?: RecreateDriver;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * Takes the deployment back from a hop: stop the app, revert what the hop applied (migrator from the
 * NEW image, or the pre-hop backup), put the kept config back byte for byte, point the old reference
 * at the old image id (its tag may have moved), start it and wait for the old version. Idempotent:
 * every part is decided from what is there now, so a re-run after a crash finishes the job.
 */
export async function revertHop(
  dep: Deployment,
  input: RevertInput,
  opts: RevertOptions,
): Promise<{ strategy: RevertStrategy; why: string }> {
  const log = opts.log ?? (() => undefined);
  const app = await dep.findApp();
  // Compose can fail before it touches the container (a network, a port, a config error): then the
  // old version still runs on its own image and nothing was migrated, so it is left running and only
  // the config goes back.
  if (app?.running && app.status === 'running' && app.imageId === input.oldImage.id) {
    const applied = await readApplied(dep, await dep.db(), opts.secrets);
    if (revertStrategy(input, applied).strategy === 'nothing') {
      const restored = await restoreKept(input.kept);
      if (restored.length) log(`put back ${restored.join(', ')}; ${app.name} kept running ${input.from}`);
      return { strategy: 'nothing', why: `${app.name} was never replaced and nothing was migrated` };
    }
  }
  if (app?.running) {
    log(`stopping ${app.name}`);
    await dep.docker.stop(app.id, 30);
  }
  const db = await dep.db();
  const applied = await readApplied(dep, db, opts.secrets);
  const decided = revertStrategy(input, applied);
  let strategy = opts.strategy && decided.strategy !== 'nothing' ? opts.strategy : decided.strategy;
  if (strategy === 'migrator' && decided.strategy === 'restore' && opts.strategy === 'migrator') {
    throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
      message: `The migrator cannot revert this hop: ${decided.why}`,
      unchanged: 'The app is stopped; nothing else was changed',
      hint: 'Roll back by restoring the backup taken before the hop',
    });
  }
  if (strategy === 'migrator') {
    const like = app ?? (await dep.app());
    const toVersion = decided.toRevert[0]!;
    log(`reverting ${decided.toRevert.length} migration(s) from ${toVersion} with the new image's migrator`);
    try {
      await runMigratorRollback(dep, {
        image: input.newImage!.id,
        toVersion,
        like,
        secrets: opts.secrets,
        signal: undefined,
      });
      await requireApplied(dep, opts.secrets, input.preApplied, 'the migrator rollback');
    } catch (err) {
      if (!input.backup) throw err;
      log(`the migrator rollback failed (${(err as Error).message}); restoring the backup instead`);
      strategy = 'restore';
    }
  }
  if (strategy === 'restore') {
    if (!input.backup) {
      throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
        message: `Reverting needs the backup taken before the hop (${decided.why}), and the hop took none`,
        unchanged: 'The app is stopped; the database and config were not changed',
        hint: 'Restore a backup of the database from before the upgrade with executeRestore, then start the old version',
      });
    }
    log(`restoring backup ${input.backup.id}`);
    const plan = await restore(input.backup.path, dep, { stopApp: true, startApp: false });
    await runRestoreWithin(dep, plan);
    await requireApplied(dep, opts.secrets, input.preApplied, 'restoring the backup');
  }
  const restored = await restoreKept(input.kept);
  if (restored.length) log(`put back ${restored.join(', ')}`);
  await pointAtOldImage(dep, input.oldImage, log);
  if (!opts.startOld) return { strategy, why: decided.why };
  log(`starting ${input.from}`);
  await startOld(dep, { ...opts, version: input.from });
  return { strategy, why: decided.why };
}

/**
 * Makes the old reference resolve to the old image id again. Tags move (Engram re-pushes `X.Y.Z`) and
 * can be pruned: the id is what the hop replaced.
 */
export async function pointAtOldImage(
  dep: Deployment,
  oldImage: { reference: string; id: string },
  log: (m: string) => void = () => undefined,
): Promise<void> {
  const old = await dep.docker.inspectImage(oldImage.id);
  if (!old) {
    throw new UpgradeError('ROLLBACK_UNAVAILABLE', {
      message: `The old image ${oldImage.id} (${oldImage.reference}) is no longer in the local image store`,
      unchanged: 'The database and the config are back as they were before the hop; the app is stopped',
      hint: `Pull an image with that id again (docker pull ${oldImage.reference} if the tag still points at it), then run the rollback again`,
    });
  }
  if (/@sha256:/.test(oldImage.reference)) return;
  const current = await dep.docker.inspectImage(oldImage.reference);
  if (current?.id !== oldImage.id) {
    log(`${oldImage.reference} points elsewhere now; tagging ${oldImage.id.slice(7, 19)} as it again`);
    await dep.docker.tagImage(oldImage.id, oldImage.reference);
  }
}

/**
 * Starts the app as its (restored) compose files describe it, never pulling (the old image is local),
 * and waits for `version`.
 */
export async function startOld(
  dep: Deployment,
  opts: {
    files: ComposeProjectFiles;
    service: string;
    secrets: SecretSet;
    healthTimeoutMs: number;
    version: string;
    signal?: AbortSignal;
    /** @default 'compose' */
    driver?: RecreateDriver;
    log?: (message: string) => void;
  },
): Promise<void> {
  await recreateApp(dep, {
    driver: opts.driver ?? 'compose',
    files: opts.files,
    service: opts.service,
    secrets: opts.secrets,
    pull: 'never',
    log: opts.log,
  });
  const started = await dep.app();
  await awaitHealthy(dep, {
    containerId: started.id,
    version: opts.version,
    buildSha: null,
    deadlineMs: opts.healthTimeoutMs,
    signal: opts.signal ?? new AbortController().signal,
    secrets: opts.secrets,
  });
}

/** Fails unless schema_migrations holds exactly `expected`. */
export async function requireApplied(
  dep: Deployment,
  secrets: SecretSet,
  expected: readonly string[],
  what: string,
): Promise<void> {
  const after = await readApplied(dep, await dep.db(), secrets);
  if (after.join(',') !== expected.join(',')) {
    const extra = after.filter((v) => !expected.includes(v));
    const missing = expected.filter((v) => !after.includes(v));
    throw new UpgradeError('ROLLBACK_FAILED', {
      message: `After ${what} schema_migrations does not match the record from before the hop (${extra.length ? `still applied: ${extra.join(', ')}` : ''}${extra.length && missing.length ? '; ' : ''}${missing.length ? `missing: ${missing.join(', ')}` : ''})`,
    });
  }
}
