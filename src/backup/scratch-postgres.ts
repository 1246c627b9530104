import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';

export const SCRATCH_LABEL = 'engram-upgrade.scratch';

/**
 * A throwaway Postgres container from a given image (so the major version matches the source), used
 * for test restores. Reached only through `docker exec`; it publishes no port and joins no network.
 */
export class ScratchPostgres implements AsyncDisposable {
  readonly docker: DockerPort;
  readonly containerId: string;
  readonly user: string;

  private constructor(docker: DockerPort, containerId: string, user: string) {
    this.docker = docker;
    this.containerId = containerId;
    this.user = user;
  }

  /** Starts it and waits until the server accepts TCP connections (the init-time server does not). */
  static async start(
    docker: DockerPort,
    image: string,
    user: string,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ScratchPostgres> {
    const id = await docker.createAndStart({
      image,
      env: {
        POSTGRES_USER: user,
        POSTGRES_PASSWORD: randomBytes(18).toString('hex'),
        POSTGRES_DB: 'postgres',
      },
      // The value names the owning process, so a sweep can tell leftovers from a live verification.
      labels: { [SCRATCH_LABEL]: `${hostname()}:${process.pid}` },
    });
    const scratch = new ScratchPostgres(docker, id, user);
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        const r = await docker.exec(id, {
          cmd: ['pg_isready', '-h', '127.0.0.1', '-U', user, '-d', 'postgres'],
        });
        if (r.exitCode === 0) return scratch;
        const state = await docker.inspect(id);
        if (!state.running || Date.now() > deadline) {
          throw new UpgradeError('BACKUP_VERIFY_FAILED', {
            message: `The throwaway Postgres (${image}) did not become ready${state.running ? ' in time' : `; it exited ${state.exitCode}`}`,
            unchanged: 'The backup and the deployment were not touched',
            hint: 'Check that the image can start on this machine (docker logs of the scratch container)',
          });
        }
        await delay(300);
      }
    } catch (err) {
      await scratch.dispose();
      throw err;
    }
  }

  async dispose(): Promise<void> {
    await this.docker.remove(this.containerId).catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
