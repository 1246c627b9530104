import { parseImageReference } from '../compose/image-reference';

/** Docker Hub's registry, where a reference without a registry part (`postgres:18`) is pulled from. */
const DOCKER_HUB = 'docker.io';

/** The registry a reference is pulled from: `127.0.0.1:5000/engram-app/engram:1.0.0` → `127.0.0.1:5000`. */
export function registryOf(reference: string): string {
  return parseImageReference(reference).registry ?? DOCKER_HUB;
}

/** Docker talks plain HTTP to a registry on loopback without being told to, and HTTPS to any other. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The URLs whose answer shows a registry is there: its API root, in the schemes Docker would try. */
export function registryProbeUrls(registry: string): string[] {
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  return isLoopbackRegistry(registry)
    ? [`http://${host}/v2/`]
    : [`https://${host}/v2/`, `http://${host}/v2/`];
}

/**
 * Whether the registry answers at all: any HTTP status counts (401 from a registry that wants a login
 * is an answer); a refused connection, a timeout or a failed name lookup does not. Returns why not.
 */
export async function probeRegistry(
  registry: string,
  timeoutMs = 5000,
): Promise<{ answers: true } | { answers: false; reason: string }> {
  let reason = 'no answer';
  for (const url of registryProbeUrls(registry)) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
      return { answers: true };
    } catch (err) {
      reason = `${url}: ${describeFetchFailure(err)}`;
    }
  }
  return { answers: false, reason };
}

function describeFetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((err as Error).name === 'TimeoutError') return 'timed out';
  return cause?.message ?? (err as Error).message ?? String(err);
}
