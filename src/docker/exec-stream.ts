import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortedError, UpgradeError } from '../errors';
import { DockerDemux } from './demux';
import type { ExecRequest } from './docker-port';

/** The hijacked connection of a started exec: the command's input one way, its framed output the other. */
export type ExecConnection = NodeJS.ReadWriteStream & { destroy(err?: Error): void };

/**
 * Feeds the request's input to a started exec and its output to the request's sink (or collects it).
 * Every failure comes out as an `UpgradeError` naming the side that broke; an abort as `AbortedError`.
 */
export async function pumpExec(
  stream: ExecConnection,
  req: ExecRequest,
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  const demux = new DockerDemux();
  const collected: Buffer[] = [];
  const sink =
    req.stdout ??
    new Writable({
      write(chunk: Buffer, _e, cb) {
        collected.push(chunk);
        cb();
      },
    });
  // Which side broke decides what the error says: the caller's input, its output, or Docker's stream.
  let side = 'the stream from Docker broke';
  const inputFailed = () => {
    side = 'reading its input failed';
  };
  const outputFailed = () => {
    side = 'writing its output failed';
  };
  req.stdin?.once('error', inputFailed);
  req.stdout?.once('error', outputFailed);
  const onAbort = () => stream.destroy(new Error('aborted'));
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // A command may stop reading its input early (pg_restore --list reads only the table of
    // contents); its exit code, not the broken pipe, says whether it succeeded.
    const feeding = req.stdin
      ? pipeline(req.stdin, new PassThrough(), stream as unknown as Writable, { end: true }).catch(
          (err: unknown) => {
            if (!isBrokenPipe(err) || req.signal?.aborted) throw err;
          },
        )
      : undefined;
    try {
      await pipeline(stream, demux, sink);
    } finally {
      if (feeding) {
        // The command's output has ended, so the command has: input it never read is not wanted,
        // and Docker would otherwise hold the connection until we stopped writing.
        stream.destroy();
        req.stdin?.destroy();
        await feeding;
      }
    }
  } catch (err) {
    if (req.signal?.aborted)
      throw new AbortedError({ message: `Aborted while trying to ${what}`, cause: err });
    throw new UpgradeError('DOCKER_OPERATION', {
      message: `Could not ${what}: ${side} (${err instanceof Error ? err.message : String(err)})`,
      cause: err,
    });
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    req.stdin?.off('error', inputFailed);
    req.stdout?.off('error', outputFailed);
  }
  return { stdout: Buffer.concat(collected).toString('utf8'), stderr: demux.stderr };
}

function isBrokenPipe(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
