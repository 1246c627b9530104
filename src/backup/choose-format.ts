import { InvalidInputError } from '../errors';
import type { DumpFormat } from './dump-layout';

export interface FormatFacts {
  asked: 'auto' | DumpFormat;
  /** Where pg_dump runs. The directory format is only dumped inside the Postgres container. */
  dumpWhere: 'container' | 'host';
  /** The older of pg_dump's and the server's major versions. */
  dumpMajor: number;
  /** Processors the Postgres container may use. */
  processors: number;
  /** Table data (heap and TOAST, no indexes) of the largest table and of all tables, in bytes. */
  largestTableBytes: number;
  totalTableBytes: number;
}

export interface FormatChoice {
  format: DumpFormat;
  /** pg_dump's parallel jobs: 1 for the custom format. */
  jobs: number;
  /** Why, in words, for the plan. */
  reason: string;
}

/** More pg_dump or pg_restore jobs than this mostly contend for the same disk. */
export const MAX_PARALLEL_JOBS = 4;
/** Below this much table data a dump takes about a second either way. */
export const DIRECTORY_MIN_BYTES = 64 << 20;
/** The least gain in dump time (estimated from table sizes) worth the copy out of the container. */
const MIN_SPEEDUP = 1.3;
/** pg_dump 16 is the first to compress a directory-format dump with zstd or lz4, not only gzip. */
export const DIRECTORY_MIN_MAJOR = 16;

const mib = (b: number) => `${Math.round(b / (1 << 20))} MiB`;

/**
 * Chooses the dump format. `auto` takes the directory format (`pg_dump -Fd -j N`) only where it can
 * pay: pg_dump runs in the Postgres container (the dump is copied out from there, hashed as it
 * streams), it is 16 or newer (so its files are compressed with zstd like the custom format's), the
 * container has two or more processors, the database is not small, and no single table holds so much
 * of the data that parallel jobs could not shorten the dump (a job dumps one table at a time). Pure.
 */
export function chooseFormat(f: FormatFacts): FormatChoice {
  const jobs = Math.max(1, Math.min(MAX_PARALLEL_JOBS, Math.floor(f.processors)));
  if (f.asked === 'custom') return { format: 'custom', jobs: 1, reason: 'the custom format was asked for' };
  if (f.asked === 'directory') {
    if (f.dumpWhere === 'host') {
      throw new InvalidInputError({
        message:
          "format 'directory' needs pg_dump inside the Postgres container; a host dump writes one archive",
        hint: "Dump inside the container (dump: { where: 'container' }), or use format: 'custom'",
      });
    }
    return { format: 'directory', jobs, reason: `the directory format was asked for; ${jobs} jobs` };
  }
  const custom = (why: string): FormatChoice => ({ format: 'custom', jobs: 1, reason: `custom: ${why}` });
  if (f.dumpWhere === 'host')
    return custom('pg_dump runs on this host, and only a dump in the container is taken as a directory');
  if (f.dumpMajor < DIRECTORY_MIN_MAJOR) {
    return custom(
      `pg_dump ${f.dumpMajor} is older than ${DIRECTORY_MIN_MAJOR}, which kept the single archive that older servers were always dumped to`,
    );
  }
  if (jobs < 2) return custom('the Postgres container has one processor, so nothing would run in parallel');
  if (f.totalTableBytes < DIRECTORY_MIN_BYTES) {
    return custom(`${mib(f.totalTableBytes)} of table data dump in about a second either way`);
  }
  const speedup = f.totalTableBytes / Math.max(f.largestTableBytes, f.totalTableBytes / jobs);
  const share = Math.round((100 * f.largestTableBytes) / f.totalTableBytes);
  if (speedup < MIN_SPEEDUP) {
    return custom(
      `the largest table holds ${share}% of the table data, so ${jobs} parallel jobs could not shorten the dump much`,
    );
  }
  return {
    format: 'directory',
    jobs,
    reason: `directory: ${jobs} parallel jobs over ${mib(f.totalTableBytes)} of table data (the largest table ${share}%) could dump up to ${speedup.toFixed(1)}× faster`,
  };
}
