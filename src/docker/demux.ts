import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;
const STDERR_KEEP = 64 * 1024;

/**
 * Splits Docker's multiplexed exec stream (8-byte frame headers) into standard output, which it
 * passes on with back-pressure, and standard error, of which it keeps the last 64 KiB.
 * Payload bytes are passed on as slices of the incoming chunks, never copied: dumps are large.
 */
export class DockerDemux extends Transform {
  #header = Buffer.alloc(HEADER);
  #headerFill = 0;
  #remaining = 0;
  #kind = 0;
  #stderr: Buffer = Buffer.alloc(0);
  bytesOut = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining === 0) {
        const take = Math.min(HEADER - this.#headerFill, chunk.length - at);
        chunk.copy(this.#header, this.#headerFill, at, at + take);
        this.#headerFill += take;
        at += take;
        if (this.#headerFill < HEADER) break;
        this.#headerFill = 0;
        this.#kind = this.#header[0]!;
        this.#remaining = this.#header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.#remaining, chunk.length - at);
      const payload = chunk.subarray(at, at + take);
      at += take;
      this.#remaining -= take;
      if (this.#kind === 2) this.#keepStderr(payload);
      else {
        this.bytesOut += payload.length;
        this.push(payload);
      }
    }
    done();
  }

  #keepStderr(payload: Buffer): void {
    const joined = Buffer.concat([this.#stderr, payload]);
    this.#stderr = joined.length > STDERR_KEEP ? joined.subarray(joined.length - STDERR_KEEP) : joined;
  }

  get stderr(): string {
    return this.#stderr.toString('utf8');
  }
}

/** Splits a whole multiplexed log buffer (8-byte frame headers) into its text, both streams in order. */
export function demuxAll(raw: Buffer | string): string {
  if (typeof raw === 'string') return raw;
  const parts: Buffer[] = [];
  let at = 0;
  while (at + HEADER <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + HEADER, at + HEADER + size));
    at += HEADER + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
