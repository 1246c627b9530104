import Docker from 'dockerode';
import { TESTBED_LABEL } from './images';

/** Removes every container, volume and network carrying the test-bed label (leftovers of killed runs). */
export async function sweepTestbed(docker: Docker = new Docker()): Promise<{ removed: number }> {
  const filters = { label: [`${TESTBED_LABEL}=true`] };
  let removed = 0;
  for (const c of await docker.listContainers({ all: true, filters })) {
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
