// Types only: dockerode (and the ssh2 it brings) is imported on the first Docker call.
import type Docker from 'dockerode';
import type { DockerEndpoint, DockerEndpointSettings } from './docker-endpoint';

/**
 * How to reach the Docker engine. With no field set: as the docker CLI would (DOCKER_HOST, DOCKER_CONTEXT,
 * the current context of ~/.docker/config.json, else the local socket; TLS from DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH). `endpoint` names it the same ways in code. The low-level fields (socketPath, host,
 * port, protocol, ca, cert, key, username) are passed to dockerode as they are and replace all of that.
 */
export interface DockerConnection {
  /** The engine named as the docker CLI names it; fields left out come from the environment. */
  endpoint?: DockerEndpointSettings;
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

export interface Connected {
  docker: Docker;
  /** Where it connects; undefined for a client the caller configured. */
  endpoint: DockerEndpoint | undefined;
}

const LOW_LEVEL = ['socketPath', 'host', 'port', 'protocol', 'username', 'ca', 'cert', 'key'] as const;

/** The caller's client as it is, or a new one for the connection (importing dockerode now). */
export async function connect(given: DockerConnection | DockerodeClient): Promise<Connected> {
  if (isClient(given)) return { docker: given as unknown as Docker, endpoint: undefined };
  const { default: Dockerode } = await import('dockerode');
  const extra = { timeout: given.timeout, version: given.version };
  if (LOW_LEVEL.some((k) => given[k] !== undefined)) {
    const { endpoint: _, ...options } = given;
    return { docker: new Dockerode(options as Docker.DockerOptions), endpoint: lowLevelEndpoint(given) };
  }
  const { resolveDockerEndpoint } = await import('./docker-endpoint');
  const { clientOptions } = await import('./endpoint-client-options');
  const endpoint = resolveDockerEndpoint(given.endpoint);
  const options = clientOptions(endpoint, extra);
  return { docker: withoutModemEnv(() => new Dockerode(options)), endpoint };
}

/**
 * dockerode's modem reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself when it is built,
 * by its own rules (it reads every file of DOCKER_CERT_PATH, and throws a bare ENOENT when the client
 * pair is absent, which the docker CLI allows). The endpoint is already resolved and every option given,
 * so the modem is built with those variables out of sight. Synchronous: nothing else runs meanwhile.
 */
function withoutModemEnv<T>(build: () => T): T {
  const names = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  try {
    return build();
  } finally {
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}

/** What the low-level fields name, described as an endpoint (for compose and for messages). */
function lowLevelEndpoint(c: DockerConnection): DockerEndpoint {
  const base = { tls: null, from: 'options' as const, context: 'default', configDir: '' };
  if (c.socketPath) {
    return { ...base, host: `unix://${c.socketPath}`, transport: 'unix', address: c.socketPath, local: true };
  }
  const address = c.host ?? 'localhost';
  const local = address === 'localhost' || address === '::1' || /^127\./.test(address);
  if (c.protocol === 'ssh') {
    const port = c.port ? Number(c.port) : undefined;
    const user = c.username;
    return {
      ...base,
      host: `ssh://${user ? `${user}@` : ''}${address}${port ? `:${port}` : ''}`,
      transport: 'ssh',
      address,
      ...(port ? { port } : {}),
      ...(user ? { user } : {}),
      local,
    };
  }
  const tls = c.protocol === 'https' || Boolean(c.ca && c.cert && c.key);
  const port = Number(c.port ?? (tls ? 2376 : 2375));
  return {
    ...base,
    host: `tcp://${address}:${port}`,
    transport: 'tcp',
    address,
    port,
    local,
    ...(tls ? { inMemoryTls: true } : {}),
  };
}

function isClient(given: DockerConnection | DockerodeClient): given is DockerodeClient {
  return typeof (given as { listContainers?: unknown }).listContainers === 'function';
}
