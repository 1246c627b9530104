import type { Readable } from 'node:stream';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';

/** What `mktemp -d` prints for the template below; anything else is not used as a path. */
const OWN_DIR = /^\/tmp\/engram-upgrade\.[A-Za-z0-9]{6,}$/;
/** A plain file name inside the directory. */
const PLAIN_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A private directory (`mktemp -d`, mode 0700) inside a Postgres container, removed with what it holds
 * on dispose. pg_restore reads a file there: unlike standard input, a file can be read by several jobs
 * at once (`pg_restore -j`).
 */
export class ContainerDir implements AsyncDisposable {
  readonly path: string;
  readonly #docker: DockerPort;
  readonly #containerId: string;

  private constructor(docker: DockerPort, containerId: string, path: string) {
    this.#docker = docker;
    this.#containerId = containerId;
    this.path = path;
  }

  static async create(
    docker: DockerPort,
    containerId: string,
    opts: { secrets?: SecretSet; signal?: AbortSignal } = {},
  ): Promise<ContainerDir> {
    const r = await docker.exec(containerId, {
      cmd: ['mktemp', '-d', '/tmp/engram-upgrade.XXXXXXXX'],
      signal: opts.signal,
    });
    const path = r.stdout.trim();
    if (r.exitCode !== 0 || !OWN_DIR.test(path)) {
      throw new UpgradeError('RESTORE_FAILED', {
        message: `Could not create a working directory in the Postgres container: ${tailOf(r.stderr, opts.secrets, 2) || `exit ${r.exitCode}`}`,
        hint: "Check that the Postgres container's /tmp is writable and has space for the backup",
      });
    }
    return new ContainerDir(docker, containerId, path);
  }

  /** Writes `source` to `name` in the directory and returns the file's path in the container. */
  async write(
    name: string,
    source: Readable,
    opts: { secrets?: SecretSet; signal?: AbortSignal } = {},
  ): Promise<string> {
    if (!PLAIN_FILE.test(name)) throw new Error(`not a plain file name: ${name}`);
    const path = `${this.path}/${name}`;
    // The path goes in as an argument of the script, never into its text.
    const r = await this.#docker.exec(this.#containerId, {
      cmd: ['sh', '-c', 'umask 077 && cat > "$1"', 'sh', path],
      stdin: source,
      signal: opts.signal,
    });
    if (r.exitCode !== 0) {
      throw new UpgradeError('RESTORE_FAILED', {
        message: `Could not copy ${name} into the Postgres container: ${tailOf(r.stderr, opts.secrets, 2) || `exit ${r.exitCode}`}`,
        hint: "Check that the Postgres container's /tmp has space for the backup",
      });
    }
    return path;
  }

  /** Processors the container may use (`nproc`), at least 1. */
  async processors(signal?: AbortSignal): Promise<number> {
    const r = await this.#docker.exec(this.#containerId, { cmd: ['nproc'], signal }).catch(() => undefined);
    const n = Number(r?.stdout.trim());
    return Number.isInteger(n) && n > 0 ? n : 1;
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
