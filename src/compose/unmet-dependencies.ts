import type { ContainerRecord } from '../docker/docker-port';

/** One `depends_on` entry in its long form. */
export interface Dependency {
  condition: string;
  required: boolean;
}

/**
 * The `depends_on` conditions of a service that its dependencies' containers do not meet right now, in
 * words (empty when all are met): `service_started` wants a running container, `service_healthy` a
 * healthy one, `service_completed_successfully` one that exited 0. These are the conditions
 * `docker compose up` waits for before it starts the service; a dependency marked `required: false`
 * that has no container is no condition, as in compose. `containers` are the project's containers.
 */
export function unmetDependencies(
  dependsOn: ReadonlyMap<string, Dependency>,
  containers: readonly ContainerRecord[],
): string[] {
  const unmet: string[] = [];
  for (const [service, dep] of dependsOn) {
    const own = containers.filter((c) => c.labels['com.docker.compose.service'] === service);
    if (!own.length) {
      if (dep.required) unmet.push(`${service} has no container`);
      continue;
    }
    for (const c of own) {
      const problem = conditionProblem(dep.condition, c);
      if (problem) unmet.push(`${service} (${c.name}) ${problem}`);
    }
  }
  return unmet;
}

function conditionProblem(condition: string, c: ContainerRecord): string | null {
  if (condition === 'service_started') return c.running ? null : 'is not running';
  if (condition === 'service_healthy') {
    if (c.running && c.health === 'healthy') return null;
    if (!c.running) return 'is not running';
    return c.health === 'none' ? 'has no healthcheck to be healthy by' : `is ${c.health}, not healthy`;
  }
  if (condition === 'service_completed_successfully') {
    const ran = c.startedAt !== '' && !c.startedAt.startsWith('0001-');
    return !c.running && ran && c.exitCode === 0 ? null : 'has not completed successfully';
  }
  return `has a condition this library does not read (${condition})`;
}
