import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DockerDemux } from '../../../src/docker/demux';

/** One frame of Docker's multiplexed stream: kind (1 stdout, 2 stderr), 3 zero bytes, big-endian size. */
function frame(kind: 1 | 2, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Feeds `wire` in the given chunk sizes (cycling) and returns what came out. */
async function demux(wire: Buffer, sizes: number[]): Promise<{ out: Buffer; d: DockerDemux }> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < wire.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(wire.subarray(at, at + n));
    at += n;
  }
  const d = new DockerDemux();
  const got: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    d,
    new Writable({
      write(c: Buffer, _e, cb) {
        got.push(c);
        cb();
      },
    }),
  );
  return { out: Buffer.concat(got), d };
}

describe('DockerDemux', () => {
  const stdout = [randomBytes(1000), randomBytes(70_000), Buffer.from([0, 1, 2, 0xff, 0xfe]), randomBytes(3)];
  const wire = Buffer.concat([
    frame(1, stdout[0]!),
    frame(2, 'warning: first\n'),
    frame(1, stdout[1]!),
    frame(1, Buffer.alloc(0)),
    frame(2, 'warning: second\n'),
    frame(1, stdout[2]!),
    frame(1, stdout[3]!),
  ]);

  it.each([
    ['one chunk', [wire.length]],
    ['one byte at a time through the headers', [1, 3, 5, 7]],
    ['chunks that split headers and payloads', [9, 4096, 13, 8, 2]],
  ])('passes standard output through byte-exact when fed as %s', async (_what, sizes) => {
    const { out, d } = await demux(wire, sizes);
    expect(out.equals(Buffer.concat(stdout))).toBe(true);
    expect(d.bytesOut).toBe(out.length);
    expect(d.stderr).toBe('warning: first\nwarning: second\n');
  });

  it('keeps only the last 64 KiB of standard error', async () => {
    const head = 'H'.repeat(40 * 1024);
    const tail = `${'t'.repeat(64 * 1024 - 4)}END\n`;
    const { out, d } = await demux(Buffer.concat([frame(2, head), frame(1, 'ok'), frame(2, tail)]), [1000]);
    expect(out.toString()).toBe('ok');
    expect(d.stderr.length).toBe(64 * 1024);
    expect(d.stderr).toBe(tail);
  });

  it('keeps the end of one huge standard-error frame', async () => {
    const big = `${'x'.repeat(100 * 1024)}the last line\n`;
    const { d } = await demux(frame(2, big), [65536]);
    expect(d.stderr.length).toBe(64 * 1024);
    expect(d.stderr.endsWith('the last line\n')).toBe(true);
  });
});
