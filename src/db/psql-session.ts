import { PassThrough, Writable } from 'node:stream';
import type { DockerPort, ExecOutcome } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';
import { psqlArgs, splitRows } from './psql';

/**
 * One long-lived psql inside the Postgres container, fed through standard input. Used to hold a
 * transaction open (an exported snapshot) while pg_dump reads from it.
 */
export class PsqlSession implements AsyncDisposable {
  readonly #stdin = new PassThrough();
  #buffer = '';
  #waiter: { marker: string; resolve: (out: string) => void; reject: (e: Error) => void } | undefined;
  #done: Promise<ExecOutcome>;
  #ended: ExecOutcome | undefined;
  /** Why the session could not run at all (Docker refused the exec, the stream broke), kept as the cause. */
  #endCause: unknown;
  #seq = 0;
  #queue: Promise<void> = Promise.resolve();
  #secrets: SecretSet | undefined;

  private constructor(
    docker: DockerPort,
    containerId: string,
    user: string,
    database: string,
    secrets?: SecretSet,
  ) {
    this.#secrets = secrets;
    const stdout = new Writable({
      write: (chunk: Buffer, _e, cb) => {
        this.#buffer += chunk.toString('utf8');
        this.#check();
        cb();
      },
    });
    this.#done = docker.exec(containerId, { cmd: psqlArgs(user, database), stdin: this.#stdin, stdout });
    this.#done.then(
      (outcome) => {
        this.#ended = outcome;
        this.#fail(outcome.stderr);
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        this.#ended = { exitCode: null, stdout: '', stderr: message };
        this.#endCause = err;
        this.#fail(message);
      },
    );
  }

  static open(docker: DockerPort, containerId: string, user: string, database: string, secrets?: SecretSet) {
    return new PsqlSession(docker, containerId, user, database, secrets);
  }

  /** Runs statements in the session and returns the rows of their output. Calls run one at a time, in order. */
  query(sql: string): Promise<string[][]> {
    const next = this.#queue.then(() => this.#send(sql));
    this.#queue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  #send(sql: string): Promise<string[][]> {
    if (this.#ended) return Promise.reject(this.#error(this.#ended.stderr));
    const marker = `__engram_upgrade_${++this.#seq}__`;
    const out = new Promise<string>((resolve, reject) => {
      this.#waiter = { marker, resolve, reject };
    });
    this.#stdin.write(`${sql.trim().replace(/;?$/, ';')}\n\\echo ${marker}\n`);
    return out.then(splitRows);
  }

  /**
   * Ends psql and waits for it. Never throws: a session that broke has already failed the query that
   * was waiting on it (with the cause), and a close is also how a failed backup cleans up.
   */
  async close(): Promise<void> {
    if (!this.#stdin.writableEnded) this.#stdin.end('\\q\n');
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

  #fail(stderr: string): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(this.#error(stderr));
  }

  #error(stderr: string): UpgradeError {
    const detail = tailOf(stderr, this.#secrets);
    return new UpgradeError('DATABASE', {
      message: `The database session ended: ${detail || 'psql exited'}`,
      cause: this.#endCause,
    });
  }
}
