import { Transform, type TransformCallback } from 'node:stream';

const HEADER = 8;
const STDERR_KEEP = 64 * 1024;

/**
 * Splits Docker's multiplexed exec stream (8-byte frame headers) into standard output, which it
 * passes on with back-pressure, and standard error, of which it keeps the last 64 KiB.
 */
export class DockerDemux extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  #stderr: Buffer = Buffer.alloc(0);
  bytesOut = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    while (buf.length >= HEADER) {
      const size = buf.readUInt32BE(4);
      if (buf.length < HEADER + size) break;
      const kind = buf[0];
      const payload = buf.subarray(HEADER, HEADER + size);
      if (kind === 2) this.#keepStderr(payload);
      else if (payload.length) {
        this.bytesOut += payload.length;
        this.push(payload);
      }
      buf = buf.subarray(HEADER + size);
    }
    this.#pending = Buffer.from(buf);
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
