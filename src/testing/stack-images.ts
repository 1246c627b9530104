import { statusOf } from '../docker/docker-failure';
import type { DockerPort } from '../docker/docker-port';
import { InvalidInputError } from '../errors';
import { ensureImage } from './ensure-image';
import { faultEnv, type StandinFaults } from './standin-faults';
import { testbedError } from './testbed-error';

export interface StackImages {
  engramImage: string;
  postgresImage: string;
  /** Pull even when present locally. */
  pull: boolean;
  faults: StandinFaults | undefined;
}

/**
 * Checked before anything of a stack is created: the engine answers, both images are here (pulled when
 * missing, with an error that says which of engine, registry or image is at fault), and fault switches
 * are only asked of the stand-in, which is the only image that reads them.
 */
export async function prepareStackImages(
  docker: Pick<DockerPort, 'inspectImage' | 'readImageFiles'>,
  images: StackImages,
): Promise<void> {
  await ensureImage(docker, images.engramImage, { pull: images.pull });
  await ensureImage(docker, images.postgresImage, { pull: images.pull });
  const switches = Object.keys(faultEnv(images.faults));
  if (switches.length > 0 && !(await isStandin(docker, images.engramImage))) {
    throw new InvalidInputError({
      message: `Fault switches (${switches.join(', ')}) work only with the Engram stand-in image, and ${images.engramImage} is not the stand-in`,
      unchanged: 'No container, network or file was created',
      hint: "Leave out faults for a real Engram image, or start the test bed's stand-in (prepareEngramImages(), and no repository or ENGRAM_UPGRADE_REGISTRY pointing elsewhere)",
    });
  }
}

/** The stand-in's `/app/bin/engram` hands over to its Python program; a release's starts the BEAM. */
async function isStandin(docker: Pick<DockerPort, 'readImageFiles'>, image: string): Promise<boolean> {
  try {
    const files = await docker.readImageFiles(image, '/app/bin/engram');
    return files.some((f) => f.content.includes('/standin/engram.py'));
  } catch (err) {
    // No such file in the image (Docker's 404) is an answer: not the stand-in. Anything else is thrown.
    if (statusOf((err as { cause?: unknown }).cause) === 404) return false;
    throw testbedError(`read /app/bin/engram from ${image}`, err);
  }
}
