import type { DockerPort } from '../docker/docker-port';
import { ExecSession } from '../docker/exec-session';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';
import { psqlArgs, splitRows } from './psql';

/**
 * One long-lived psql inside the Postgres container, fed through standard input. Used to hold a
 * transaction open (an exported snapshot) while pg_dump reads from it, and to ask the same question
 * many times (a wait that reads `schema_migrations` every second) for the price of one `docker exec`.
 */
export class PsqlSession implements AsyncDisposable {
  readonly #session: ExecSession;

  private constructor(
    docker: DockerPort,
    containerId: string,
    user: string,
    database: string,
    secrets?: SecretSet,
  ) {
    this.#session = new ExecSession(docker, containerId, psqlArgs(user, database), (stderr, cause) => {
      const detail = tailOf(stderr, secrets);
      return new UpgradeError('DATABASE', {
        message: `The database session ended: ${detail || 'psql exited'}`,
        cause,
      });
    });
  }

  static open(docker: DockerPort, containerId: string, user: string, database: string, secrets?: SecretSet) {
    return new PsqlSession(docker, containerId, user, database, secrets);
  }

  /** False once psql has ended (it exited, the container stopped, or the exec broke). */
  get open(): boolean {
    return this.#session.open;
  }

  /** Runs statements in the session and returns the rows of their output. Calls run one at a time, in order. */
  async query(sql: string): Promise<string[][]> {
    const out = await this.#session.request(
      (marker) => `${sql.trim().replace(/;?$/, ';')}\n\\echo ${marker}\n`,
    );
    return splitRows(out);
  }

  /**
   * Ends psql and waits for it. Never throws: a session that broke has already failed the query that
   * was waiting on it (with the cause), and a close is also how a failed backup cleans up.
   */
  close(): Promise<void> {
    return this.#session.close('\\q\n');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
