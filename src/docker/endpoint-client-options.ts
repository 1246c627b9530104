import { Agent as HttpsAgent } from 'node:https';
import type Docker from 'dockerode';
import type { DockerEndpoint } from './docker-endpoint';
import { loadTls } from './endpoint-tls';
import { SshDialAgent } from './ssh-dial-agent';

/**
 * dockerode options that reach a resolved endpoint. Every field is given, so dockerode's own reading of
 * DOCKER_HOST and DOCKER_CERT_PATH (which differs from the docker CLI's) decides nothing.
 */
export function clientOptions(
  endpoint: DockerEndpoint,
  extra: { timeout?: number; version?: string } = {},
): Docker.DockerOptions {
  const common = {
    ...(extra.timeout === undefined ? {} : { timeout: extra.timeout }),
    ...(extra.version === undefined ? {} : { version: extra.version }),
  };
  switch (endpoint.transport) {
    case 'unix':
    case 'npipe':
      // host and protocol stated too: dockerode would otherwise keep the ones it read from DOCKER_HOST.
      return { socketPath: endpoint.address, host: undefined, protocol: 'http', ...common };
    case 'ssh':
      // The host name only fills the Host header; the agent's ssh command does the connecting.
      return {
        protocol: 'http',
        host: 'docker',
        port: 80,
        agent: new SshDialAgent(endpoint),
        ...common,
      } as Docker.DockerOptions;
    case 'tcp': {
      if (!endpoint.tls) return { protocol: 'http', host: endpoint.address, port: endpoint.port, ...common };
      const material = loadTls(endpoint.tls);
      const agent = new HttpsAgent({ keepAlive: true, ...material, rejectUnauthorized: endpoint.tls.verify });
      return {
        protocol: 'https',
        host: endpoint.address,
        port: endpoint.port,
        ...material,
        agent,
        ...common,
      } as Docker.DockerOptions;
    }
  }
}
