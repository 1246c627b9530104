import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { UpgradeError } from '../errors';
import { DockerDemux } from './demux';
import type {
  ContainerRecord,
  DockerPort,
  ExecOutcome,
  ExecRequest,
  ScratchContainerSpec,
} from './docker-port';

/** The production Docker adapter. Takes a dockerode client or connection options; never a global. */
export class DockerodeDocker implements DockerPort {
  readonly #docker: Docker;

  constructor(docker: Docker | Docker.DockerOptions = {}) {
    this.#docker = docker instanceof Docker ? docker : new Docker(docker);
  }

  async findContainers(labels: Record<string, string>): Promise<ContainerRecord[]> {
    const list = await this.#call('list containers', () =>
      this.#docker.listContainers({
        all: true,
        filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
      }),
    );
    return Promise.all(list.sort((a, b) => b.Created - a.Created).map((c) => this.inspect(c.Id)));
  }

  async inspect(idOrName: string): Promise<ContainerRecord> {
    const info = await this.#call(`inspect container ${idOrName}`, () =>
      this.#docker.getContainer(idOrName).inspect(),
    );
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      imageId: info.Image,
      labels: info.Config.Labels ?? {},
      env: info.Config.Env ?? [],
      running: info.State.Running,
      status: info.State.Status,
      exitCode: info.State.ExitCode,
      restartCount: info.RestartCount,
      health: (info.State.Health?.Status as ContainerRecord['health'] | undefined) ?? 'none',
    };
  }

  async exec(id: string, req: ExecRequest): Promise<ExecOutcome> {
    const exec = await this.#call(`start a command in container ${id.slice(0, 12)}`, () =>
      this.#docker.getContainer(id).exec({
        Cmd: req.cmd,
        AttachStdin: req.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        User: req.user,
        Env: req.env ? Object.entries(req.env).map(([k, v]) => `${k}=${v}`) : undefined,
      }),
    );
    const stream = (await exec.start({
      hijack: true,
      stdin: req.stdin !== undefined,
    })) as NodeJS.ReadWriteStream & {
      destroy(err?: Error): void;
    };
    const demux = new DockerDemux();
    const collected: Buffer[] = [];
    const sink =
      req.stdout ??
      new Writable({
        write(chunk: Buffer, _e, cb) {
          collected.push(chunk);
          cb();
        },
      });
    const onAbort = () => stream.destroy(new Error('aborted'));
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // A command may stop reading its input early (pg_restore --list reads only the table of
      // contents); its exit code, not the broken pipe, says whether it succeeded.
      const feeding = req.stdin
        ? pipeline(req.stdin, new PassThrough(), stream as unknown as Writable, { end: true }).catch(
            (err: unknown) => {
              if (!isBrokenPipe(err) || req.signal?.aborted) throw err;
            },
          )
        : undefined;
      try {
        await pipeline(stream, demux, sink);
      } finally {
        if (feeding) {
          // The command's output has ended, so the command has: input it never read is not wanted,
          // and Docker would otherwise hold the connection until we stopped writing.
          stream.destroy();
          req.stdin?.destroy();
          await feeding;
        }
      }
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
    }
    const inspected = await exec.inspect().catch(() => undefined);
    const exitCode = inspected && !inspected.Running ? (inspected.ExitCode ?? null) : null;
    return { exitCode, stdout: Buffer.concat(collected).toString('utf8'), stderr: demux.stderr };
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    await this.#call(`stop container ${id.slice(0, 12)}`, async () => {
      try {
        await this.#docker.getContainer(id).stop({ t: timeoutSeconds });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 304) throw err; // 304: already stopped
      }
    });
  }

  async start(id: string): Promise<void> {
    await this.#call(`start container ${id.slice(0, 12)}`, async () => {
      try {
        await this.#docker.getContainer(id).start();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 304) throw err; // 304: already running
      }
    });
  }

  async createAndStart(spec: ScratchContainerSpec): Promise<string> {
    const container = await this.#call(`create a container from ${spec.image}`, () =>
      this.#docker.createContainer({
        Image: spec.image,
        name: spec.name,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        Cmd: spec.cmd,
        // Reached only through docker exec: no network at all, only its own loopback.
        HostConfig: { AutoRemove: false, NetworkMode: 'none' },
      }),
    );
    await this.start(container.id);
    return container.id;
  }

  async remove(id: string): Promise<void> {
    await this.#call(`remove container ${id.slice(0, 12)}`, async () => {
      try {
        await this.#docker.getContainer(id).remove({ force: true, v: true });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      }
    });
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof UpgradeError) throw err;
      const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
        throw new UpgradeError('DOCKER_UNAVAILABLE', {
          message: `Could not ${what}: the Docker engine does not answer (${e.code})`,
          unchanged: 'Nothing was changed',
          hint: 'Start Docker or set DOCKER_HOST, then run again',
          cause: err,
        });
      }
      throw new UpgradeError('DOCKER_OPERATION', {
        message: `Could not ${what}: ${e.json?.message ?? e.message ?? String(err)}`,
        cause: err,
      });
    }
  }
}

function isBrokenPipe(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
