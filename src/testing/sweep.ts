import { hostname } from 'node:os';
import Docker from 'dockerode';
import { SCRATCH_LABEL } from '../backup/scratch-postgres';
import { OWNER_LABEL, TESTBED_LABEL } from './images';

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
 * processes still running (a concurrent test run) are left alone unless `all` is set.
 */
export async function sweepTestbed(
  options: { docker?: Docker; all?: boolean } = {},
): Promise<{ removed: number }> {
  const docker = options.docker ?? new Docker();
  const stale = (labels: Record<string, string> | undefined) =>
    options.all || !ownerAlive(labels?.[OWNER_LABEL]);
  const filters = { label: [`${TESTBED_LABEL}=true`] };
  let removed = 0;
  const stacks = (await docker.listContainers({ all: true, filters })).filter((c) => stale(c.Labels));
  const scratch = (await docker.listContainers({ all: true, filters: { label: [SCRATCH_LABEL] } })).filter(
    (c) => options.all || !ownerAlive(c.Labels?.[SCRATCH_LABEL]),
  );
  for (const c of [...stacks, ...scratch]) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {});
    removed++;
  }
  for (const v of ((await docker.listVolumes({ filters })).Volumes ?? []).filter((v) => stale(v.Labels))) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => {});
    removed++;
  }
  for (const n of (await docker.listNetworks({ filters })).filter((n) => stale(n.Labels))) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
    removed++;
  }
  return { removed };
}
