import { existsSync } from 'node:fs';
import { AbortedError, UpgradeError } from '../errors';
import type { DockerEndpoint } from './docker-endpoint';

/**
 * A dockerode or stream error as the library reports it, saying what was being done and, when known,
 * which engine it tried. Errors that are already ours pass through; anything after `signal` fired is the
 * abort.
 */
export function dockerFailure(
  what: string,
  err: unknown,
  signal?: AbortSignal,
  endpoint?: DockerEndpoint,
): UpgradeError {
  if (err instanceof UpgradeError) return err;
  if (signal?.aborted) return new AbortedError({ message: `Aborted while trying to ${what}`, cause: err });
  const e = err as { code?: string; json?: { message?: string }; message?: string };
  const at = endpoint && !(endpoint.from === 'default') ? ` at ${endpoint.host}` : '';
  if (
    endpoint?.transport === 'ssh' &&
    e.code === 'ENOENT' &&
    /ssh/.test(String((err as { path?: string }).path))
  ) {
    return new UpgradeError('DOCKER_UNAVAILABLE', {
      message: `Could not ${what}: the Docker engine${at} is reached through ssh, and there is no ssh client on this machine's PATH`,
      unchanged: 'Nothing was changed',
      hint: 'Install the OpenSSH client (Debian: openssh-client), then run again',
      cause: err,
    });
  }
  if (
    e.code === 'ENOENT' ||
    e.code === 'ECONNREFUSED' ||
    e.code === 'EACCES' ||
    e.code === 'EHOSTUNREACH' ||
    e.code === 'ETIMEDOUT'
  ) {
    return new UpgradeError('DOCKER_UNAVAILABLE', {
      message: `Could not ${what}: the Docker engine${at} does not answer (${e.code})`,
      unchanged: 'Nothing was changed',
      hint: endpointHint(endpoint),
      cause: err,
    });
  }
  if (endpoint?.transport === 'ssh' && /ssh exited/.test(e.message ?? '')) {
    return new UpgradeError('DOCKER_UNAVAILABLE', {
      message: `Could not ${what}: the ssh connection to the Docker engine${at} failed (${e.message})`,
      unchanged: 'Nothing was changed',
      hint: `Check that 'ssh ${endpoint.user ? `${endpoint.user}@` : ''}${endpoint.address}${endpoint.port ? ` -p ${endpoint.port}` : ''} docker system dial-stdio' works from this machine without a prompt (key or agent, known host), then run again`,
      cause: err,
    });
  }
  if (
    endpoint?.tls &&
    /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(e.code ?? '')
  ) {
    const { tls } = endpoint;
    const noClientCert = /CERTIFICATE_REQUIRED/.test(e.code ?? '') && !existsSync(tls.certFile);
    return new UpgradeError('DOCKER_ENDPOINT', {
      message: `Could not ${what}: the TLS handshake with the Docker engine${at} failed (${e.code})`,
      unchanged: 'Nothing was changed',
      hint: noClientCert
        ? `The engine requires a client certificate and ${tls.dir} has none: put this client's cert.pem and key.pem there`
        : `Check that ${tls.caFile} is the CA that signed the engine's certificate, that the certificate names ${endpoint.address}, and that the engine accepts this client's certificate (${tls.certFile})`,
      cause: err,
    });
  }
  return new UpgradeError('DOCKER_OPERATION', {
    message: `Could not ${what}: ${e.json?.message ?? e.message ?? String(err)}`,
    cause: err,
  });
}

function endpointHint(endpoint: DockerEndpoint | undefined): string {
  if (!endpoint || endpoint.from === 'default') return 'Start Docker or set DOCKER_HOST, then run again';
  const by =
    endpoint.from === 'context'
      ? `the Docker context "${endpoint.context}"`
      : endpoint.from === 'host'
        ? 'DOCKER_HOST (or the host option)'
        : 'the connection options';
  return `Check that the engine named by ${by} runs and that this machine can reach ${endpoint.host}, then run again`;
}

/** The HTTP status of a Docker API error, when it carries one. */
export function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}
