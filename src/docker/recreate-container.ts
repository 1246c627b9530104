import { UpgradeError } from '../errors';
import type { DockerPort, DockerRecreatePort } from './docker-port';
import { type ReplacementTarget, replacementSpec } from './replacement-spec';

export type RecreatePort = Pick<DockerPort, 'stop' | 'start'> & DockerRecreatePort;

export interface RecreateOptions {
  /** Seconds Docker gives the old container to stop. @default its own stop timeout, else 10 */
  stopTimeoutSeconds?: number;
  log?: (message: string) => void;
  /** Applied to Docker's error text before it goes into an error (it may quote the environment). */
  redact?: (text: string) => string;
}

export interface RecreateOutcome {
  /** The new container, now under the old one's name. */
  id: string;
  name: string;
  /** The container it replaced (removed). */
  replaced: string;
}

/** Where the new container waits, created, while the old one still serves (compose names it the same way). */
export function waitingName(oldId: string, name: string): string {
  return `${oldId.slice(0, 12)}_${name}`;
}

/** Where the old container steps aside, stopped, until the new one has started. */
export function asideName(oldId: string, name: string): string {
  return `${oldId.slice(0, 12)}_replaced_${name}`;
}

/**
 * Replaces container `currentId` by a twin running `target`, the way compose recreates a service:
 * the new container is created (under a waiting name) while the old one keeps serving, then the old one
 * is stopped (its own stop signal and grace period) and the new one starts at once, still under its
 * waiting name: the old one's port is free the moment its stop returns, and the two renames that swap
 * the names cost the app nothing once it boots. Only then is the old one removed (its volumes stay: the
 * new one mounts them). A failure before the stop leaves the old container as it was; a failed start or
 * swap removes the new one, puts the old one back under its name and starts it again.
 *
 * @throws UpgradeError `RECREATE_FAILED`, saying what was left as it was.
 */
export async function recreateContainer(
  docker: RecreatePort,
  currentId: string,
  target: ReplacementTarget,
  opts: RecreateOptions = {},
): Promise<RecreateOutcome> {
  const log = opts.log ?? (() => undefined);
  const failed = failure(opts.redact ?? ((t) => t));
  const old = await docker.containerSettings(currentId);
  const name = old.name;
  const untouched = old.running
    ? `${name} was not touched and keeps running`
    : `${name} was not touched (it was not running)`;
  const imageVolumes = await docker.imageVolumes(target.image);
  if (imageVolumes === null) {
    throw failed(
      `${target.image} is not in the local image store`,
      untouched,
      'Pull the image, then run again',
    );
  }
  const spec = replacementSpec(old, target, { name: waitingName(old.id, name), imageVolumes });
  let created: string;
  try {
    created = await docker.createContainer(spec);
  } catch (err) {
    throw failed(`Could not create the new ${name} container`, untouched, undefined, err);
  }
  log(`created ${spec.name} from ${target.image}`);
  if (old.running) {
    try {
      await docker.stop(old.id, opts.stopTimeoutSeconds ?? stopTimeoutOf(old.config));
    } catch (err) {
      const removed = await attempt(() => docker.removeContainerKeepVolumes(created));
      throw failed(
        `Could not stop ${name} to replace it`,
        `The new container was ${removed ? 'removed' : `not removed (${spec.name})`}; check that ${name} still runs`,
        undefined,
        err,
      );
    }
    log(`stopped ${name} (${old.id.slice(0, 12)})`);
  }
  let aside = false;
  try {
    // Downtime runs from the stop to the new app's first answer: nothing but the start goes between.
    await docker.start(created);
    log(`running ${spec.name}, which takes the name ${name} next`);
    await docker.renameContainer(old.id, asideName(old.id, name));
    aside = true;
    await docker.renameContainer(created, name);
  } catch (err) {
    throw failed(
      `The new ${name} container did not start`,
      await putBack(docker, { oldId: old.id, created, name, aside, wasRunning: old.running }),
      'Read the Docker error; fix its cause (a port in use, a mount, the image), then run again',
      err,
    );
  }
  log(`started ${name} (${created.slice(0, 12)}) in place of ${old.id.slice(0, 12)}`);
  const removed = await attempt(() => docker.removeContainerKeepVolumes(old.id));
  if (!removed)
    log(`could not remove the replaced container ${asideName(old.id, name)}; a re-run removes it`);
  return { id: created, name, replaced: old.id };
}

/** Undoes a swap that did not start: the new container goes, the old one gets its name back and runs. */
async function putBack(
  docker: RecreatePort,
  s: { oldId: string; created: string; name: string; aside: boolean; wasRunning: boolean },
): Promise<string> {
  const problems: string[] = [];
  const step = async (what: string, fn: () => Promise<void>) => {
    const error = await attempt(fn, true);
    if (error) problems.push(`${what}: ${(error as Error).message}`);
  };
  await step('removing the new container', () => docker.removeContainerKeepVolumes(s.created));
  if (s.aside)
    await step(`renaming the old container back to ${s.name}`, () => docker.renameContainer(s.oldId, s.name));
  if (s.wasRunning) await step(`starting ${s.name} again`, () => docker.start(s.oldId));
  if (problems.length) {
    return `Putting the old container back failed: ${problems.join('; ')}. It is ${s.oldId.slice(0, 12)}; start it with docker start`;
  }
  return s.wasRunning
    ? `The old ${s.name} container was put back under its name and runs again`
    : `The old ${s.name} container was put back under its name (it was not running)`;
}

/**
 * Tidies what an interrupted replacement left among one service's containers, so a re-run starts from
 * one container under the service's name: a waiting container that never started is removed; one that
 * runs (interrupted between its start and the renames) is the service now: the stopped old one goes and
 * it takes the name; an old one renamed aside gets its name back unless the new one under that name
 * runs (then the old one goes). Returns the container to replace, or null when the service has none.
 */
export async function settleReplacement(
  docker: RecreatePort,
  containers: readonly { id: string; name: string; running: boolean }[],
  log: (message: string) => void = () => undefined,
): Promise<string | null> {
  const asideOf = (n: string) => /^[0-9a-f]{12}_replaced_(.+)$/.exec(n)?.[1];
  const waitingOf = (n: string) => (asideOf(n) ? undefined : /^[0-9a-f]{12}_(.+)$/.exec(n)?.[1]);
  let left = [...containers];
  for (const c of containers.filter((x) => waitingOf(x.name) !== undefined && x.running)) {
    const name = waitingOf(c.name)!;
    const olds = left.filter((o) => o !== c && (o.name === name || asideOf(o.name) === name));
    if (olds.some((o) => o.running)) continue; // the old one serves again: the waiting one goes below
    for (const o of olds) {
      log(`removing ${o.name} (${o.id.slice(0, 12)}): ${c.name} already runs in its place`);
      await docker.removeContainerKeepVolumes(o.id);
    }
    await docker.renameContainer(c.id, name);
    left = [...left.filter((o) => o !== c && !olds.includes(o)), { ...c, name }];
  }
  let plain = left.filter((c) => !asideOf(c.name) && waitingOf(c.name) === undefined);
  for (const c of left.filter((x) => waitingOf(x.name) !== undefined)) {
    log(
      `removing ${c.name}, left ${c.running ? 'running beside the old container' : 'created'} by an interrupted replacement`,
    );
    await docker.removeContainerKeepVolumes(c.id);
  }
  for (const c of left.filter((x) => asideOf(x.name))) {
    const name = asideOf(c.name)!;
    const taken = plain.find((p) => p.name === name);
    if (taken?.running) {
      log(`removing ${c.name}: ${name} already runs in its place`);
      await docker.removeContainerKeepVolumes(c.id);
      continue;
    }
    if (taken) {
      log(`removing ${name} (${taken.id.slice(0, 12)}), which never started, and putting ${c.name} back`);
      await docker.removeContainerKeepVolumes(taken.id);
      plain = plain.filter((p) => p !== taken);
    }
    await docker.renameContainer(c.id, name);
    plain.push({ ...c, name });
  }
  return (plain.find((c) => c.running) ?? plain[0])?.id ?? null;
}

function stopTimeoutOf(config: Record<string, unknown>): number {
  return typeof config.StopTimeout === 'number' ? config.StopTimeout : 10;
}

/** Runs a clean-up step; true when it worked (or the error itself with `returnError`). */
async function attempt(fn: () => Promise<void>): Promise<boolean>;
async function attempt(fn: () => Promise<void>, returnError: true): Promise<unknown>;
async function attempt(fn: () => Promise<void>, returnError = false): Promise<unknown> {
  try {
    await fn();
    return returnError ? undefined : true;
  } catch (err) {
    return returnError ? err : false;
  }
}

function failure(redact: (text: string) => string) {
  return (message: string, unchanged: string, hint?: string, cause?: unknown): UpgradeError => {
    const detail =
      cause instanceof Error
        ? `: ${redact(cause instanceof UpgradeError ? cause.summary : cause.message)}`
        : '';
    return new UpgradeError('RECREATE_FAILED', {
      message: `${message}${detail}`,
      unchanged,
      hint: hint ?? 'Read the Docker error, fix its cause, then run again',
      cause,
    });
  };
}
