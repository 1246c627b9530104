import { SERIES } from '../../testbed/series';
import { resolveDockerEndpoint } from '../docker/docker-endpoint';
import { UpgradeError } from '../errors';
import { testbedRegistry } from './images';
import { isLoopbackRegistry } from './registry-probe';

/** The command that builds the test bed, as a downstream project runs it. */
export const TESTBED_COMMAND = 'npx engram-upgrade testbed';

const UNCHANGED = 'No container, network or file was created';

/** An image the test bed builds and pushes itself (its loopback registry), rather than one pulled from elsewhere. */
export function isTestbedImage(reference: string): boolean {
  const registry = testbedRegistry();
  return isLoopbackRegistry(registry) && reference.startsWith(`${registry}/`);
}

/** The tags the test bed builds for the Engram stand-in. */
export function testbedVersions(): string[] {
  return [...SERIES.map((r) => r.version), 'latest'];
}

function registrySetting(): string {
  const set = process.env.ENGRAM_UPGRADE_REGISTRY;
  return set ? `ENGRAM_UPGRADE_REGISTRY=${set}` : 'ENGRAM_UPGRADE_REGISTRY unset (127.0.0.1:5000)';
}

/** Where the Docker client looks for the engine (DOCKER_HOST, a context, else the local socket). */
export function engineAddress(): string {
  try {
    const endpoint = resolveDockerEndpoint();
    return endpoint.from === 'context' ? `${endpoint.host} (context ${endpoint.context})` : endpoint.host;
  } catch {
    // A setting that cannot be used is reported by the first Docker call; here it is only named.
    return (
      process.env.DOCKER_HOST || `the context ${process.env.DOCKER_CONTEXT ?? 'in ~/.docker/config.json'}`
    );
  }
}

/** Whether DOCKER_HOST or a context names the engine, rather than the local default socket. */
export function engineNamed(): boolean {
  try {
    return resolveDockerEndpoint().from !== 'default';
  } catch {
    return true;
  }
}

/** The Docker engine does not answer, so nothing could be looked for, built or started. */
export function engineUnavailable(what: string, reason: string, cause?: unknown): UpgradeError {
  return new UpgradeError('DOCKER_UNAVAILABLE', {
    message: `The Docker engine at ${engineAddress()} does not answer (${reason}), so the harness could not ${what}`,
    unchanged: UNCHANGED,
    hint: `Start Docker, or set DOCKER_HOST (or DOCKER_CONTEXT) to an engine that runs, then run '${TESTBED_COMMAND}' (on a Debian machine run as root it installs and starts one)`,
    cause,
  });
}

/** What was looked for, where, and what the look found. */
export interface ImageLookup {
  reference: string;
  registry: string;
  /** The image is in the local store (it was to be pulled all the same). */
  present: boolean;
  /** Why the registry did not give it, in its own words. */
  reason: string;
  cause?: unknown;
}

function notHere({ reference, present }: ImageLookup): string {
  return present
    ? `Image ${reference} could not be pulled:`
    : `Image ${reference} is not on this machine and`;
}

/** The image is not in the local store (or was to be pulled) and its registry does not answer. */
export function registryUnreachable(look: ImageLookup): UpgradeError {
  const { reference, registry, reason, cause } = look;
  return new UpgradeError('TESTBED_REGISTRY_UNREACHABLE', {
    message: `${notHere(look)} its registry ${registry} does not answer (${reason})`,
    unchanged: UNCHANGED,
    hint: isTestbedImage(reference)
      ? `Start the test bed's registry and build the images with '${TESTBED_COMMAND}' (or prepareEngramImages() in a vitest globalSetup), with the same ${registrySetting()}`
      : `Check that ${registry} is the right registry and that this machine can reach it (docker pull ${reference}), then run again`,
    cause,
  });
}

/** The registry answers but has no such image (or will not give it without a login). */
export function imageMissing(look: ImageLookup): UpgradeError {
  const { reference, registry, reason, cause } = look;
  const tag = reference.slice(reference.lastIndexOf(':') + 1);
  const bed = isTestbedImage(reference);
  const known = testbedVersions();
  return new UpgradeError('TESTBED_IMAGE_MISSING', {
    message: `${notHere(look)} registry ${registry} does not have it (${reason})`,
    unchanged: UNCHANGED,
    hint: bed
      ? reference.includes('/engram-app/engram:') && !known.includes(tag)
        ? `The test bed builds Engram ${known.join(', ')}; use one of those versions, or run '${TESTBED_COMMAND}' if they are missing too`
        : `Build and push the test images with '${TESTBED_COMMAND}' (or prepareEngramImages() in a vitest globalSetup), with the same ${registrySetting()}`
      : `Check that the repository and tag exist in ${registry} (docker pull ${reference}); log in first (docker login ${registry}) if it is private`,
    cause,
  });
}

/** The test bed's own registry does not answer after the bootstrap tried to start it. */
export function testbedRegistryUnreachable(registry: string, reason: string, cause?: unknown): UpgradeError {
  return new UpgradeError('TESTBED_REGISTRY_UNREACHABLE', {
    message: `The test bed's registry ${registry} does not answer (${reason}), so its images can be neither pushed nor pulled`,
    unchanged: 'No test image was built or pushed',
    hint: isLoopbackRegistry(registry)
      ? `Read the [testbed] lines above: the bootstrap starts Debian's docker-registry on ${registry} when it can (as root on Debian); elsewhere start a registry there yourself, then run '${TESTBED_COMMAND}' again`
      : `${registry} is not on loopback: the bootstrap cannot start it. Point ENGRAM_UPGRADE_REGISTRY at a registry that answers, or unset it`,
    cause,
  });
}
