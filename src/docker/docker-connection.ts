// Types only: dockerode (and the ssh2 it brings) is imported on the first Docker call.
import type Docker from 'dockerode';

/** How to reach the Docker engine. With no field set: DOCKER_HOST, else the local socket. */
export interface DockerConnection {
  /** A Unix socket (or Windows named pipe). */
  socketPath?: string;
  host?: string;
  port?: number | string;
  protocol?: 'http' | 'https' | 'ssh';
  /** For ssh. */
  username?: string;
  /** TLS material for https. */
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Request timeout in milliseconds. @default none */
  timeout?: number;
  /** Engine API version such as `v1.43`. @default negotiated by the client */
  version?: string;
}

/**
 * A dockerode client the caller built and configured. Described by shape only, so that the library's
 * public types do not depend on dockerode's.
 */
export interface DockerodeClient {
  listContainers(...args: never[]): unknown;
  getContainer(...args: never[]): unknown;
  modem: unknown;
}

/** The caller's client as it is, or a new one for the connection (importing dockerode now). */
export async function connect(given: DockerConnection | DockerodeClient): Promise<Docker> {
  if (isClient(given)) return given as unknown as Docker;
  const { default: Dockerode } = await import('dockerode');
  return new Dockerode(given as Docker.DockerOptions);
}

function isClient(given: DockerConnection | DockerodeClient): given is DockerodeClient {
  return typeof (given as { listContainers?: unknown }).listContainers === 'function';
}
