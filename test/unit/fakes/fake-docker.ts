import type { Readable } from 'node:stream';
import type {
  ContainerRecord,
  DockerPort,
  ExecOutcome,
  ExecRequest,
  LogLine,
  OneOffOutcome,
  ScratchContainerSpec,
} from '../../../src/docker/docker-port';
import { UpgradeError } from '../../../src/errors';

/** One command run through the fake, as the responder sees it. */
export interface FakeExec {
  container: ContainerRecord;
  cmd: string[];
  env: Record<string, string> | undefined;
  user: string | undefined;
  signal: AbortSignal | undefined;
  /** Reads the whole of standard input (empty when none was given). */
  stdinText(): Promise<string>;
  /** Standard input line by line, as it arrives; for long-lived commands fed a line at a time. */
  stdinLines(): AsyncIterable<string>;
  /** Streams standard output now, before the command finishes. */
  write(chunk: string | Buffer): Promise<void>;
}

export interface FakeReply {
  /** null: Docker could not tell (the container stopped under the command). */
  exitCode: number | null;
  stdout?: string | Buffer;
  stderr?: string;
}

export type Responder = (exec: FakeExec) => FakeReply | Promise<FakeReply>;

/** A port call the fake received: method name and its arguments (stream fields left out). */
export interface FakeCall {
  method: keyof DockerPort;
  args: unknown[];
}

/** Builds a container record with the fields a test does not care about filled in. */
export function container(fields: Partial<ContainerRecord> & { name: string }): ContainerRecord {
  return {
    id: `${fields.name}-id`,
    image: 'postgres:18',
    imageId: `sha256:${'0'.repeat(64)}`,
    labels: {},
    env: [],
    running: true,
    status: fields.running === false ? 'exited' : 'running',
    exitCode: 0,
    restartCount: 0,
    health: 'none',
    startedAt: '2026-01-01T00:00:00Z',
    networks: [],
    addresses: [],
    ...fields,
  };
}

/** A compose-labelled container of `project`/`service`. */
export function composeContainer(
  project: string,
  service: string,
  fields: Partial<ContainerRecord> = {},
): ContainerRecord {
  return container({
    name: `${project}-${service}-1`,
    ...fields,
    labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.service': service,
      ...fields.labels,
    },
  });
}

/**
 * An in-memory Docker: a list of container records, and `exec` answered by a responder. Records
 * every call so a test can tell that validation happened before Docker was touched.
 */
export class FakeDocker implements DockerPort {
  readonly containers: ContainerRecord[];
  readonly calls: FakeCall[] = [];
  respond: Responder;
  #created = 0;

  constructor(containers: ContainerRecord[] = [], respond?: Responder) {
    this.containers = containers;
    this.respond = respond ?? ((e) => ({ exitCode: 127, stderr: `${e.cmd[0]}: command not found` }));
  }

  async findContainers(labels: Record<string, string>): Promise<ContainerRecord[]> {
    this.calls.push({ method: 'findContainers', args: [labels] });
    return this.containers
      .filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
      .map((c) => structuredClone(c));
  }

  async inspect(idOrName: string): Promise<ContainerRecord> {
    this.calls.push({ method: 'inspect', args: [idOrName] });
    return structuredClone(this.#get(idOrName));
  }

  async exec(id: string, req: ExecRequest): Promise<ExecOutcome> {
    this.calls.push({ method: 'exec', args: [id, { cmd: req.cmd, env: req.env, user: req.user }] });
    const c = this.#get(id);
    if (!c.running) {
      throw new UpgradeError('DOCKER_OPERATION', { message: `Container ${c.name} is not running` });
    }
    const collected: Buffer[] = [];
    const write = async (chunk: string | Buffer): Promise<void> => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (!req.stdout) {
        collected.push(buf);
        return;
      }
      const sink = req.stdout;
      await new Promise<void>((resolve, reject) => sink.write(buf, (err) => (err ? reject(err) : resolve())));
    };
    const reply = await this.respond({
      container: c,
      cmd: [...req.cmd],
      env: req.env,
      user: req.user,
      signal: req.signal,
      stdinText: () => readAll(req.stdin),
      stdinLines: () => lines(req.stdin),
      write,
    });
    if (reply.stdout !== undefined) await write(reply.stdout);
    if (req.stdout) {
      const sink = req.stdout;
      await new Promise<void>((resolve) => sink.end(resolve));
    }
    return {
      exitCode: reply.exitCode,
      stdout: Buffer.concat(collected).toString('utf8'),
      stderr: (reply.stderr ?? '').slice(-64 * 1024),
    };
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.push({ method: 'stop', args: [id, timeoutSeconds] });
    const c = this.#get(id);
    c.running = false;
    c.status = 'exited';
  }

  async start(id: string): Promise<void> {
    this.calls.push({ method: 'start', args: [id] });
    const c = this.#get(id);
    c.running = true;
    c.status = 'running';
  }

  async createAndStart(spec: ScratchContainerSpec): Promise<string> {
    this.calls.push({ method: 'createAndStart', args: [spec] });
    const name = spec.name ?? `scratch-${++this.#created}`;
    const c = container({
      name,
      image: spec.image,
      labels: { ...spec.labels },
      env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    });
    this.containers.push(c);
    return c.id;
  }

  async remove(id: string): Promise<void> {
    this.calls.push({ method: 'remove', args: [id] });
    const at = this.containers.findIndex((c) => c.id === id || c.name === id);
    if (at >= 0) this.containers.splice(at, 1);
  }

  pullImage(): Promise<void> {
    return notInFake('pullImage');
  }
  inspectImage(): Promise<null> {
    return notInFake('inspectImage');
  }
  tagImage(): Promise<void> {
    return notInFake('tagImage');
  }
  readImageFiles(): Promise<{ name: string; content: string }[]> {
    return notInFake('readImageFiles');
  }
  runOneOff(): Promise<OneOffOutcome> {
    return notInFake('runOneOff');
  }
  followLogs(): AsyncIterable<LogLine> {
    return notInFake('followLogs');
  }

  #get(idOrName: string): ContainerRecord {
    const c = this.containers.find((x) => x.id === idOrName || x.name === idOrName);
    if (!c) throw new UpgradeError('DOCKER_OPERATION', { message: `No such container: ${idOrName}` });
    return c;
  }
}

/** Image and one-off operations: the backup and restore tests never reach them. */
function notInFake(method: string): never {
  throw new Error(`FakeDocker.${method} is not modelled by this fake`);
}

async function readAll(stream: Readable | undefined): Promise<string> {
  if (!stream) return '';
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts).toString('utf8');
}

async function* lines(stream: Readable | undefined): AsyncIterable<string> {
  if (!stream) return;
  let rest = '';
  for await (const chunk of stream) {
    rest += Buffer.from(chunk as Buffer).toString('utf8');
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      nl = rest.indexOf('\n');
    }
  }
  if (rest) yield rest;
}
