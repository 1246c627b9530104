import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { errnoIn } from '../errors/errno';
import { run } from '../process/run-command';
import { engineUnavailable, imageMissing, registryUnreachable } from './image-errors';
import { probeRegistry, registryOf } from './registry-probe';
import { testbedError } from './testbed-error';

/**
 * Whether the engine has the image, telling an engine that does not answer apart from an image that
 * is not there (which is an answer).
 */
export async function lookUpImage(
  docker: Pick<DockerPort, 'inspectImage'>,
  reference: string,
): Promise<boolean> {
  try {
    return (await docker.inspectImage(reference)) !== null;
  } catch (err) {
    const silence = engineSilence(err);
    if (silence) throw engineUnavailable(`look for image ${reference}`, silence, err);
    throw testbedError(`look for image ${reference}`, err);
  }
}

/** Why the engine did not answer (`ECONNREFUSED` …), when that is what the error says; else undefined. */
export function engineSilence(err: unknown): string | undefined {
  const errno = errnoIn(err);
  if (errno) return errno;
  return err instanceof UpgradeError && err.code === 'DOCKER_UNAVAILABLE' ? 'no answer' : undefined;
}

/**
 * Makes an image present in the local store: pulled when it is missing or when `pull` asks for a fresh
 * copy. A failed pull is told apart by asking the registry itself: one that does not answer is
 * `TESTBED_REGISTRY_UNREACHABLE`, one that answers without the image `TESTBED_IMAGE_MISSING`; an engine
 * that does not answer is `DOCKER_UNAVAILABLE`. Pulls go through the docker command, so the user's
 * registry logins apply.
 */
export async function ensureImage(
  docker: Pick<DockerPort, 'inspectImage'>,
  reference: string,
  opts: { pull?: boolean } = {},
): Promise<'present' | 'pulled'> {
  const present = await lookUpImage(docker, reference);
  if (present && !opts.pull) return 'present';
  const pull = await run('docker', ['pull', '-q', reference], { allowFail: true }).catch((err: unknown) => {
    throw testbedError(
      `run 'docker pull ${reference}'`,
      err,
      'Install the docker command line (the compose plugin too)',
    );
  });
  if (pull.code === 0) return 'pulled';
  const registry = registryOf(reference);
  const reason = dockerReason(pull.stderr);
  const cause = new Error(`docker pull ${reference} exited ${pull.code}: ${pull.stderr.trim().slice(-1000)}`);
  const probe = await probeRegistry(registry);
  if (!probe.answers)
    throw registryUnreachable({ reference, registry, present, reason: probe.reason, cause });
  throw imageMissing({ reference, registry, present, reason, cause });
}

/** The daemon's own sentence, without its prefix: `manifest for … not found: manifest unknown`. */
function dockerReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines[lines.length - 1] ?? 'docker pull failed';
  return last.replace(/^Error response from daemon:\s*/i, '').slice(0, 300);
}
