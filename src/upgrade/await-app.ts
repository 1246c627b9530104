import type { Deployment } from '../deployment/deployment';
import type { ContainerRecord } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import type { SecretSet } from '../secrets';
import { HealthProbe } from './health-probe';
import { PollWake } from './poll-wake';

/**
 * Fails when the app container is crash-looping: exited, restarting, or restarted since `baseline`
 * (`restart: unless-stopped` hides a crash loop behind "starting"; the restart count does not lie).
 */
export function crashed(c: ContainerRecord, baselineRestarts: number): string | null {
  if (c.restartCount > baselineRestarts)
    return `it restarted ${c.restartCount - baselineRestarts} time(s) (last exit code ${c.exitCode})`;
  if (c.status === 'restarting') return `it is restarting (last exit code ${c.exitCode})`;
  if (!c.running) return `it exited with code ${c.exitCode}`;
  return null;
}

/**
 * Reads a container's log from its start, line by line, for at most `limitMs` (the log of a running
 * container has no end) or until `onLine` returns true. Best effort: a read that breaks ends it, and
 * what was read is what the caller goes on.
 */
export async function readLog(
  dep: Deployment,
  containerId: string,
  limitMs: number,
  onLine: (line: string) => boolean,
): Promise<void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), limitMs);
  try {
    for await (const l of dep.docker.followLogs(containerId, { signal: ac.signal })) {
      if (onLine(l.line)) break;
    }
  } catch {
    // The log only explains or decorates an error the caller already has.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Follows a container's log in the background for a wait that is paced by it: each line goes to
 * `onLine` and pokes `wake`, and the log's end pokes it too (the container may have exited). The log
 * only paces and explains: a follow that breaks leaves the wait to its own checks. Call the returned
 * function to stop following.
 */
export function followLog(
  dep: Deployment,
  containerId: string,
  wake: PollWake,
  onLine: (line: string) => void = () => {},
): () => Promise<void> {
  const stop = new AbortController();
  const following = (async () => {
    try {
      for await (const l of dep.docker.followLogs(containerId, { signal: stop.signal })) {
        wake.poke();
        onLine(l.line);
      }
    } catch {
      // Without the log the wait asks at its slowest pace and reads the state it decides on.
    } finally {
      wake.poke();
    }
  })();
  return async () => {
    stop.abort();
    await following;
  };
}

/** The last lines of a container's log, redacted, for an error message. */
export async function logTail(
  dep: Deployment,
  containerId: string,
  secrets: SecretSet,
  lines = 6,
): Promise<string> {
  const out: string[] = [];
  await readLog(dep, containerId, 1500, (line) => {
    out.push(line);
    if (out.length > 400) out.splice(0, out.length - 200);
    return false;
  });
  return secrets.redact(
    out
      .filter((l) => l.trim())
      .slice(-lines)
      .join(' | '),
  );
}

export interface HealthGateInput {
  containerId: string;
  version: string;
  /** Expected `build_sha` when the image carries one. */
  buildSha: string | null;
  deadlineMs: number;
  signal: AbortSignal;
  secrets: SecretSet;
  onWait?: (detail: string) => void;
}

/**
 * Waits until `/api/health` reports the expected version (and build) and `/api/health/deep` is ok. A
 * slow start is waited for until the deadline; a crash loop fails at once.
 */
export async function awaitHealthy(
  dep: Deployment,
  input: HealthGateInput,
): Promise<{ version: string; buildSha: string | null }> {
  const start = await dep.docker.inspect(input.containerId);
  // A booting app logs as it goes: health is asked again after each new line (at most every 250 ms)
  // and at least every second, rather than every 250 ms while nothing happens.
  const wake = new PollWake();
  const stopFollowing = followLog(dep, input.containerId, wake);
  const probe = new HealthProbe(dep.docker, start);
  try {
    return await pollHealth(dep, input, start.restartCount, wake, probe);
  } finally {
    await stopFollowing();
    await probe.close();
  }
}

/** Asks the app for its health until it is the expected version and healthy, or the deadline passes. */
async function pollHealth(
  dep: Deployment,
  input: HealthGateInput,
  baselineRestarts: number,
  wake: PollWake,
  probe: HealthProbe,
): Promise<{ version: string; buildSha: string | null }> {
  const deadline = Date.now() + input.deadlineMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    throwIfAborted(input.signal, {
      message: `The wait for ${input.version} to become healthy was aborted`,
    });
    const c = await dep.docker.inspect(input.containerId);
    const dead = crashed(c, baselineRestarts);
    if (dead) {
      throw new UpgradeError('HEALTH_FAILED', {
        message: `${input.version} did not become healthy: ${dead}. Log: ${await logTail(dep, c.id, input.secrets)}`,
      });
    }
    const h = await probe.read();
    const version = typeof h.body?.version === 'string' ? h.body.version : null;
    const sha = typeof h.body?.build_sha === 'string' ? h.body.build_sha : null;
    if (h.status === 200 && version === input.version) {
      if (input.buildSha && sha && sha !== input.buildSha) {
        throw new UpgradeError('HEALTH_FAILED', {
          message: `The new container reports build ${sha}, but the pulled image was built from ${input.buildSha}: the tag moved between pull and start`,
        });
      }
      const deep = await probe.read('/api/health/deep');
      if (deep.status === 200) return { version, buildSha: sha };
      last = `/api/health/deep answered ${deep.status}`;
    } else {
      last =
        h.status === 0
          ? (h.error ?? 'no answer')
          : `/api/health answered ${h.status}${version ? ` with version ${version}` : ''}`;
    }
    input.onWait?.(last);
    await wake.wait(250, 1000, input.signal);
  }
  throw new UpgradeError('HEALTH_FAILED', {
    message: `${input.version} did not become healthy within ${Math.round(input.deadlineMs / 1000)} s (last: ${input.secrets.redact(last)})`,
  });
}
