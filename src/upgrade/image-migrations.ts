import { posix } from 'node:path';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { analyzeMigration } from '../migrations/analyze-migration';
import type { MigrationAnalysis } from '../migrations/migration-analysis';

export interface ImageMigrations {
  /** The release version inside the image (`/app/releases/start_erl.data`). */
  releaseVersion: string;
  /** Every migration file the image ships, ascending. */
  migrations: MigrationAnalysis[];
}

const RELEASE_DATA = '/app/releases/start_erl.data';

/** Reads by image id, per Docker port: an id names one content for good, so it is read once. */
const readById = new WeakMap<DockerPort, Map<string, Promise<ImageMigrations>>>();
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;

/**
 * The migrations an Engram image ships, read from its file system without running anything in it: the
 * release version first (`start_erl.data`), then `/app/lib/engram-<vsn>/priv/repo/migrations`. An
 * image given by id is read once per Docker port (planning and then executing a hop read the same
 * image); a tag is read every time, since it can move.
 */
export function readImageMigrations(docker: DockerPort, image: string): Promise<ImageMigrations> {
  if (!IMAGE_ID.test(image)) return readMigrations(docker, image);
  let byId = readById.get(docker);
  if (!byId) {
    byId = new Map();
    readById.set(docker, byId);
  }
  let read = byId.get(image);
  if (!read) {
    read = readMigrations(docker, image);
    byId.set(image, read);
    // A failed read (the engine was unreachable, the image was removed) is tried again next time.
    read.catch(() => byId.delete(image));
  }
  return read;
}

async function readMigrations(docker: DockerPort, image: string): Promise<ImageMigrations> {
  const [data] = await docker.readImageFiles(image, RELEASE_DATA);
  const releaseVersion = data?.content.trim().split(/\s+/)[1];
  if (!releaseVersion || !/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/.test(releaseVersion)) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `Image ${image} has no readable ${RELEASE_DATA}, so it does not look like an Engram release image`,
      unchanged: 'Nothing was changed',
      hint: 'Check the image reference',
    });
  }
  const dir = `/app/lib/engram-${releaseVersion}/priv/repo/migrations`;
  const files = await docker.readImageFiles(image, dir);
  const migrations = files
    .map((f) => ({ name: posix.basename(f.name), content: f.content }))
    .filter((f) => f.name.endsWith('.exs'))
    .map((f) => analyzeMigration(f.content, { filename: f.name }))
    .sort((a, b) => a.version.localeCompare(b.version));
  return { releaseVersion, migrations };
}
