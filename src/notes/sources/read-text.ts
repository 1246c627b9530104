import { readFile } from 'node:fs/promises';
import { ReleaseSourceError } from '../notes-error';
import { httpFailure, requestFailure } from './http-failure';
import { DEFAULT_TIMEOUT_MS, withTimeout } from './request-signal';

/** Reads a file as UTF-8 without failing on bad bytes: the parser's guard reports binary input. */
export async function readTextFile(path: string, what: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new ReleaseSourceError(code === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'SOURCE_IO', {
      message: `${what}: cannot read ${path} (${code ?? 'error'})`,
      hint: code === 'ENOENT' ? 'Check the path' : 'Check the file permissions',
      location: path,
      cause,
    });
  }
  return new TextDecoder('utf-8').decode(bytes);
}

export interface FetchTextOptions {
  /** Cancels the request; the call then fails with `ABORTED`. */
  signal?: AbortSignal;
  /** How long the request may take, answer and body, before it fails with `SOURCE_UNREACHABLE`. @default 30000 */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** GETs a text document (a raw CHANGELOG.md), mapping failures to source errors. */
export async function fetchText(url: string, what: string, options: FetchTextOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = withTimeout(options.signal, timeoutMs);
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: { 'user-agent': 'engram-upgrade', ...options.headers },
      signal,
    });
    if (!response.ok) throw await httpFailure(response, url, what);
    return new TextDecoder('utf-8').decode(await response.arrayBuffer());
  } catch (cause) {
    if (cause instanceof ReleaseSourceError) throw cause;
    throw requestFailure(cause, url, what, options.signal, timeoutMs);
  }
}
