import type { DockerPort } from '../docker/docker-port';
import { envMap } from '../docker/env-entries';

/** One reading of an Engram health endpoint. */
export interface HealthReading {
  /** HTTP status; 0 when nothing answered. */
  status: number;
  body: Record<string, unknown> | null;
  /** Why nothing answered, when status is 0. */
  error?: string;
}

export type HealthPath = '/api/health' | '/api/health/deep';

/** curl's options for one reading: silent, 3 s at most, the status on a line of its own after the body. */
export const CURL_HEALTH_OPTIONS = ['-s', '-m', '3', '-w', '\n%{http_code}'];

/**
 * Reads `/api/health` (or `/deep`) from inside the app container with the image's own curl, so it works
 * whether or not the port is published and wherever the engine runs.
 */
export async function readHealth(
  docker: DockerPort,
  container: { id: string; env: string[] },
  path: HealthPath = '/api/health',
): Promise<HealthReading> {
  const port = envMap(container.env).PORT || '4000';
  const r = await docker
    .exec(container.id, { cmd: ['curl', ...CURL_HEALTH_OPTIONS, `http://localhost:${port}${path}`] })
    .catch((err: unknown) => ({ exitCode: -1, stdout: '', stderr: String((err as Error).message ?? err) }));
  return healthReading(r.stdout, () => r.stderr.trim() || `curl exited ${r.exitCode}`);
}

/** A reading from curl's output (body, then the status line); `why` explains a status of 0. */
export function healthReading(curlOutput: string, why: () => string): HealthReading {
  const lines = curlOutput.trimEnd().split('\n');
  const status = Number(lines.pop() ?? '0') || 0;
  if (status === 0) return { status, body: null, error: why() };
  let body: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(lines.join('\n')) as unknown;
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status, body };
}
