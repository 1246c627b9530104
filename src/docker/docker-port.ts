import type { Readable, Writable } from 'node:stream';

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
  findContainers(labels: Record<string, string>): Promise<ContainerRecord[]>;
  inspect(idOrName: string): Promise<ContainerRecord>;
  exec(id: string, req: ExecRequest): Promise<ExecOutcome>;
  stop(id: string, timeoutSeconds: number): Promise<void>;
  start(id: string): Promise<void>;
  createAndStart(spec: ScratchContainerSpec): Promise<string>;
  /** Force-removes a container and its anonymous volumes. */
  remove(id: string): Promise<void>;
}
