/** Where the official Postgres images up to 17 keep their data, and mount their volume. */
export const PRE18_DATA_MOUNT = '/var/lib/postgresql/data';

/** From 18 the volume is the parent directory; the server keeps its data in `<major>/docker` inside it. */
export const DATA_MOUNT = '/var/lib/postgresql';

/**
 * Where a stack mounts its Postgres volume, read from the image's tag as a compose file author would
 * read the image's documentation: `/var/lib/postgresql/data` for a major up to 17 (`postgres:16-alpine`,
 * `…/postgres:15`), `/var/lib/postgresql` from 18 on and for a tag that names no major (`latest`, a
 * digest), as Engram's own compose file does. Mounting at the other place would lose the data on
 * recreate (a pre-18 image) or make the server refuse to start (18+).
 */
export function postgresDataMount(image: string): string {
  const major = postgresMajorOfTag(image);
  return major !== undefined && major < 18 ? PRE18_DATA_MOUNT : DATA_MOUNT;
}

/** The major a Postgres image's tag starts with (`18.4`, `16-alpine`, `17`), if it starts with one. */
export function postgresMajorOfTag(image: string): number | undefined {
  const name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon <= slash) return undefined; // no tag (a colon before the last slash is a registry port)
  const m = /^(\d+)/.exec(name.slice(colon + 1));
  return m ? Number(m[1]) : undefined;
}
