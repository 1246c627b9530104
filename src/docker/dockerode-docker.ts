import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// Types only: dockerode (with ssh2) and tar-stream are imported on first use, not with the package.
import type Docker from 'dockerode';
import { UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import { demuxAll } from './demux';
import { type Connected, connect, type DockerConnection, type DockerodeClient } from './docker-connection';
import type { DockerEndpoint } from './docker-endpoint';
import { dockerFailure, statusOf } from './docker-failure';
import type {
  ContainerCreateSpec,
  ContainerRecord,
  ContainerSettings,
  DockerHousekeepingPort,
  DockerPort,
  DockerRecreatePort,
  ExecOutcome,
  ExecRequest,
  ImageRecord,
  LabelledResource,
  LogLine,
  OneOffOutcome,
  OneOffSpec,
  PullProgress,
  ResourceKind,
  ScratchContainerSpec,
} from './docker-port';
import { type ExecConnection, pumpExec } from './exec-stream';
import { logLines } from './log-lines';
import { followPull } from './pull-progress';

/**
 * The production Docker adapter. Takes connection options or a dockerode client; never a global.
 * dockerode is imported on the first call, so constructing one costs nothing.
 */
export class DockerodeDocker implements DockerPort, DockerHousekeepingPort, DockerRecreatePort {
  readonly #given: DockerConnection | DockerodeClient;
  #client: Promise<Connected> | undefined;

  /** @param docker connection options, or a configured dockerode client. @default DOCKER_HOST, else the local socket */
  constructor(docker: DockerConnection | DockerodeClient = {}) {
    this.#given = docker;
  }

  async findContainers(labels: Record<string, string>): Promise<ContainerRecord[]> {
    const list = await this.#call('list containers', (d) =>
      d.listContainers({
        all: true,
        filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
      }),
    );
    return Promise.all(list.sort((a, b) => b.Created - a.Created).map((c) => this.inspect(c.Id)));
  }

  async inspect(idOrName: string): Promise<ContainerRecord> {
    const info = await this.#call(`inspect container ${idOrName}`, (d) => d.getContainer(idOrName).inspect());
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
      addresses: Object.values(info.NetworkSettings?.Networks ?? {}).flatMap((n) =>
        [n.IPAddress, n.GlobalIPv6Address].filter((a): a is string => Boolean(a)),
      ),
    };
  }

  async exec(id: string, req: ExecRequest): Promise<ExecOutcome> {
    const what = `run ${req.cmd[0] ?? 'a command'} in container ${id.slice(0, 12)}`;
    throwIfAborted(req.signal, { message: `Did not ${what}: the operation was aborted first` });
    const exec = await this.#call(
      what,
      (d) =>
        d.getContainer(id).exec({
          Cmd: req.cmd,
          AttachStdin: req.stdin !== undefined,
          AttachStdout: true,
          AttachStderr: true,
          User: req.user,
          Env: req.env ? Object.entries(req.env).map(([k, v]) => `${k}=${v}`) : undefined,
        }),
      req.signal,
    );
    const stream = (await this.#call(
      what,
      () => exec.start({ hijack: true, stdin: req.stdin !== undefined }),
      req.signal,
    )) as ExecConnection;
    const { stdout, stderr } = await pumpExec(stream, req, what);
    return { exitCode: await this.#exitCode(exec, what), stdout, stderr };
  }

  /** The exec's exit code; null when Docker no longer knows the exec (its container is gone). */
  async #exitCode(exec: Docker.Exec, what: string): Promise<number | null> {
    try {
      const inspected = await exec.inspect();
      return inspected.Running ? null : (inspected.ExitCode ?? null);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw dockerFailure(`read the exit code after trying to ${what}`, err);
    }
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    await this.#call(`stop container ${id.slice(0, 12)}`, async (d) => {
      try {
        await d.getContainer(id).stop({ t: timeoutSeconds });
      } catch (err) {
        if (statusOf(err) !== 304) throw err; // 304: already stopped
      }
    });
  }

  async start(id: string): Promise<void> {
    await this.#call(`start container ${id.slice(0, 12)}`, async (d) => {
      try {
        await d.getContainer(id).start();
      } catch (err) {
        if (statusOf(err) !== 304) throw err; // 304: already running
      }
    });
  }

  async createAndStart(spec: ScratchContainerSpec): Promise<string> {
    const container = await this.#call(`create a container from ${spec.image}`, (d) =>
      d.createContainer({
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
    await this.#call(`remove container ${id.slice(0, 12)}`, async (d) => {
      try {
        await d.getContainer(id).remove({ force: true, v: true });
      } catch (err) {
        if (statusOf(err) !== 404) throw err; // 404: already gone
      }
    });
  }

  async pullImage(
    reference: string,
    opts: { signal?: AbortSignal; onProgress?: (p: PullProgress) => void } = {},
  ): Promise<void> {
    const stream = (await this.#call(
      `pull ${reference}`,
      (d) => d.pull(reference, { abortSignal: opts.signal }),
      opts.signal,
    )) as Readable;
    await this.#call(`pull ${reference}`, (d) => followPull(d.modem, stream, opts.onProgress), opts.signal);
  }

  async inspectImage(reference: string): Promise<ImageRecord | null> {
    const what = `inspect image ${reference}`;
    return this.#call(what, async (d) => {
      try {
        const info = await d.getImage(reference).inspect();
        return {
          id: info.Id,
          repoTags: info.RepoTags ?? [],
          repoDigests: info.RepoDigests ?? [],
          env: info.Config?.Env ?? [],
          labels: info.Config?.Labels ?? {},
        };
      } catch (err) {
        if (statusOf(err) === 404) return null; // no such image: the answer, not a failure
        throw err;
      }
    });
  }

  async tagImage(imageId: string, reference: string): Promise<void> {
    const at = reference.lastIndexOf(':');
    const slash = reference.lastIndexOf('/');
    const [repo, tag] =
      at > slash ? [reference.slice(0, at), reference.slice(at + 1)] : [reference, 'latest'];
    await this.#call(`tag ${imageId.slice(0, 19)} as ${reference}`, (d) =>
      d.getImage(imageId).tag({ repo, tag }),
    );
  }

  async readImageFiles(image: string, path: string): Promise<{ name: string; content: string }[]> {
    const what = `read ${path} from ${image}`;
    const created = await this.#call(`create a container from ${image} to read ${path}`, (d) =>
      // Created, never started: nothing of the image runs. The entrypoint is replaced all the same.
      d.createContainer({ Image: image, Entrypoint: ['/bin/false'], Cmd: [], Labels: {} }),
    );
    try {
      return await this.#call(what, async () => {
        const archive = (await created.getArchive({ path })) as Readable;
        const { extract } = await import('tar-stream');
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
        await pipeline(archive, tar);
        return files;
      });
    } finally {
      await this.remove(created.id);
    }
  }

  async runOneOff(spec: OneOffSpec): Promise<OneOffOutcome> {
    const what = `run a one-off container of ${spec.image.slice(0, 40)}`;
    throwIfAborted(spec.signal, { message: `Did not ${what}: the operation was aborted first` });
    const created = await this.#call(
      what,
      (d) =>
        d.createContainer({
          Image: spec.image,
          Entrypoint: spec.entrypoint,
          Cmd: spec.cmd,
          Env: spec.env,
          Labels: spec.labels,
          HostConfig: { NetworkMode: spec.network ?? 'none', AutoRemove: false },
        }),
      spec.signal,
    );
    const onAbort = () => {
      // An event handler has nowhere to throw: a kill that fails (the container already exited) is
      // fine, and the abort itself is reported once wait() returns.
      created.kill().catch(() => undefined);
    };
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.start(created.id);
      const waited = (await this.#call(what, () => created.wait(), spec.signal)) as { StatusCode: number };
      throwIfAborted(spec.signal, { message: `Aborted while trying to ${what}; the container was killed` });
      const raw = (await this.#call(`read the log of a one-off container of ${spec.image.slice(0, 40)}`, () =>
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
    const what = `follow the log of ${id.slice(0, 12)}`;
    const { docker, stream } = await this.#call(
      what,
      async (d) => ({
        docker: d,
        stream: (await d.getContainer(id).logs({
          follow: true,
          stdout: true,
          stderr: true,
          since: opts.sinceSeconds ?? 0,
          abortSignal: opts.signal,
        })) as unknown as Readable,
      }),
      opts.signal,
    );
    try {
      yield* logLines(stream, (source, out, err) => docker.modem.demuxStream(source, out, err), opts.signal);
    } catch (err) {
      throw dockerFailure(what, err);
    }
  }

  async listLabelled(kind: ResourceKind, label: string): Promise<LabelledResource[]> {
    const filters = { label: [label] };
    return this.#call(`list ${kind}s labelled ${label}`, async (d): Promise<LabelledResource[]> => {
      switch (kind) {
        case 'container':
          return (await d.listContainers({ all: true, filters })).map((c) => ({
            kind,
            id: c.Id,
            name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
            labels: c.Labels ?? {},
          }));
        case 'volume':
          return ((await d.listVolumes({ filters })).Volumes ?? []).map((v) => ({
            kind,
            id: v.Name,
            name: v.Name,
            labels: v.Labels ?? {},
          }));
        case 'network':
          return (await d.listNetworks({ filters })).map((n) => ({
            kind,
            id: n.Id,
            name: n.Name,
            labels: n.Labels ?? {},
          }));
      }
    });
  }

  async removeResource(resource: LabelledResource): Promise<void> {
    if (resource.kind === 'container') return this.remove(resource.id);
    await this.#call(`remove ${resource.kind} ${resource.name}`, async (d) => {
      try {
        if (resource.kind === 'volume') await d.getVolume(resource.id).remove();
        else await d.getNetwork(resource.id).remove();
      } catch (err) {
        if (statusOf(err) !== 404) throw err; // 404: already gone
      }
    });
  }

  async containerSettings(idOrName: string): Promise<ContainerSettings> {
    const info = await this.#call(`inspect container ${idOrName}`, (d) => d.getContainer(idOrName).inspect());
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x ?? {})) as Record<string, unknown>;
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      running: info.State.Running,
      imageId: info.Image,
      config: plain(info.Config),
      hostConfig: plain(info.HostConfig),
      networks: plain(info.NetworkSettings?.Networks) as Record<string, Record<string, unknown>>,
      mounts: info.Mounts.map((m) => ({
        type: String(m.Type),
        name: m.Name ?? null,
        destination: m.Destination,
        rw: m.RW,
      })),
    };
  }

  async imageVolumes(reference: string): Promise<string[] | null> {
    return this.#call(`inspect image ${reference}`, async (d) => {
      try {
        return Object.keys((await d.getImage(reference).inspect()).Config?.Volumes ?? {});
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    });
  }

  async createContainer(spec: ContainerCreateSpec): Promise<string> {
    const created = await this.#call(`create container ${spec.name}`, (d) =>
      d.createContainer({
        ...(spec.config as Docker.ContainerCreateOptions),
        name: spec.name,
        HostConfig: spec.hostConfig as Docker.HostConfig,
        NetworkingConfig: { EndpointsConfig: spec.networks as Docker.EndpointsConfig },
      }),
    );
    return created.id;
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.#call(`rename container ${id.slice(0, 12)} to ${name}`, (d) =>
      d.getContainer(id).rename({ name }),
    );
  }

  async removeContainerKeepVolumes(id: string): Promise<void> {
    await this.#call(`remove container ${id.slice(0, 12)}`, async (d) => {
      try {
        await d.getContainer(id).remove({ force: true, v: false });
      } catch (err) {
        if (statusOf(err) !== 404) throw err; // 404: already gone
      }
    });
  }

  /** Runs a dockerode call, turning whatever it throws into an `UpgradeError` that says what failed. */
  /**
   * Where this adapter connects, resolved as the docker CLI would (DOCKER_HOST, contexts, TLS files);
   * undefined for a dockerode client the caller configured.
   *
   * @throws UpgradeError `DOCKER_ENDPOINT` when the environment names an endpoint that cannot be used
   */
  async endpoint(): Promise<DockerEndpoint | undefined> {
    return (await this.#connected()).endpoint;
  }

  #connected(): Promise<Connected> {
    this.#client ??= connect(this.#given).catch((err: unknown) => {
      this.#client = undefined; // a failed import or connection is retried by the next call
      throw err;
    });
    return this.#client;
  }

  async #call<T>(what: string, fn: (docker: Docker) => Promise<T>, signal?: AbortSignal): Promise<T> {
    let endpoint: DockerEndpoint | undefined;
    try {
      const connected = await this.#connected();
      endpoint = connected.endpoint;
      return await fn(connected.docker);
    } catch (err) {
      throw err instanceof UpgradeError ? err : dockerFailure(what, err, signal, endpoint);
    }
  }
}
