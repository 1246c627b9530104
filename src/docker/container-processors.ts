import type { DockerPort } from './docker-port';

/**
 * Processors a container may use (`nproc` inside it); 1 when it cannot say. A guess at parallelism,
 * so an engine that does not answer here is not an error: the caller falls back to one job.
 */
export async function containerProcessors(
  docker: DockerPort,
  containerId: string,
  signal?: AbortSignal,
): Promise<number> {
  const r = await docker.exec(containerId, { cmd: ['nproc'], signal }).catch(() => undefined);
  return r?.exitCode === 0 ? parseProcessors(r.stdout) : 1;
}

/** What `nproc` printed as a count of processors; 1 for anything that is not a positive integer. */
export function parseProcessors(printed: string | undefined): number {
  const n = Number(printed?.trim());
  return Number.isInteger(n) && n > 0 ? n : 1;
}
