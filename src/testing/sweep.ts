import Docker from 'dockerode';
import { SCRATCH_LABEL } from '../backup/scratch-postgres';
import { TESTBED_LABEL } from './images';

/** Removes every container, volume and network carrying the test-bed label, and scratch Postgres
 * containers of verifications (leftovers of killed runs). */
export async function sweepTestbed(docker: Docker = new Docker()): Promise<{ removed: number }> {
  const filters = { label: [`${TESTBED_LABEL}=true`] };
  let removed = 0;
  const scratch = await docker.listContainers({ all: true, filters: { label: [`${SCRATCH_LABEL}=true`] } });
  for (const c of [...(await docker.listContainers({ all: true, filters })), ...scratch]) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {});
    removed++;
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => {});
    removed++;
  }
  for (const n of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
    removed++;
  }
  return { removed };
}
