import { PassThrough, Writable } from 'node:stream';
import type { UpgradeError } from '../errors';
import type { DockerPort, ExecOutcome } from './docker-port';

/** Builds the error a session reports once its command has ended (stderr tail, and the cause when the exec broke). */
export type SessionEnded = (stderr: string, cause: unknown) => UpgradeError;

/**
 * One long-lived command inside a container, fed requests through standard input, that prints a marker
 * line after each reply. A `docker exec` costs the engine, containerd and runc about a tenth of a
 * CPU-second; a loop that asks the same question every second asks it through one of these instead.
 *
 * Requests run one at a time, in order. `request(write)` sends what `write(marker)` returns and
 * resolves with everything printed before the marker line.
 */
export class ExecSession implements AsyncDisposable {
  readonly #stdin = new PassThrough();
  #buffer = '';
  #waiter: { marker: string; resolve: (out: string) => void; reject: (e: Error) => void } | undefined;
  readonly #done: Promise<ExecOutcome>;
  #ended: { stderr: string; cause: unknown } | undefined;
  #seq = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #endedError: SessionEnded;

  constructor(
    docker: DockerPort,
    containerId: string,
    cmd: string[],
    endedError: SessionEnded,
    env?: Record<string, string>,
  ) {
    this.#endedError = endedError;
    const stdout = new Writable({
      write: (chunk: Buffer, _e, cb) => {
        this.#buffer += chunk.toString('utf8');
        this.#check();
        cb();
      },
    });
    this.#done = docker.exec(containerId, { cmd, env, stdin: this.#stdin, stdout });
    this.#done.then(
      (outcome) => this.#end(outcome.stderr, undefined),
      (err: unknown) => this.#end(err instanceof Error ? err.message : String(err), err),
    );
  }

  /** False once the command has ended (it exited, its container stopped, or the exec broke). */
  get open(): boolean {
    return this.#ended === undefined;
  }

  /** Sends `write(marker)` and resolves with what the command printed before the line `marker`. */
  request(write: (marker: string) => string): Promise<string> {
    const next = this.#queue.then(() => this.#send(write));
    this.#queue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  #send(write: (marker: string) => string): Promise<string> {
    if (this.#ended) return Promise.reject(this.#endedError(this.#ended.stderr, this.#ended.cause));
    const marker = `__engram_upgrade_${++this.#seq}__`;
    const out = new Promise<string>((resolve, reject) => {
      this.#waiter = { marker, resolve, reject };
    });
    this.#stdin.write(write(marker));
    return out;
  }

  /**
   * Closes the command's input and waits for it to end. Never throws: a session that broke has already
   * failed the request that was waiting on it, and a close is also how a failed operation cleans up.
   */
  async close(endInput = ''): Promise<void> {
    if (!this.#stdin.writableEnded) this.#stdin.end(endInput);
    await this.#done.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #check(): void {
    const w = this.#waiter;
    if (!w) return;
    const at = this.#buffer.indexOf(`${w.marker}\n`);
    if (at < 0) return;
    const out = this.#buffer.slice(0, at);
    this.#buffer = this.#buffer.slice(at + w.marker.length + 1);
    this.#waiter = undefined;
    w.resolve(out);
  }

  #end(stderr: string, cause: unknown): void {
    this.#ended = { stderr, cause };
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(this.#endedError(stderr, cause));
  }
}
