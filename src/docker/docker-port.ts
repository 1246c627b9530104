import type { Readable, Writable } from 'node:stream';
import type { DockerEndpoint } from './docker-endpoint';

/** What the library needs to know about a container. Our record, not the Docker SDK's. */
export interface ContainerRecord {
  id: string;
  name: string;
  /** The image reference the container was created from (e.g. `ghcr.io/engram-app/engram:0.17.0`). */
  image: string;
  /** The image id (`sha256:…`) it runs: fixed even when the tag moves. */
  imageId: string;
  labels: Record<string, string>;
  /** Raw `KEY=value` entries. Contains secrets: never print, log or store them. */
  env: string[];
  running: boolean;
  status: string;
  exitCode: number;
  restartCount: number;
  health: 'none' | 'starting' | 'healthy' | 'unhealthy';
  /** When the current run of the container started (ISO time; Docker's zero time when never started). */
  startedAt: string;
  /** The networks the container is attached to, by name. */
  networks: string[];
  /** The container's IP addresses on those networks (how Postgres sees its connections). */
  addresses: string[];
}

/** What the library needs to know about an image. */
export interface ImageRecord {
  /** `sha256:…` */
  id: string;
  repoTags: string[];
  /** `repo@sha256:…` entries: set once the image was pushed or pulled through a registry. */
  repoDigests: string[];
  /** The image's `ENV` entries (no secrets in a published image). */
  env: string[];
  labels: Record<string, string>;
}

/** One progress report of an image pull, summed over its layers. */
export interface PullProgress {
  status: string;
  /** Bytes downloaded so far and the total known so far, over every layer that reported sizes. */
  current: number;
  total: number;
}

/** A one-off container of an app image: started, waited for, removed. */
export interface OneOffSpec {
  /** Image reference or id. */
  image: string;
  entrypoint: string[];
  cmd: string[];
  /** Passed through the container's environment (never argv). */
  env: string[];
  /** A network to attach to so the container reaches the database by its service name. */
  network?: string;
  labels: Record<string, string>;
  signal?: AbortSignal;
}

export interface OneOffOutcome {
  exitCode: number;
  /** stdout and stderr as the container printed them (may contain secrets: redact before showing). */
  output: string;
}

/** A line of a container's log. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface ExecRequest {
  cmd: string[];
  /** Passed through the exec's environment, never through argv. */
  env?: Record<string, string>;
  user?: string;
  /** Streamed to the command's standard input, then closed. */
  stdin?: Readable;
  /** Receives standard output with back-pressure; when absent, output is collected (keep it small). */
  stdout?: Writable;
  signal?: AbortSignal;
}

export interface ExecOutcome {
  /** null when Docker could not tell (for example the container stopped under the command). */
  exitCode: number | null;
  /** Collected output, only when no `stdout` stream was given. */
  stdout: string;
  /** The last 64 KiB of standard error. */
  stderr: string;
}

/** A container the library starts for its own use (a scratch Postgres): no network, no port. */
export interface ScratchContainerSpec {
  image: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  cmd?: string[];
  /** Container name; Docker picks one when absent. */
  name?: string;
}

/** The Docker operations the library uses. The production adapter is `DockerodeDocker`. */
export interface DockerPort {
  /**
   * Where the engine is, for a `docker compose` child that must reach the same one and for modes that
   * need the engine on this machine. Optional: a port that does not say is taken as the environment's.
   */
  endpoint?(): Promise<DockerEndpoint | undefined>;
  findContainers(labels: Record<string, string>): Promise<ContainerRecord[]>;
  inspect(idOrName: string): Promise<ContainerRecord>;
  exec(id: string, req: ExecRequest): Promise<ExecOutcome>;
  stop(id: string, timeoutSeconds: number): Promise<void>;
  start(id: string): Promise<void>;
  createAndStart(spec: ScratchContainerSpec): Promise<string>;
  /** Force-removes a container and its anonymous volumes. */
  remove(id: string): Promise<void>;
  /** Pulls an image from its registry. */
  pullImage(
    reference: string,
    opts?: { signal?: AbortSignal; onProgress?: (p: PullProgress) => void },
  ): Promise<void>;
  /** The local image a reference or id names, or null when there is none. */
  inspectImage(reference: string): Promise<ImageRecord | null>;
  /** Points a local tag at an image id (the rollback's way back to an image whose tag moved). */
  tagImage(imageId: string, reference: string): Promise<void>;
  /**
   * Regular files at or under a path of an image, read from a created (never started) container: the
   * image's own code does not run.
   */
  readImageFiles(image: string, path: string): Promise<{ name: string; content: string }[]>;
  /** Runs a one-off container to completion and removes it. */
  runOneOff(spec: OneOffSpec): Promise<OneOffOutcome>;
  /** The container's log from `sinceSeconds` (Unix time), following it until the signal aborts. */
  followLogs(id: string, opts: { sinceSeconds?: number; signal: AbortSignal }): AsyncIterable<LogLine>;
}

export type ResourceKind = 'container' | 'volume' | 'network';

/** A container, volume or network found by its label. */
export interface LabelledResource {
  kind: ResourceKind;
  /** Container or network id; a volume's name. */
  id: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * Housekeeping of labelled leftovers (the test harness's sweep): beyond what an upgrade needs, so it
 * is a port of its own. `DockerodeDocker` implements both.
 */
export interface DockerHousekeepingPort {
  /** Everything of that kind carrying the label: `key` (any value) or `key=value`. Containers include stopped ones. */
  listLabelled(kind: ResourceKind, label: string): Promise<LabelledResource[]>;
  /** Removes it (a container by force, with its anonymous volumes). One that is already gone is not an error. */
  removeResource(resource: LabelledResource): Promise<void>;
}

/**
 * A container's own settings as the Engine API reports them, enough to create its twin. `config`,
 * `hostConfig` and each network's endpoint are the Engine API's `Config`, `HostConfig` and
 * `EndpointSettings` objects as inspect returns them (plain JSON): they are carried over field by
 * field, so they stay in Docker's own shape rather than a copy of it.
 */
export interface ContainerSettings {
  id: string;
  name: string;
  running: boolean;
  imageId: string;
  config: Record<string, unknown>;
  hostConfig: Record<string, unknown>;
  /** Endpoint settings by network name. */
  networks: Record<string, Record<string, unknown>>;
  /** What is mounted where; `name` is the volume's (anonymous ones included), null for other mounts. */
  mounts: { type: string; name: string | null; destination: string; rw: boolean }[];
}

/** A container to create, in the shapes of `ContainerSettings`. */
export interface ContainerCreateSpec {
  name: string;
  config: Record<string, unknown>;
  hostConfig: Record<string, unknown>;
  networks: Record<string, Record<string, unknown>>;
}

/**
 * Replacing a container by a twin without the compose CLI (the engine recreate driver): beyond what
 * most of the library needs, so a port of its own. `DockerodeDocker` implements it.
 */
export interface DockerRecreatePort {
  containerSettings(idOrName: string): Promise<ContainerSettings>;
  /** The mount points an image declares with `VOLUME`; null when the image is not in the local store. */
  imageVolumes(reference: string): Promise<string[] | null>;
  /** Creates (never starts) a container; returns its id. */
  createContainer(spec: ContainerCreateSpec): Promise<string>;
  renameContainer(id: string, name: string): Promise<void>;
  /** Removes a container but never its volumes (its twin mounts them). One already gone is not an error. */
  removeContainerKeepVolumes(id: string): Promise<void>;
}

/** Whether a Docker port can also recreate containers (the production adapter can; a caller's own may not). */
export function canRecreate(docker: DockerPort): docker is DockerPort & DockerRecreatePort {
  const d = docker as Partial<DockerRecreatePort>;
  return (
    typeof d.containerSettings === 'function' &&
    typeof d.imageVolumes === 'function' &&
    typeof d.createContainer === 'function' &&
    typeof d.renameContainer === 'function' &&
    typeof d.removeContainerKeepVolumes === 'function'
  );
}
