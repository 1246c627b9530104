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

/**
 * Reads `/api/health` (or `/deep`) from inside the app container with the image's own curl, so it works
 * whether or not the port is published and wherever the engine runs.
 */
export async function readHealth(
  docker: DockerPort,
  container: { id: string; env: string[] },
  path: '/api/health' | '/api/health/deep' = '/api/health',
): Promise<HealthReading> {
  const port = envMap(container.env).PORT || '4000';
  const r = await docker
    .exec(container.id, {
      cmd: ['curl', '-s', '-m', '3', '-w', '\n%{http_code}', `http://localhost:${port}${path}`],
    })
    .catch((err: unknown) => ({ exitCode: -1, stdout: '', stderr: String((err as Error).message ?? err) }));
  const lines = r.stdout.trimEnd().split('\n');
  const status = Number(lines.pop() ?? '0') || 0;
  if (status === 0) return { status, body: null, error: r.stderr.trim() || `curl exited ${r.exitCode}` };
  let body: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(lines.join('\n')) as unknown;
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status, body };
}
