import { ensureTestbed } from '../../testbed/ensure-testbed';
import { DockerodeDocker } from '../docker/dockerode-docker';
import { AbortedError, UpgradeError } from '../errors';
import { engineSilence, ensureImage, lookUpImage } from './ensure-image';
import { engineNamed, engineUnavailable, testbedRegistryUnreachable, testbedVersions } from './image-errors';
import { engramRepository, postgresImage, testbedRegistry } from './images';
import { probeRegistry } from './registry-probe';

interface PrepareCommon {
  /** Stops the work: the bootstrap's process is killed, pulls and builds stop between images. */
  signal?: AbortSignal;
}

/** Build the test bed on this machine: the Engram stand-in (fault switches work) and Postgres. */
export interface PrepareTestbedOptions extends PrepareCommon {
  /** @default 'testbed' */
  source?: 'testbed';
}

/**
 * Pull existing images instead of building: real Engram release images and an official Postgres (set
 * `ENGRAM_UPGRADE_REGISTRY` / `ENGRAM_UPGRADE_POSTGRES_IMAGE`, or pass them here). The stand-in's fault
 * switches do not work on them; `startEngramStack` refuses `faults` for an image that is not the stand-in.
 */
export interface PullImagesOptions extends PrepareCommon {
  source: 'registry';
  /** Engram versions (image tags) to pull; they must exist in the registry. */
  versions: string[];
  /** @default `<ENGRAM_UPGRADE_REGISTRY>/engram-app/engram` */
  repository?: string;
  /** @default ENGRAM_UPGRADE_POSTGRES_IMAGE, else the test bed's Postgres */
  postgresImage?: string;
}

export type PrepareEngramImagesOptions = PrepareTestbedOptions | PullImagesOptions;

/** What `startEngramStack` can start now. */
export interface PreparedImages {
  /** `testbed`: the stand-in, built here; `registry`: pulled images (no fault switches). */
  source: 'testbed' | 'registry';
  engramRepository: string;
  /** Versions (tags) present for `startEngramStack({ version })`. */
  versions: string[];
  postgresImage: string;
  /** Seconds the call took (a warm test bed takes a few). */
  seconds: number;
}

/**
 * Makes the images `startEngramStack` runs available on this machine, for a test suite's global setup
 * or `npx engram-upgrade testbed`. By default it does what this package's own test setup does: checks
 * the Docker engine (installing and starting one only on a Debian machine run as root), starts a
 * registry on loopback (`ENGRAM_UPGRADE_REGISTRY`, default `127.0.0.1:5000`), builds the base images, the
 * Postgres images and one Engram stand-in per version of the test series, and pushes them. Everything is
 * cached: a second call takes seconds. With `source: 'registry'` it pulls the named versions instead.
 * Progress goes to stderr as `[testbed]` lines.
 *
 * @throws UpgradeError `DOCKER_UNAVAILABLE` (no engine answers), `TESTBED_REGISTRY_UNREACHABLE`,
 * `TESTBED_IMAGE_MISSING` (a pulled image the registry does not have), `TESTBED` (anything else).
 */
export async function prepareEngramImages(options: PrepareEngramImagesOptions = {}): Promise<PreparedImages> {
  const started = Date.now();
  const docker = new DockerodeDocker();
  if (options.source === 'registry') {
    const repository = options.repository ?? engramRepository();
    const postgres = options.postgresImage ?? postgresImage();
    for (const ref of [...options.versions.map((v) => `${repository}:${v}`), postgres]) {
      throwIfAborted(options.signal);
      await ensureImage(docker, ref, { pull: true });
    }
    return result('registry', repository, options.versions, postgres, started);
  }
  // An engine named by DOCKER_HOST or a context that does not answer is the answer: the bootstrap would
  // start a local engine instead, which is not the one this process talks to.
  if (engineNamed()) await lookUpImage(docker, 'engram-upgrade-testbed/base:current');
  try {
    await ensureTestbed({ signal: options.signal });
  } catch (err) {
    throw await explainTestbedFailure(docker, err);
  }
  return result('testbed', engramRepository(), testbedVersions(), postgresImage(), started);
}

function result(
  source: PreparedImages['source'],
  repository: string,
  versions: string[],
  postgres: string,
  started: number,
): PreparedImages {
  return {
    source,
    engramRepository: repository,
    versions,
    postgresImage: postgres,
    seconds: (Date.now() - started) / 1000,
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new AbortedError({
      message: 'Preparing the test images was aborted',
      unchanged: 'Images already pulled stay',
      cause: signal.reason,
    });
}

/** A failed bootstrap or build as one of the errors a person can act on: no engine, no registry, or its own. */
async function explainTestbedFailure(docker: DockerodeDocker, err: unknown): Promise<UpgradeError> {
  if (err instanceof UpgradeError && err.code === 'ABORTED') return err;
  try {
    await docker.inspectImage('engram-upgrade-testbed/base:current');
  } catch (engine) {
    const silence = engineSilence(engine);
    if (silence) return engineUnavailable('build the test bed', silence, err);
  }
  const registry = testbedRegistry();
  const probe = await probeRegistry(registry);
  if (!probe.answers) return testbedRegistryUnreachable(registry, probe.reason, err);
  return err instanceof UpgradeError
    ? err
    : new UpgradeError('TESTBED', { message: `The test bed failed: ${(err as Error).message}`, cause: err });
}
