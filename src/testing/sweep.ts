import { hostname } from 'node:os';
import { SCRATCH_LABEL } from '../backup/scratch-postgres';
import type { DockerHousekeepingPort, LabelledResource } from '../docker/docker-port';
import { DockerodeDocker } from '../docker/dockerode-docker';
import { UpgradeError } from '../errors';
import { OWNER_LABEL, TESTBED_LABEL } from './images';

export interface SweepOptions {
  /** @default a `DockerodeDocker` on DOCKER_HOST or the default socket */
  docker?: DockerHousekeepingPort;
  /** Also remove what processes still running created (a concurrent test run's stacks). @default false */
  all?: boolean;
}

function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true; // not ours to judge
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes test stacks (containers, volumes, networks labelled `engram-upgrade.testbed=true`) whose
 * creating process has died, and scratch Postgres containers left by killed verifications. Stacks of
 * processes still running (a concurrent test run) are left alone unless `all` is set. Tries every
 * removal; when some fail, throws a `TESTBED` error naming them after the rest are gone.
 */
export async function sweepTestbed(options: SweepOptions = {}): Promise<{ removed: number }> {
  const docker = options.docker ?? new DockerodeDocker();
  const stale = (owner: string | undefined) => options.all || !ownerAlive(owner);
  const label = `${TESTBED_LABEL}=true`;
  const found: LabelledResource[] = [];
  // Containers first: a volume or network is only removable once nothing uses it.
  for (const kind of ['container', 'volume', 'network'] as const) {
    found.push(...(await docker.listLabelled(kind, label)).filter((r) => stale(r.labels[OWNER_LABEL])));
    if (kind === 'container') {
      const scratch = await docker.listLabelled('container', SCRATCH_LABEL);
      found.push(...scratch.filter((r) => stale(r.labels[SCRATCH_LABEL])));
    }
  }
  let removed = 0;
  const failed: { resource: LabelledResource; err: unknown }[] = [];
  for (const resource of found) {
    try {
      await docker.removeResource(resource);
      removed++;
    } catch (err) {
      failed.push({ resource, err });
    }
  }
  if (failed.length) {
    throw new UpgradeError('TESTBED', {
      message: `The sweep could not remove ${failed.length} of ${found.length} leftovers: ${failed
        .slice(0, 5)
        .map(({ resource, err }) => `${resource.kind} ${resource.name} (${(err as Error).message})`)
        .join('; ')}`,
      unchanged: `${removed} others were removed`,
      hint: 'Remove them with docker rm -f / docker volume rm / docker network rm, or run the sweep again',
      cause: new AggregateError(
        failed.map((f) => f.err),
        'removal failures',
      ),
    });
  }
  return { removed };
}
