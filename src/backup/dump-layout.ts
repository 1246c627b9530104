/**
 * Which files a backup of each dump format holds, by name. Pure: the manifest schema, the checks of a
 * backup on disk and the copy out of the Postgres container all ask here, so one rule decides what a
 * backup may contain.
 */

/** The custom-format archive (`pg_dump -Fc`): one file. */
export const DUMP_FILE = 'db.dump';
/** The directory-format dump (`pg_dump -Fd`): a directory of files, listed one by one in the manifest. */
export const DUMP_DIR = 'db.dir';
/** The table of contents every directory-format dump has. */
export const TOC_FILE = 'toc.dat';

export type DumpFormat = 'custom' | 'directory';
export type DumpCompression = 'gzip' | 'zstd' | 'lz4';

/** More files than this is not a dump pg_dump wrote for an Engram database (one per table, and large objects). */
export const MAX_DUMP_DIR_FILES = 100_000;

const SUFFIX: Record<DumpCompression, string> = { gzip: '.gz', zstd: '.zst', lz4: '.lz4' };

/**
 * What pg_dump writes into a directory-format dump, and nothing else: `toc.dat`, one `<dump id>.dat`
 * per table's data, and for large objects `blobs.toc` / `blobs_<id>.toc` with `blob_<oid>.dat`. Data
 * files carry the compression's suffix. Digits are bounded so a name is always short.
 */
export function dumpDirEntryProblem(name: string, compression: DumpCompression): string | null {
  if (name === TOC_FILE || /^blobs(_\d{1,10})?\.toc$/.test(name)) return null;
  const data = name.match(/^(?:\d{1,10}|blob_\d{1,10})\.dat((?:\.[a-z0-9]{1,4})?)$/);
  if (!data)
    return `${JSON.stringify(name.slice(0, 80))} is not a file pg_dump writes into a directory-format dump`;
  if (data[1] !== SUFFIX[compression]) {
    return `${name} is not compressed with ${compression} as the backup records (${SUFFIX[compression]})`;
  }
  return null;
}

/** The manifest's name for a file of the dump directory. */
export function dumpDirFile(entry: string): string {
  return `${DUMP_DIR}/${entry}`;
}

/**
 * Why a manifest's list of files is not exactly the set of its format, or null when it is. Custom:
 * `db.dump` and nothing else. Directory: `db.dir/toc.dat` and files pg_dump writes there, each once,
 * no other directory, no path beyond one level. Renamed, extra or missing files all fail here or when
 * the directory on disk is compared with the list.
 */
export function fileSetProblem(
  format: DumpFormat,
  compression: DumpCompression | undefined,
  names: readonly string[],
): string | null {
  if (format === 'custom') {
    return names.length === 1 && names[0] === DUMP_FILE ? null : `must list exactly ${DUMP_FILE}`;
  }
  if (!compression) return 'a directory-format backup must record its compression';
  if (names.length > MAX_DUMP_DIR_FILES) return `lists more than ${MAX_DUMP_DIR_FILES} files`;
  if (new Set(names).size !== names.length) return 'lists a file twice';
  for (const name of names) {
    if (!name.startsWith(`${DUMP_DIR}/`)) {
      return `${JSON.stringify(name.slice(0, 80))} is not inside ${DUMP_DIR}/, the only file a directory-format backup holds`;
    }
    const problem = dumpDirEntryProblem(name.slice(DUMP_DIR.length + 1), compression);
    if (problem) return problem;
  }
  return names.includes(dumpDirFile(TOC_FILE)) ? null : `must list ${dumpDirFile(TOC_FILE)}`;
}

/** Where the dump of a backup of this format is, relative to the backup directory. */
export function dumpPathOf(format: DumpFormat | undefined): string {
  return format === 'directory' ? DUMP_DIR : DUMP_FILE;
}
