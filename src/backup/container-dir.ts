import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { parseProcessors } from '../docker/container-processors';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';

/** Removes the directories of one key, whose prefix is `$1`; only the `.*` is a pattern. */
const REMOVE_LEFTOVERS = 'rm -rf -- "$1".*';

/** What `mktemp -d` prints for the template below; anything else is not used as a path. */
const OWN_DIR = /^\/tmp\/engram-upgrade-[0-9a-f]{12}\.[A-Za-z0-9]{6,}$/;

/**
 * The directories of one key (a restore: the database restored into; a dump: `dumpKey`) share a
 * prefix: a later run can find what a killed one left.
 */
function prefixFor(key: string): string {
  return `/tmp/engram-upgrade-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** The key of the directories a directory-format dump of `database` is written into. */
export function dumpKey(database: string): string {
  return `pg_dump of ${database}`;
}

/** Which operation a failure belongs to: the code a copy that cannot be made is reported with. */
type Failure = 'BACKUP_FAILED' | 'RESTORE_FAILED' | 'DOCKER_OPERATION';
/** A plain file name inside the directory. */
const PLAIN_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A private directory (`mktemp -d`, mode 0700) inside a Postgres container, removed with what it holds
 * on dispose. pg_restore reads a file there: unlike standard input, a file can be read by several jobs
 * at once (`pg_restore -j`).
 */
export class ContainerDir implements AsyncDisposable {
  readonly path: string;
  /** Processors the container may use (`nproc`), at least 1, read when the directory was made. */
  readonly processors: number;
  readonly #docker: DockerPort;
  readonly #containerId: string;

  private constructor(docker: DockerPort, containerId: string, path: string, processors: number) {
    this.#docker = docker;
    this.#containerId = containerId;
    this.path = path;
    this.processors = processors;
  }

  /**
   * Makes the directory for `key` (a restore: the database restored into; see `removeLeftovers`),
   * first removing those an earlier, killed run of the same key left, and reads the container's
   * processors on the way: one `docker exec` for the three.
   */
  static async create(
    docker: DockerPort,
    containerId: string,
    key: string,
    opts: { secrets?: SecretSet; signal?: AbortSignal; failure?: Failure } = {},
  ): Promise<ContainerDir> {
    const prefix = prefixFor(key);
    // The prefix goes in as an argument, never into the script's text; only the `.*` is a pattern.
    const r = await docker.exec(containerId, {
      cmd: [
        'sh',
        '-c',
        `${REMOVE_LEFTOVERS} || exit 90; mktemp -d "$1.XXXXXXXX" || exit 91; nproc 2>/dev/null || echo 1`,
        'sh',
        prefix,
      ],
      signal: opts.signal,
    });
    if (r.exitCode === 90) throw leftoversError(prefix, r.stderr);
    const [path = '', nproc] = r.stdout.trim().split('\n');
    if (r.exitCode !== 0 || !OWN_DIR.test(path)) {
      throw new UpgradeError(opts.failure ?? 'RESTORE_FAILED', {
        message: `Could not create a working directory in the Postgres container: ${tailOf(r.stderr, opts.secrets, 2) || `exit ${r.exitCode}`}`,
        hint: "Check that the Postgres container's /tmp is writable and has space for the backup",
      });
    }
    return new ContainerDir(docker, containerId, path, parseProcessors(nproc));
  }

  /**
   * Removes the directories earlier restores into `database` left in the container (a process killed
   * while it copied the dump cannot remove its own). Only one run at a time restores a deployment's
   * database (the run lock), so none of them is in use.
   */
  static async removeLeftovers(
    docker: DockerPort,
    containerId: string,
    database: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const r = await docker.exec(containerId, {
      // The prefix goes in as an argument, never into the script's text; only the `.*` is a pattern.
      cmd: ['sh', '-c', REMOVE_LEFTOVERS, 'sh', prefixFor(database)],
      signal,
    });
    if (r.exitCode !== 0) throw leftoversError(prefixFor(database), r.stderr, r.exitCode);
  }

  /** Writes `source` to `name` in the directory and returns the file's path in the container. */
  write(
    name: string,
    source: Readable,
    opts: { secrets?: SecretSet; signal?: AbortSignal } = {},
  ): Promise<string> {
    return this.#copyIn(name, 'umask 077 && cat > "$1"', source, opts);
  }

  /**
   * Unpacks a tar stream (regular files, mode 0600, owned by root: see `tarOfFiles`) into a new
   * subdirectory `name` (mode 0700). Returns the subdirectory's path in the container.
   */
  extract(
    name: string,
    tar: Readable,
    opts: { secrets?: SecretSet; signal?: AbortSignal; failure?: Failure } = {},
  ): Promise<string> {
    // Plain options only, which GNU tar and BusyBox (Alpine images) both know.
    return this.#copyIn(name, 'umask 077 && mkdir -- "$1" && tar -C "$1" -xf -', tar, opts);
  }

  /** Runs `script` with the path of `name` as `$1` and `stdin` as its input; returns that path. */
  async #copyIn(
    name: string,
    script: string,
    stdin: Readable,
    opts: { secrets?: SecretSet; signal?: AbortSignal; failure?: Failure },
  ): Promise<string> {
    const path = this.#child(name);
    // The path goes in as an argument of the script, never into its text.
    const r = await this.#docker.exec(this.#containerId, {
      cmd: ['sh', '-c', script, 'sh', path],
      stdin,
      signal: opts.signal,
    });
    if (r.exitCode !== 0) {
      throw new UpgradeError(opts.failure ?? 'RESTORE_FAILED', {
        message: `Could not copy ${name} into the Postgres container: ${tailOf(r.stderr, opts.secrets, 2) || `exit ${r.exitCode}`}`,
        hint: "Check that the Postgres container's /tmp has space for the backup",
      });
    }
    return path;
  }

  /** Streams the subdirectory `name` out as a tar archive (entries `./<file>`) into `sink`. */
  async archive(
    name: string,
    sink: Writable,
    opts: { secrets?: SecretSet; signal?: AbortSignal; failure?: Failure } = {},
  ): Promise<void> {
    const r = await this.#docker.exec(this.#containerId, {
      cmd: ['tar', '-C', this.#child(name), '-cf', '-', '.'],
      stdout: sink,
      signal: opts.signal,
    });
    if (r.exitCode !== 0) {
      throw new UpgradeError(opts.failure ?? 'RESTORE_FAILED', {
        message: `Could not copy ${name} out of the Postgres container: ${tailOf(r.stderr, opts.secrets, 2) || (r.exitCode === null ? 'tar was cut off' : `exit ${r.exitCode}`)}`,
      });
    }
  }

  #child(name: string): string {
    if (!PLAIN_FILE.test(name)) {
      throw new UpgradeError('INVALID_INPUT', {
        message: `${JSON.stringify(name)} is not a plain file name`,
      });
    }
    return `${this.path}/${name}`;
  }

  /** Removes the directory and everything in it. */
  async dispose(): Promise<void> {
    const r = await this.#docker.exec(this.#containerId, { cmd: ['rm', '-rf', '--', this.path] });
    if (r.exitCode !== 0) {
      throw new UpgradeError('DOCKER_OPERATION', {
        message: `The working directory ${this.path} in the Postgres container could not be removed`,
        unchanged: 'What it was used for is complete; only the copy of the backup is left there',
        hint: `Remove it with 'docker exec <postgres container> rm -rf ${this.path}'`,
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

function leftoversError(prefix: string, stderr: string, exitCode?: number | null): UpgradeError {
  return new UpgradeError('DOCKER_OPERATION', {
    message: `Copies of a backup an interrupted run left in the Postgres container (${prefix}.*) could not be removed: ${tailOf(stderr, undefined, 2) || `exit ${exitCode ?? 90}`}`,
    hint: `Remove them with 'docker exec <postgres container> sh -c "rm -rf ${prefix}.*"'`,
  });
}
