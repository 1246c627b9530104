import type { DockerPort } from './docker-port';

/**
 * The production adapter on DOCKER_HOST or the default socket. Imported here, on first use, so that a
 * caller that only parses and plans, or brings its own port, never loads the Docker client.
 */
export async function defaultDocker(): Promise<DockerPort> {
  const { DockerodeDocker } = await import('./dockerode-docker');
  return new DockerodeDocker();
}
