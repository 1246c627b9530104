import { homedir } from 'node:os';
import { join } from 'node:path';
import type { UpgradeError } from '../errors';
import { contextEndpoint, currentContextName } from './docker-contexts';
import { endpointError } from './endpoint-error';

/**
 * Where the engine is, named the ways the docker CLI names it. Every field left out is read from the
 * environment (`DOCKER_HOST`, `DOCKER_CONTEXT`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, `DOCKER_CONFIG`).
 */
export interface DockerEndpointSettings {
  /** An engine address like `DOCKER_HOST`: `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
  host?: string;
  /** A Docker context by name (`docker context ls`). `host` wins over it, as `DOCKER_HOST` does over `DOCKER_CONTEXT`. */
  context?: string;
  /** TLS with the server's certificate checked against `ca.pem`, as `DOCKER_TLS_VERIFY=1`. For a `tcp://` host. */
  tlsVerify?: boolean;
  /** The directory of `ca.pem`, `cert.pem` and `key.pem`, as `DOCKER_CERT_PATH`. @default the Docker config directory */
  certPath?: string;
  /** The Docker config directory, as `DOCKER_CONFIG`. @default `~/.docker` */
  configDir?: string;
}

/** TLS for a `tcp://` endpoint: file paths only; the files are read when connecting. */
export interface EndpointTls {
  /** false only for a context saved with `skip-tls-verify`. */
  verify: boolean;
  /** The directory holding the files (DOCKER_CERT_PATH, or a context's TLS store). */
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A resolved engine endpoint: plain data, no key material, safe to print. */
export interface DockerEndpoint {
  /** The address in `DOCKER_HOST` form, with the default port filled in. */
  host: string;
  transport: 'unix' | 'npipe' | 'tcp' | 'ssh';
  /** unix/npipe: the socket path; tcp/ssh: the host name or address. */
  address: string;
  /** tcp/ssh only. */
  port?: number;
  /** ssh only, when the address names one. */
  user?: string;
  tls: EndpointTls | null;
  /** What chose this endpoint: a host address, a context, nothing (the default socket), or dockerode options. */
  from: 'host' | 'context' | 'default' | 'options';
  /** TLS material the caller gave in memory (dockerode options): a docker CLI child cannot be handed it. */
  inMemoryTls?: true;
  /** The context used (`default` when none was named). */
  context: string;
  configDir: string;
  /**
   * The engine runs on this machine: a socket, or a loopback address. Anything else is treated as
   * another machine, whose published ports and paths are not this machine's.
   */
  local: boolean;
}

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The settings the environment gives (empty values count as unset, as the docker CLI reads them). */
export function endpointSettingsFromEnv(env: NodeJS.ProcessEnv): DockerEndpointSettings {
  return {
    ...(env.DOCKER_HOST ? { host: env.DOCKER_HOST } : {}),
    ...(env.DOCKER_CONTEXT ? { context: env.DOCKER_CONTEXT } : {}),
    ...(env.DOCKER_TLS_VERIFY ? { tlsVerify: true } : {}),
    ...(env.DOCKER_CERT_PATH ? { certPath: env.DOCKER_CERT_PATH } : {}),
    ...(env.DOCKER_CONFIG ? { configDir: env.DOCKER_CONFIG } : {}),
  };
}

/**
 * Resolves the engine the docker CLI would talk to: an explicit host (`DOCKER_HOST`) first, then a named
 * context (`DOCKER_CONTEXT`), then the config file's `currentContext`, then the default socket.
 * Given settings replace the environment's field by field.
 *
 * @throws UpgradeError `DOCKER_ENDPOINT` for an address that cannot be parsed, an unknown context or an
 * unreadable context store.
 */
export function resolveDockerEndpoint(
  settings: DockerEndpointSettings = {},
  env: NodeJS.ProcessEnv = process.env,
): DockerEndpoint {
  const s = { ...endpointSettingsFromEnv(env), ...settings };
  // A host given in the settings outranks a context from the environment, and the other way round.
  if (settings.context && !settings.host) delete s.host;
  if (settings.host && !settings.context) delete s.context;
  const configDir = s.configDir ?? join(homedir(), '.docker');
  if (s.host) {
    const parsed = parseDockerHost(s.host, Boolean(s.tlsVerify));
    // TLS applies to tcp only; the docker CLI ignores it for a socket or ssh.
    const tls = s.tlsVerify && parsed.transport === 'tcp' ? tlsFiles(s.certPath ?? configDir, true) : null;
    return { ...parsed, tls, from: 'host', context: 'default', configDir };
  }
  const name = s.context ?? currentContextName(configDir);
  if (name && name !== 'default') {
    const ctx = contextEndpoint(configDir, name);
    const parsed = parseDockerHost(ctx.host, ctx.tlsDir !== null);
    const tls = parsed.transport === 'tcp' && ctx.tlsDir ? tlsFiles(ctx.tlsDir, !ctx.skipTlsVerify) : null;
    return { ...parsed, tls, from: 'context', context: name, configDir };
  }
  return {
    ...parseDockerHost(`unix://${DEFAULT_SOCKET}`, false),
    tls: null,
    from: 'default',
    context: 'default',
    configDir,
  };
}

export function tlsFiles(dir: string, verify: boolean): EndpointTls {
  return {
    verify,
    dir,
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'cert.pem'),
    keyFile: join(dir, 'key.pem'),
  };
}

type Parsed = Pick<DockerEndpoint, 'host' | 'transport' | 'address' | 'port' | 'user' | 'local'>;

/** Parses an address in `DOCKER_HOST` form the way the docker CLI does (a bare `host:port` is tcp). */
export function parseDockerHost(raw: string, tls: boolean): Parsed {
  const value = raw.trim();
  const scheme = /^([a-z]+):\/\//.exec(value)?.[1];
  if (scheme === 'unix' || scheme === 'npipe') {
    const path =
      value.slice(scheme.length + 3) || (scheme === 'unix' ? DEFAULT_SOCKET : '//./pipe/docker_engine');
    return { host: `${scheme}://${path}`, transport: scheme, address: path, local: true };
  }
  if (scheme !== undefined && scheme !== 'tcp' && scheme !== 'ssh') {
    throw badHost(raw, `the scheme ${scheme}:// is not one the docker CLI accepts (unix, npipe, tcp, ssh)`);
  }
  let url: URL;
  try {
    url = new URL(scheme ? value : `tcp://${value}`);
  } catch {
    throw badHost(raw, 'it is not an address');
  }
  if (!url.hostname) throw badHost(raw, 'it names no host');
  if (url.pathname && url.pathname !== '/')
    throw badHost(raw, 'it has a path, which the docker CLI does not accept here');
  if (url.search || url.hash) throw badHost(raw, 'it has a query or fragment');
  const address = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const local = isLoopback(address);
  if (scheme === 'ssh') {
    if (url.password) throw badHost(raw, 'it has a password; use a key or an ssh agent instead');
    const port = url.port ? Number(url.port) : undefined;
    const user = url.username ? decodeURIComponent(url.username) : undefined;
    return {
      host: `ssh://${user ? `${user}@` : ''}${url.host}`,
      transport: 'ssh',
      address,
      ...(port ? { port } : {}),
      ...(user ? { user } : {}),
      local,
    };
  }
  if (url.username || url.password) throw badHost(raw, 'a tcp address takes no user name');
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  return { host: `tcp://${url.hostname}:${port}`, transport: 'tcp', address, port, local };
}

export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

function badHost(raw: string, why: string): UpgradeError {
  return endpointError(
    `The Docker engine address ${JSON.stringify(raw.slice(0, 200))} cannot be used: ${why}`,
    'Set DOCKER_HOST (or the host option) to unix:///path/to/docker.sock, tcp://host:port or ssh://user@host[:port]',
  );
}
