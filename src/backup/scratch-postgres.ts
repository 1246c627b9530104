import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';

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
        throwIfAborted(opts.signal, { message: 'Aborted while the throwaway Postgres was starting' });
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
      await scratch.#removeAfterFailure();
      throw err;
    }
  }

  /**
   * Removes the container. Throws when Docker cannot remove it: a leftover is worth knowing about (it
   * carries SCRATCH_LABEL, so `docker rm -f` or the harness's sweep can find it).
   */
  async dispose(): Promise<void> {
    try {
      await this.docker.remove(this.containerId);
    } catch (err) {
      throw new UpgradeError('DOCKER_OPERATION', {
        message: `The throwaway Postgres ${this.containerId.slice(0, 12)} could not be removed`,
        unchanged: 'What it was used for is complete; only the container is left behind',
        hint: `Remove it with 'docker rm -f ${this.containerId.slice(0, 12)}'`,
        cause: err,
      });
    }
  }

  /**
   * Removes the container after the work with it failed. That failure is the one to report, so a
   * removal failure here is not thrown over it; the leftover is labelled for a sweep.
   */
  async #removeAfterFailure(): Promise<void> {
    await this.docker.remove(this.containerId).catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }

  /**
   * Runs `work` with the server, then removes it. A removal failure after `work` succeeded is thrown,
   * or handed to `onLeftover` when given (so a good result is not lost over a leftover container).
   */
  async use<T>(
    work: (scratch: ScratchPostgres) => Promise<T>,
    opts: { onLeftover?: (err: UpgradeError) => void } = {},
  ): Promise<T> {
    let result: T;
    try {
      result = await work(this);
    } catch (err) {
      await this.#removeAfterFailure();
      throw err;
    }
    try {
      await this.dispose();
    } catch (err) {
      if (!opts.onLeftover) throw err;
      opts.onLeftover(err as UpgradeError);
    }
    return result;
  }
}
