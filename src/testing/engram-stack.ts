import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseDocument } from 'yaml';
import type { DockerPort, ExecOutcome } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type RunResult, run } from '../process/run-command';
import { connectPg, type OwnedPgClient, psqlLinesOverPg, type StackPgClient } from './stack-pg-client';
import { harness } from './testbed-error';

export interface StackSecrets {
  postgresPassword: string;
  masterKey: string;
  secretKeyBase: string;
  jwtSecret: string;
}

export interface EngramStackInit {
  docker: DockerPort;
  projectName: string;
  dir: string;
  version: string;
  engramImage: string;
  httpPort: number;
  postgresPort: number | undefined;
  secrets: StackSecrets;
  database: string;
}

export interface HealthReading {
  status: number;
  body: unknown;
}

const FIELD = '\u001f';

/** A running throwaway deployment. Looks containers up by compose labels each time, so it stays
 * right after an upgrade recreates them. */
export class EngramStack implements AsyncDisposable {
  /** The Docker port the harness drives the stack through (our own port, not a Docker SDK client). */
  readonly docker: DockerPort;
  readonly projectName: string;
  /** The compose project directory (compose.yaml and .env). */
  readonly dir: string;
  readonly composeFile: string;
  readonly envFile: string;
  /** The version the stack was started with. */
  readonly version: string;
  #engramImage: string;
  readonly httpUrl: string;
  readonly postgresPort: number | undefined;
  /** The app's database name (POSTGRES_DB). */
  readonly database: string;
  // Private so that printing the handle (console.log, a test failure diff) never shows them.
  readonly #secrets: StackSecrets;
  #disposed = false;
  #pg: Promise<OwnedPgClient> | undefined;

  /** @internal Stacks come from `startEngramStack`. */
  constructor(init: EngramStackInit) {
    this.docker = init.docker;
    this.projectName = init.projectName;
    this.dir = init.dir;
    this.composeFile = join(init.dir, 'compose.yaml');
    this.envFile = join(init.dir, '.env');
    this.version = init.version;
    this.#engramImage = init.engramImage;
    this.httpUrl = `http://127.0.0.1:${init.httpPort}`;
    this.postgresPort = init.postgresPort;
    this.database = init.database;
    this.#secrets = init.secrets;
  }

  /** The image the compose file names for `engram` now. */
  get engramImage(): string {
    return this.#engramImage;
  }

  /**
   * Points the compose file's `engram` service at another tag of the same repository, the way an
   * operator edits it by hand (comments kept). Starting it is the caller's `compose(['up', '-d'])`.
   */
  useVersion(version: string): void {
    const image = `${this.#engramImage.slice(0, this.#engramImage.lastIndexOf(':'))}:${version}`;
    try {
      const doc = parseDocument(readFileSync(this.composeFile, 'utf8'));
      doc.setIn(['services', 'engram', 'image'], image);
      writeFileSync(this.composeFile, doc.toString());
    } catch (err) {
      throw new UpgradeError('TESTBED', {
        message: `Could not point ${this.composeFile} at ${image}: ${(err as Error).message}`,
        unchanged: 'The running containers were not touched',
        cause: err,
      });
    }
    this.#engramImage = image;
  }

  /** The stack's generated (or given) secrets. Keep them out of logs. */
  get secrets(): StackSecrets {
    return this.#secrets;
  }

  /** A connection string for Postgres as published on 127.0.0.1 (contains the password: keep it out of logs). */
  get databaseUrl(): string {
    if (!this.postgresPort) {
      throw new UpgradeError('TESTBED', {
        message: 'Postgres is not published for this stack (it was started with publishPostgres: false)',
        hint: 'Start the stack with publishPostgres: true, or use query() which runs psql inside the container',
      });
    }
    return `postgres://engram:${encodeURIComponent(this.#secrets.postgresPassword)}@127.0.0.1:${this.postgresPort}/${this.database}`;
  }

  /**
   * A connected `pg` (node-postgres) client to the stack's database, as its owner over the port
   * published on 127.0.0.1. One per stack, made on the first call; `dispose()` ends it.
   */
  pg(): Promise<StackPgClient> {
    const url = this.databaseUrl; // throws when Postgres is not published
    this.#pg ??= connectPg(url, this.database).catch((err: unknown) => {
      this.#pg = undefined; // the next call tries again
      throw err;
    });
    return this.#pg;
  }

  /** The version `/api/health` reports now (undefined when the app does not answer 200). */
  async runningVersion(): Promise<string | undefined> {
    const reading = await this.health().catch(() => undefined);
    const body = reading?.status === 200 ? (reading.body as { version?: unknown }) : undefined;
    return typeof body?.version === 'string' ? body.version : undefined;
  }

  /** Id of the service's current container (the newest one when several exist). */
  async containerId(service: 'engram' | 'postgres'): Promise<string> {
    const [newest] = await this.docker.findContainers({
      'com.docker.compose.project': this.projectName,
      'com.docker.compose.service': service,
    });
    if (!newest) {
      throw new UpgradeError('TESTBED', {
        message: `Compose project ${this.projectName} has no ${service} container`,
        hint: `See 'docker compose -p ${this.projectName} ps -a'; a failed 'up' or a test that removed it leaves none`,
      });
    }
    return newest.id;
  }

  /** `docker compose` for this project, argv only. */
  compose(args: string[], opts: { allowFail?: boolean } = {}): Promise<RunResult> {
    return harness(`run 'docker compose ${args.join(' ')}' for ${this.projectName}`, () =>
      run(
        'docker',
        ['compose', '--project-name', this.projectName, '--project-directory', this.dir, ...args],
        {
          cwd: this.dir,
          allowFail: opts.allowFail,
        },
      ),
    );
  }

  async health(path: '/api/health' | '/api/health/deep' = '/api/health'): Promise<HealthReading> {
    return harness(`read ${this.httpUrl}${path}`, async () => {
      const res = await fetch(`${this.httpUrl}${path}`, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      return { status: res.status, body: jsonOrText(text) };
    });
  }

  /** Polls `/api/health` until it answers 200. */
  async waitHealthy(timeoutMs = 60_000): Promise<HealthReading> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const reading = await this.health();
        if (reading.status === 200) return reading;
        last = reading.status;
      } catch (err) {
        last = err instanceof Error ? err.message : err;
      }
      await delay(500);
    }
    throw new UpgradeError('TESTBED', {
      message: `engram did not answer 200 on /api/health within ${timeoutMs} ms (last: ${String(last)})`,
      hint: 'Read stack.logs() for why it did not come up',
    });
  }

  /**
   * Runs SQL as the database owner; rows as arrays of text, the way `psql -At` prints them: every value
   * as Postgres's text output (`t`/`f`, timestamps and json as Postgres writes them), NULL as '', the
   * rows of every statement in order, and the command tag of a statement psql prints one for
   * (`INSERT 0 1`, `CREATE TABLE`; after the rows of `… RETURNING`). A line psql would print empty (a
   * single NULL or '') is no row, and a value holding a newline splits into two rows, as psql's output
   * does. A failed statement throws `TESTBED` with Postgres's message.
   *
   * It uses a connection of its own over the published port (connect, query, end: nothing is held
   * while the library renames, drops or terminates connections to the database), and runs `psql`
   * inside the Postgres container instead when Postgres is not published or no connection can be made
   * (a test changed the password or stopped the server).
   */
  async query(sql: string): Promise<string[][]> {
    const lines = this.postgresPort
      ? await psqlLinesOverPg(
          {
            host: '127.0.0.1',
            port: this.postgresPort,
            user: 'engram',
            password: this.#secrets.postgresPassword,
            database: this.database,
          },
          sql,
          FIELD,
        )
      : undefined;
    return psqlRows(lines ? lines.join('\n') : await this.#psql(sql));
  }

  /** `psql -At` inside the Postgres container (over its socket: no password); its standard output. */
  async #psql(sql: string): Promise<string> {
    const r = await this.exec('postgres', [
      'psql',
      '-X',
      '-v',
      'ON_ERROR_STOP=1',
      '-U',
      'engram',
      '-d',
      this.database,
      '-At',
      '-F',
      FIELD,
      '-c',
      sql,
    ]);
    if (r.exitCode !== 0) {
      throw new UpgradeError('TESTBED', { message: `psql failed (exit ${r.exitCode}): ${r.stderr.trim()}` });
    }
    return r.stdout;
  }

  /** Runs a command (argv) in the service's current container and collects its output. */
  async exec(service: 'engram' | 'postgres', cmd: string[]): Promise<ExecOutcome> {
    return this.docker.exec(await this.containerId(service), { cmd });
  }

  /** Applied Ecto migration versions, ascending. */
  async migrationVersions(): Promise<string[]> {
    const rows = await this.query('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((r) => r[0]!);
  }

  /** Everything the service's current container printed (stdout and stderr, in order). */
  async logs(service: 'engram' | 'postgres' = 'engram'): Promise<string> {
    const id = await this.containerId(service);
    const r = await harness(`read the log of ${service}`, () => run('docker', ['logs', id]));
    return r.stdout + r.stderr;
  }

  /** Inserts users and notes (as the database owner), in whichever notes schema the version has. */
  async seed(amount: { users: number; notesPerUser: number }): Promise<void> {
    const legacy = await this.query(
      "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'legacy_body'",
    );
    const withLegacy = legacy[0]?.[0] === '1';
    await this.query(
      `INSERT INTO users (email) SELECT 'user' || g || '@example.test' FROM generate_series(1, ${Math.trunc(amount.users)}) g;` +
        `INSERT INTO notes (user_id, title, body${withLegacy ? ', legacy_body' : ''}) SELECT u.id, 'note ' || g, repeat('text ', 20)${withLegacy ? ", 'v1 ' || g" : ''} ` +
        `FROM users u, generate_series(1, ${Math.trunc(amount.notesPerUser)}) g;`,
    );
  }

  /** `docker compose down -v` and removal of the project directory. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    // Ending the client is cleanup: a client the test already broke must not hide the teardown.
    await this.#pg?.then((c) => c.end()).catch(() => undefined);
    const anonymous = await this.#anonymousVolumes();
    // One-off containers the library ran for this deployment (a migrator) sit in a project of their own;
    // one is left only when its run was killed, as tests do on purpose.
    const oneOffs = await this.#removeOneOffs().then(
      () => null,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    // Killed, not stopped: the volumes go with them, so a graceful stop (Postgres's shutdown checkpoint,
    // an app still in its entrypoint, where SIGTERM waits for the timeout) would only cost time.
    const down = await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '0'], {
      allowFail: true,
    });
    await harness(`remove ${this.dir}`, () => rmSync(this.dir, { recursive: true, force: true }));
    if (down.code !== 0) {
      throw new UpgradeError('TESTBED', {
        message: `'docker compose down' of ${this.projectName} failed (exit ${down.code}): ${down.stderr.trim().slice(-500)}`,
        hint: 'Run sweepTestbed() (or docker compose down -v) to remove what is left',
      });
    }
    if (oneOffs) {
      throw new UpgradeError('TESTBED', {
        message: `The one-off containers of ${this.projectName} could not be removed: ${oneOffs}`,
        unchanged: 'The stack itself was removed',
        hint: `Remove them with 'docker rm -f' (label com.docker.compose.project=${this.projectName}-oneoff)`,
      });
    }
    if (anonymous.length === 0) return;
    const rm = await run('docker', ['volume', 'rm', '--force', ...anonymous], { allowFail: true });
    if (rm.code !== 0) {
      throw new UpgradeError('TESTBED', {
        message: `The anonymous volumes of ${this.projectName} could not be removed: ${rm.stderr.trim().slice(-500)}`,
        unchanged: 'The containers, named volumes and network of the stack are gone',
        hint: `Remove them with 'docker volume rm ${anonymous.join(' ')}'`,
      });
    }
  }

  async #removeOneOffs(): Promise<void> {
    const left = await this.docker.findContainers({
      'com.docker.compose.project': `${this.projectName}-oneoff`,
    });
    for (const c of left) await this.docker.remove(c.id);
  }

  /**
   * Anonymous volumes mounted by the project's containers. A recreated container is handed its
   * predecessor's anonymous volumes by name, so `down --volumes` no longer sees them as its own and
   * leaves them behind: the stack removes them itself (they carry no label a sweep could find).
   */
  async #anonymousVolumes(): Promise<string[]> {
    const ps = await run(
      'docker',
      ['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${this.projectName}`],
      { allowFail: true },
    );
    const ids = ps.stdout.split('\n').filter(Boolean);
    // An engine that does not answer here fails `down` too, which reports it.
    if (ps.code !== 0 || ids.length === 0) return [];
    const format = '{{range .Mounts}}{{if eq .Type "volume"}}{{println .Name}}{{end}}{{end}}';
    const mounts = await run('docker', ['inspect', '--format', format, ...ids], { allowFail: true });
    return [...new Set(mounts.stdout.split('\n').filter((name) => /^[0-9a-f]{64}$/.test(name)))];
  }

  /** The same as `dispose()`, for `try { … } finally { await stack.stop() }` where `await using` is not available. */
  stop(): Promise<void> {
    return this.dispose();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/** Rows of `psql -At -F <FIELD>` output: one a line, empty lines left out. */
function psqlRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(FIELD));
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: the body as it came
  }
}
