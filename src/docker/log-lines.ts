import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import type { LogLine } from './docker-port';

/**
 * The lines of a followed container log, both streams merged in arrival order, until the signal fires
 * (the documented way to stop following) or Docker ends the log. A stream that breaks before the signal
 * fired throws its error once the lines already received have been read: a broken connection is not
 * the end of the log.
 */
export async function* logLines(
  stream: Readable,
  demuxStream: (source: Readable, stdout: PassThrough, stderr: PassThrough) => void,
  signal: AbortSignal,
): AsyncIterable<LogLine> {
  const merged = new PassThrough({ objectMode: true });
  let open = 2;
  const pump = (source: Readable, kind: LogLine['stream']) => {
    const rl = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', (line) => merged.write({ stream: kind, line } satisfies LogLine));
    rl.on('close', () => {
      if (--open === 0) merged.end();
    });
  };
  const out = new PassThrough();
  const err = new PassThrough();
  pump(out, 'stdout');
  pump(err, 'stderr');
  demuxStream(stream, out, err);
  const finish = () => {
    out.end();
    err.end();
  };
  let broken: unknown;
  stream.on('end', finish);
  stream.on('close', finish);
  stream.on('error', (e) => {
    broken ??= e;
    finish();
  });
  const stop = () => {
    stream.destroy();
    finish();
  };
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  try {
    for await (const item of merged) yield item as LogLine;
  } finally {
    signal.removeEventListener('abort', stop);
    stream.destroy();
  }
  if (broken !== undefined && !signal.aborted) throw broken;
}
