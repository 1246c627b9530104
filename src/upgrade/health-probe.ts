import type { DockerPort } from '../docker/docker-port';
import { ExecSession } from '../docker/exec-session';
import { UpgradeError } from '../errors';
import {
  CURL_HEALTH_OPTIONS,
  type HealthPath,
  type HealthReading,
  healthReading,
  readHealth,
} from './app-health';

/**
 * Reads an app container's health again and again for the price of one `docker exec`: a shell loop in
 * the container runs the image's curl for each path it is sent and prints curl's exit code and a marker
 * after the reply. Where the loop cannot run (no shell in the image, the exec broke), each reading
 * falls back to its own `docker exec` of curl, which reports why it got no answer.
 */
export class HealthProbe implements AsyncDisposable {
  readonly #docker: DockerPort;
  readonly #container: { id: string; env: string[] };
  #session: ExecSession | undefined;

  constructor(docker: DockerPort, container: { id: string; env: string[] }) {
    this.#docker = docker;
    this.#container = container;
  }

  async read(path: HealthPath = '/api/health'): Promise<HealthReading> {
    this.#session ??= new ExecSession(
      this.#docker,
      this.#container.id,
      ['sh', '-c', HEALTH_LOOP, 'sh', ...CURL_HEALTH_OPTIONS],
      (stderr, cause) =>
        new UpgradeError('HEALTH_FAILED', {
          message: `The health reader in ${this.#container.id.slice(0, 12)} ended: ${stderr.trim() || 'it exited'}`,
          cause,
        }),
    );
    if (this.#session.open) {
      try {
        const reply = await this.#session.request((marker) => `${marker} ${path}\n`);
        const lines = reply.trimEnd().split('\n');
        const exit = lines.pop();
        return healthReading(lines.join('\n'), () => `curl exited ${exit}`);
      } catch {
        // The loop is only a cheaper way to ask: the reading below asks the usual way and says why not.
      }
    }
    return readHealth(this.#docker, this.#container, path);
  }

  async close(): Promise<void> {
    await this.#session?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Reads "<marker> <path>" lines until its input closes and asks curl (with the options it was given as
 * arguments) for each; `PORT` is the container's own, as for the app. The path is one argument to curl,
 * never evaluated by the shell.
 */
const HEALTH_LOOP = `while read -r marker path; do curl "$@" "http://localhost:\${PORT:-4000}$path"; printf '\\n%s\\n%s\\n' "$?" "$marker"; done`;
