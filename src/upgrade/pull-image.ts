import type { DockerPort, PullProgress } from '../docker/docker-port';
import { envMap } from '../docker/env-entries';
import { UpgradeError } from '../errors';

export interface PulledImage {
  reference: string;
  imageId: string;
  /** `sha256:…` of the manifest as the registry served it; null for an image never pushed. */
  digest: string | null;
  /** `RELEASE_SHA` baked into the image, which `/api/health` reports as `build_sha`. */
  releaseSha: string | null;
}

/** Pulls a reference and reads back what it resolved to. A failed pull leaves the deployment alone. */
export async function pullImage(
  docker: DockerPort,
  reference: string,
  opts: { signal?: AbortSignal; onProgress?: (p: PullProgress) => void } = {},
): Promise<PulledImage> {
  try {
    await docker.pullImage(reference, opts);
  } catch (err) {
    const detail = err instanceof UpgradeError ? err.summary : String(err);
    throw new UpgradeError(
      err instanceof UpgradeError && err.code === 'DOCKER_UNAVAILABLE' ? 'DOCKER_UNAVAILABLE' : 'PULL_FAILED',
      {
        message: `Could not pull ${reference}: ${detail}`,
        unchanged: 'Nothing was changed: the app still runs its current image',
        hint: 'Check that the tag exists in the registry and that the registry answers (docker pull), then run again',
        cause: err,
      },
    );
  }
  const image = await docker.inspectImage(reference);
  if (!image) {
    throw new UpgradeError('PULL_FAILED', {
      message: `${reference} was pulled but is not in the local image store`,
      unchanged: 'Nothing was changed',
      hint: 'Run again; if it repeats, check the engine (docker image ls)',
    });
  }
  const repo = reference.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '');
  const digestEntry = image.repoDigests.find((d) => d.startsWith(`${repo}@`)) ?? image.repoDigests[0];
  return {
    reference,
    imageId: image.id,
    digest: digestEntry ? digestEntry.slice(digestEntry.indexOf('@') + 1) : null,
    releaseSha: envMap(image.env).RELEASE_SHA || null,
  };
}
