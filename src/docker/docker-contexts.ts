import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointError } from './endpoint-error';

/** A context's Docker endpoint, as `docker context create` stored it. */
export interface ContextEndpoint {
  host: string;
  skipTlsVerify: boolean;
  /** The context's TLS store (`ca.pem`, `cert.pem`, `key.pem`), or null when it has none. */
  tlsDir: string | null;
}

/** The config file's `currentContext` (what `docker context use` set), or undefined. */
export function currentContextName(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  const text = readOptional(file);
  if (text === undefined) return undefined;
  let config: { currentContext?: unknown };
  try {
    config = JSON.parse(text) as { currentContext?: unknown };
  } catch (err) {
    throw endpointError(
      `The Docker config file ${file} is not valid JSON, so the current context cannot be read`,
      'Fix or remove the file, or set DOCKER_HOST or DOCKER_CONTEXT',
      err,
    );
  }
  return typeof config.currentContext === 'string' && config.currentContext
    ? config.currentContext
    : undefined;
}

/** The stores are keyed by the SHA-256 of the context's name, as the docker CLI keeps them. */
export function contextDirs(configDir: string, name: string): { meta: string; tls: string } {
  const key = createHash('sha256').update(name).digest('hex');
  return {
    meta: join(configDir, 'contexts', 'meta', key, 'meta.json'),
    tls: join(configDir, 'contexts', 'tls', key, 'docker'),
  };
}

/** Reads a context's Docker endpoint from the context store under the config directory. */
export function contextEndpoint(configDir: string, name: string): ContextEndpoint {
  const dirs = contextDirs(configDir, name);
  const text = readOptional(dirs.meta);
  if (text === undefined) {
    throw endpointError(
      `Docker context "${name.slice(0, 100)}" does not exist (no ${dirs.meta})`,
      "List the contexts with 'docker context ls'; set DOCKER_CONTEXT to one of them or unset it",
    );
  }
  let docker: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  try {
    const meta = JSON.parse(text) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
    docker = meta.Endpoints?.docker;
  } catch (err) {
    throw endpointError(
      `Docker context "${name}" cannot be read: ${dirs.meta} is not valid JSON`,
      `Recreate the context with 'docker context rm ${name}' and 'docker context create'`,
      err,
    );
  }
  if (typeof docker?.Host !== 'string' || !docker.Host) {
    throw endpointError(
      `Docker context "${name}" has no Docker endpoint (Endpoints.docker.Host in ${dirs.meta})`,
      `Inspect it with 'docker context inspect ${name}' and recreate it with a --docker host=... endpoint`,
    );
  }
  const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some((f) => existsSync(join(dirs.tls, f)));
  return {
    host: docker.Host,
    skipTlsVerify: docker.SkipTLSVerify === true,
    tlsDir: hasTls ? dirs.tls : null,
  };
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw endpointError(
      `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'Check the permissions of the Docker config directory (DOCKER_CONFIG, default ~/.docker)',
      err,
    );
  }
}
