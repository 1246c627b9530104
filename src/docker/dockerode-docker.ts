import { createInterface } from 'node:readline';
import { PassThrough, type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import { extract } from 'tar-stream';
import { UpgradeError } from '../errors';
import { DockerDemux } from './demux';
import type {
  ContainerRecord,
  DockerPort,
  ExecOutcome,
  ExecRequest,
  ImageRecord,
  LogLine,
  OneOffOutcome,
  OneOffSpec,
  PullProgress,
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
      startedAt: info.State.StartedAt,
      networks: Object.keys(info.NetworkSettings?.Networks ?? {}),
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

  async pullImage(
    reference: string,
    opts: { signal?: AbortSignal; onProgress?: (p: PullProgress) => void } = {},
  ): Promise<void> {
    const stream = (await this.#call(`pull ${reference}`, () =>
      this.#docker.pull(reference, { abortSignal: opts.signal }),
    )) as Readable;
    const layers = new Map<string, { current: number; total: number }>();
    await this.#call(
      `pull ${reference}`,
      () =>
        new Promise<void>((resolve, reject) => {
          this.#docker.modem.followProgress(
            stream,
            (err: Error | null, events: { error?: string; errorDetail?: { message?: string } }[]) => {
              const failed = events?.find((e) => e.error);
              if (err) reject(err);
              else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
              else resolve();
            },
            (event: {
              id?: string;
              status?: string;
              progressDetail?: { current?: number; total?: number };
            }) => {
              if (!opts.onProgress) return;
              if (event.id && event.progressDetail?.total) {
                layers.set(event.id, {
                  current: event.progressDetail.current ?? 0,
                  total: event.progressDetail.total,
                });
              }
              let current = 0;
              let total = 0;
              for (const l of layers.values()) {
                current += l.current;
                total += l.total;
              }
              opts.onProgress({ status: event.status ?? '', current, total });
            },
          );
        }),
    );
  }

  async inspectImage(reference: string): Promise<ImageRecord | null> {
    try {
      const info = await this.#docker.getImage(reference).inspect();
      return {
        id: info.Id,
        repoTags: info.RepoTags ?? [],
        repoDigests: info.RepoDigests ?? [],
        env: info.Config?.Env ?? [],
        labels: info.Config?.Labels ?? {},
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      return this.#call(`inspect image ${reference}`, () => Promise.reject(err));
    }
  }

  async tagImage(imageId: string, reference: string): Promise<void> {
    const at = reference.lastIndexOf(':');
    const slash = reference.lastIndexOf('/');
    const [repo, tag] =
      at > slash ? [reference.slice(0, at), reference.slice(at + 1)] : [reference, 'latest'];
    await this.#call(`tag ${imageId.slice(0, 19)} as ${reference}`, () =>
      this.#docker.getImage(imageId).tag({ repo, tag }),
    );
  }

  async readImageFiles(image: string, path: string): Promise<{ name: string; content: string }[]> {
    const created = await this.#call(`create a container from ${image} to read ${path}`, () =>
      // Created, never started: nothing of the image runs. The entrypoint is replaced all the same.
      this.#docker.createContainer({ Image: image, Entrypoint: ['/bin/false'], Cmd: [], Labels: {} }),
    );
    try {
      const archive = (await this.#call(`read ${path} from ${image}`, () =>
        created.getArchive({ path }),
      )) as Readable;
      const files: { name: string; content: string }[] = [];
      const tar = extract();
      tar.on('entry', (header, body, next) => {
        const chunks: Buffer[] = [];
        body.on('data', (c: unknown) => {
          if (header.type === 'file') chunks.push(c as Buffer);
        });
        body.on('end', () => {
          if (header.type === 'file') {
            files.push({ name: header.name, content: Buffer.concat(chunks).toString('utf8') });
          }
          next();
        });
        body.resume();
      });
      await this.#call(`read ${path} from ${image}`, () => pipeline(archive, tar));
      return files;
    } finally {
      await this.remove(created.id);
    }
  }

  async runOneOff(spec: OneOffSpec): Promise<OneOffOutcome> {
    const created = await this.#call(`create a one-off container from ${spec.image.slice(0, 40)}`, () =>
      this.#docker.createContainer({
        Image: spec.image,
        Entrypoint: spec.entrypoint,
        Cmd: spec.cmd,
        Env: spec.env,
        Labels: spec.labels,
        HostConfig: { NetworkMode: spec.network ?? 'none', AutoRemove: false },
      }),
    );
    const onAbort = () => {
      created.kill().catch(() => undefined);
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.start(created.id);
      const waited = (await this.#call('wait for a one-off container', () => created.wait())) as {
        StatusCode: number;
      };
      const raw = (await this.#call('read a one-off container log', () =>
        created.logs({ stdout: true, stderr: true, follow: false }),
      )) as unknown as Buffer;
      return { exitCode: waited.StatusCode, output: demuxAll(raw) };
    } finally {
      spec.signal?.removeEventListener('abort', onAbort);
      await this.remove(created.id);
    }
  }

  async *followLogs(
    id: string,
    opts: { sinceSeconds?: number; signal: AbortSignal },
  ): AsyncIterable<LogLine> {
    const stream = (await this.#call(`follow the log of ${id.slice(0, 12)}`, () =>
      this.#docker.getContainer(id).logs({
        follow: true,
        stdout: true,
        stderr: true,
        since: opts.sinceSeconds ?? 0,
        abortSignal: opts.signal,
      }),
    )) as unknown as Readable;
    const merged = new PassThrough({ objectMode: true });
    let open = 2;
    const pump = (source: Readable, kind: LogLine['stream']) => {
      const rl = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
      rl.on('line', (line) => merged.write({ stream: kind, line } satisfies LogLine));
      rl.on('close', () => {
        if (--open === 0) merged.end();
      });
    };
    const out = new PassThrough();
    const err = new PassThrough();
    pump(out, 'stdout');
    pump(err, 'stderr');
    this.#docker.modem.demuxStream(stream, out, err);
    const finish = () => {
      out.end();
      err.end();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    const stop = () => {
      stream.destroy();
      finish();
    };
    opts.signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const item of merged) yield item as LogLine;
    } finally {
      opts.signal.removeEventListener('abort', stop);
      stream.destroy();
    }
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

/** Splits a whole multiplexed log buffer (8-byte frame headers) into its text, both streams in order. */
function demuxAll(raw: Buffer | string): string {
  if (typeof raw === 'string') return raw;
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

function isBrokenPipe(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
