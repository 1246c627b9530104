import type { DockerPort } from '../docker/docker-port';

/** What a one-off container of the deployment is for. */
export type OneOffPurpose = 'migrate' | 'rollback';

/**
 * Labels of a one-off container run for a deployment (the migrator ahead of an online hop, or its
 * rollback). Compose's project label names `<project>-oneoff`, so the deployment's own `docker compose`
 * never takes it for an orphan of its project, while the next run can still find it.
 */
export function oneOffLabels(project: string, purpose: OneOffPurpose): Record<string, string> {
  return { 'engram-upgrade.oneoff': purpose, 'com.docker.compose.project': `${project}-oneoff` };
}

/**
 * Removes the deployment's one-off containers that a run killed while one ran left behind, once they
 * have exited (a one-off removes itself when its run survives). One still running is a migrator the
 * killed run started: it is left to finish. Returns the names of those left running.
 */
export async function removeExitedOneOffs(docker: DockerPort, project: string): Promise<string[]> {
  const left = await docker.findContainers({ 'com.docker.compose.project': `${project}-oneoff` });
  const running: string[] = [];
  for (const c of left) {
    if (!c.labels['engram-upgrade.oneoff']) continue;
    if (c.running) running.push(c.name);
    else await docker.remove(c.id);
  }
  return running;
}
