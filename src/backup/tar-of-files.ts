import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { UpgradeError } from '../errors';
import type { BackupFile } from './manifest';
import { openRegular } from './regular-file';

const BLOCK = 512;
/** The largest size the 11 octal digits of a ustar header hold; larger ones go in base-256, as GNU tar writes. */
const MAX_OCTAL = 0o77777777777;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/**
 * A ustar header of a regular file (mode 0600, owned by uid and gid 0, mtime 0). `name` is a plain
 * file name (the caller checked it), at most 100 bytes.
 */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  h.write(name, 0, 'utf8');
  h.write(octal(0o600, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  if (size <= MAX_OCTAL) h.write(octal(size, 12), 124, 'ascii');
  else {
    // Base-256: the high bit of the first byte set, the size big-endian in the rest.
    h[124] = 0x80;
    let rest = BigInt(size);
    for (let i = 135; i > 124; i--) {
      h[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
  }
  h.write(octal(0, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // the checksum counts its own field as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/**
 * A tar stream of backup files, flat (each under its base name), for a Postgres container to unpack.
 * Each file is opened as a regular file of its recorded size (never through a link) and hashed as it
 * streams; one whose bytes differ from the manifest fails the stream with BACKUP_CORRUPT, before its
 * entry is complete, so what arrives is never taken as whole. Back-pressure comes from the reader.
 */
export function tarOfFiles(
  dir: string,
  files: readonly BackupFile[],
  opts: {
    backupId: string;
    onProgress?: (bytes: number) => void;
    /** Called once every file was read whole and matched, before the end-of-archive blocks. */
    onComplete?: () => void;
  },
): Readable {
  async function* entries(): AsyncGenerator<Buffer> {
    let total = 0;
    for (const f of files) {
      const fh = await openRegular(join(dir, f.name), { bytes: f.bytes, backupId: opts.backupId });
      try {
        yield tarHeader(basename(f.name), f.bytes);
        const hash = createHash('sha256');
        let bytes = 0;
        if (f.bytes > 0) {
          // Never more than the recorded size: a file that grew since is cut there and then fails the hash.
          for await (const chunk of fh.createReadStream({
            start: 0,
            end: f.bytes - 1,
            highWaterMark: 1 << 20,
            autoClose: false,
          })) {
            const buf = chunk as Buffer;
            hash.update(buf);
            bytes += buf.length;
            total += buf.length;
            opts.onProgress?.(total);
            // The last chunk of the entry is held back until the hash is known: a changed file never
            // arrives whole.
            if (bytes < f.bytes) yield buf;
            else {
              const digest = hash.digest('hex');
              if (bytes !== f.bytes || digest !== f.sha256) throw changed(f, opts.backupId);
              yield buf;
            }
          }
        }
        if (bytes !== f.bytes) throw changed(f, opts.backupId);
        if (f.bytes === 0 && hash.digest('hex') !== f.sha256) throw changed(f, opts.backupId);
        const pad = (BLOCK - (f.bytes % BLOCK)) % BLOCK;
        if (pad) yield Buffer.alloc(pad);
      } finally {
        await fh.close().catch(() => undefined);
      }
    }
    opts.onComplete?.();
    yield Buffer.alloc(2 * BLOCK);
  }
  return Readable.from(entries(), { objectMode: false });
}

/** A file read for a restore that is not the one the manifest lists. */
export function changed(f: BackupFile, backupId: string): UpgradeError {
  return new UpgradeError('BACKUP_CORRUPT', {
    message: `${f.name} read for the restore is not the file backup ${backupId} lists (${f.bytes} bytes, sha256 ${f.sha256.slice(0, 12)}…): it changed after it was checked`,
    unchanged: 'Nothing was restored from it',
    hint: 'Keep the backup directory writable only by you, verify the backup again, then restore',
    backupId,
  });
}
