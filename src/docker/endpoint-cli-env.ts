import { UpgradeError } from '../errors';
import type { DockerEndpoint } from './docker-endpoint';

const ENDPOINT_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;

/**
 * The environment of a docker CLI child (`docker compose`) that reaches the same engine as the library:
 * the caller's environment with the endpoint variables set from the resolved endpoint. Only names of
 * files and contexts travel; the TLS files stay where they are and nothing goes on the command line.
 * Without an endpoint (a client the caller configured) the environment is passed on as it is.
 *
 * @throws UpgradeError `REMOTE_UNSUPPORTED` for TLS material given in memory, which a child cannot read
 */
export function cliEnv(
  endpoint: DockerEndpoint | undefined,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = { ...base };
  if (!endpoint) return env;
  if (endpoint.inMemoryTls) {
    throw new UpgradeError('REMOTE_UNSUPPORTED', {
      message: `docker compose cannot reach ${endpoint.host}: its TLS certificates were given in memory, and the compose child reads them only from files`,
      unchanged: 'Nothing was changed',
      hint: 'Connect with endpoint: { host, tlsVerify: true, certPath } (a directory with ca.pem, cert.pem and key.pem), or set DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH',
    });
  }
  for (const name of ENDPOINT_VARS) delete env[name];
  if (endpoint.configDir) env.DOCKER_CONFIG = endpoint.configDir;
  if (endpoint.from === 'context') {
    env.DOCKER_CONTEXT = endpoint.context;
    return env;
  }
  env.DOCKER_HOST = endpoint.host;
  if (endpoint.tls) {
    if (!endpoint.tls.verify) {
      // Only a context can say "TLS without checking the server"; the variables cannot.
      throw new UpgradeError('REMOTE_UNSUPPORTED', {
        message: `docker compose cannot be told to skip the TLS check of ${endpoint.host} through its environment`,
        unchanged: 'Nothing was changed',
        hint: 'Use a Docker context created with skip-tls-verify, or give the engine a certificate this machine can check',
      });
    }
    env.DOCKER_TLS_VERIFY = '1';
    env.DOCKER_CERT_PATH = endpoint.tls.dir;
  }
  return env;
}
