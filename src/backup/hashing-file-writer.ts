import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { Writable } from 'node:stream';

/**
 * Writes a stream to a new file (mode 0600) with back-pressure, hashing (sha256) and counting as it
 * goes, and fsyncs before it reports finished. Refuses to overwrite an existing file.
 */
export class HashingFileWriter extends Writable {
  readonly path: string;
  bytes = 0;
  #hash: Hash = createHash('sha256');
  #fh: FileHandle | undefined;
  #digest: string | undefined;
  #onProgress: ((bytes: number) => void) | undefined;
  #lastReport = 0;

  constructor(path: string, onProgress?: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
    this.path = path;
    this.#onProgress = onProgress;
  }

  override _construct(cb: (err?: Error | null) => void): void {
    open(this.path, 'wx', 0o600).then(
      (fh) => {
        this.#fh = fh;
        cb();
      },
      (err: Error) => cb(err),
    );
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    this.#fh!.write(chunk).then(() => {
      if (this.#onProgress && this.bytes - this.#lastReport >= 8 << 20) {
        this.#lastReport = this.bytes;
        this.#onProgress(this.bytes);
      }
      cb();
    }, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    const fh = this.#fh!;
    fh.sync()
      .then(() => fh.close())
      .then(() => {
        this.#fh = undefined;
        this.#digest = this.#hash.digest('hex');
        cb();
      }, cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const fh = this.#fh;
    this.#fh = undefined;
    if (!fh) {
      cb(err);
      return;
    }
    fh.close().then(
      () => cb(err),
      () => cb(err),
    );
  }

  /** The sha256 of everything written; available once the stream finished. */
  get sha256(): string {
    if (!this.#digest) throw new Error('HashingFileWriter: not finished');
    return this.#digest;
  }
}
