import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Extract } from 'tar-stream';
import { UpgradeError } from '../errors';
import { type DumpCompression, dumpDirEntryProblem, dumpDirFile, MAX_DUMP_DIR_FILES } from './dump-layout';
import { syncDir } from './fs-durable';
import { HashingFileWriter } from './hashing-file-writer';
import type { BackupFile } from './manifest';

function refused(why: string): UpgradeError {
  return new UpgradeError('BACKUP_FAILED', {
    message: `The directory-format dump copied out of the Postgres container holds ${why}`,
    hint: 'Nothing of it was kept; run the backup again, or take a custom-format one (format: custom)',
  });
}

/**
 * Writes the files of a tar stream of a directory-format dump (`tar -cf - .` in the dump directory)
 * into a new directory `dir` (mode 0700): each file new (0600), written with back-pressure, hashed
 * (sha256) and counted as it streams, fsynced. Only what pg_dump writes there is accepted (the names
 * of `dumpDirEntryProblem`, regular files, one level); anything else fails the copy. Returns a tar
 * sink to stream into and a promise of the files written, as the manifest lists them.
 */
export async function receiveDumpDir(
  dir: string,
  compression: DumpCompression,
  onProgress?: (bytes: number) => void,
): Promise<{ sink: Writable; files: Promise<BackupFile[]> }> {
  await mkdir(dir, { mode: 0o700 });
  const { extract } = await import('tar-stream');
  const sink = extract();
  const files = consume(sink, dir, compression, onProgress).catch(async (err: unknown) => {
    // The copy stops at once: the stream from the container fails with it.
    sink.destroy(err as Error);
    throw err;
  });
  // Its failure is what the caller reports; until it looks, nothing may count as unhandled.
  files.catch(() => undefined);
  // streamx, which Node's stream functions (and the Docker port) take like one of their own.
  return { sink: sink as unknown as Writable, files };
}

async function consume(
  sink: Extract,
  dir: string,
  compression: DumpCompression,
  onProgress?: (bytes: number) => void,
): Promise<BackupFile[]> {
  const written: BackupFile[] = [];
  let total = 0;
  for await (const entry of sink) {
    const { header } = entry;
    if (header.type === 'directory' && (header.name === './' || header.name === '.')) {
      entry.resume();
      continue;
    }
    const name = header.name.startsWith('./') ? header.name.slice(2) : header.name;
    if (header.type !== 'file') {
      throw refused(`${JSON.stringify(name.slice(0, 80))}, which is not a regular file (${header.type})`);
    }
    const problem = dumpDirEntryProblem(name, compression);
    if (problem) throw refused(problem);
    if (written.length >= MAX_DUMP_DIR_FILES) throw refused(`more than ${MAX_DUMP_DIR_FILES} files`);
    if (written.some((f) => f.name === dumpDirFile(name))) throw refused(`${name} twice`);
    const before = total;
    // Refuses a name seen before: the writer creates its file exclusively.
    const writer = new HashingFileWriter(join(dir, name), (bytes) => onProgress?.(before + bytes));
    await pipeline(Readable.from(entry as AsyncIterable<Buffer>), writer);
    if (writer.bytes !== header.size) {
      throw refused(`${name} cut short (${writer.bytes} of ${header.size} bytes)`);
    }
    total += writer.bytes;
    written.push({ name: dumpDirFile(name), bytes: writer.bytes, sha256: writer.sha256 });
  }
  await syncDir(dir);
  onProgress?.(total);
  return written.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
