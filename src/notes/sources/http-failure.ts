import { AbortedError } from '../../errors/upgrade-error';
import { ReleaseSourceError } from '../notes-error';

/** Turns a non-2xx answer into the matching source error, with what to do about it. */
export async function httpFailure(
  response: Response,
  location: string,
  what: string,
): Promise<ReleaseSourceError> {
  const status = response.status;
  const detail = await serverMessage(response);
  const said = detail ? ` (${detail})` : '';
  const remaining = response.headers.get('x-ratelimit-remaining');
  const retryAfter = response.headers.get('retry-after');
  if (status === 429 || (status === 403 && (remaining === '0' || retryAfter !== null))) {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000).toISOString() : undefined;
    const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
    const retryAfterSeconds = Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
    // Retry-After wins over the reset time: GitHub sends it for secondary limits, which outlast nothing else.
    const when =
      retryAfterSeconds !== undefined
        ? `Retry in ${retryAfterSeconds} seconds`
        : resetAt
          ? `Retry after ${resetAt}, when the limit resets`
          : 'Retry in a few minutes';
    return new ReleaseSourceError('SOURCE_RATE_LIMITED', {
      message: `${what} hit the API rate limit (HTTP ${status})${said}`,
      hint: `${when}; a token raises the limit, or read the notes offline from a saved CHANGELOG.md or releases response`,
      location,
      status,
      ...(resetAt ? { resetAt } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (status === 404) {
    return new ReleaseSourceError('SOURCE_NOT_FOUND', {
      message: `${what} was not found (HTTP 404)${said}`,
      hint: 'Check the owner, repository and base URL; a private repository also answers 404 without a token that can read it',
      location,
      status,
    });
  }
  return new ReleaseSourceError('SOURCE_HTTP', {
    message: `${what} failed with HTTP ${status}${said}`,
    hint:
      status === 401
        ? 'The token was refused; check that it is valid and not expired'
        : 'Retry later; if it persists, check the URL',
    location,
    status,
  });
}

/**
 * A request that never got an answer: the network, DNS, TLS, no answer within `timeoutMs`, or a
 * cancellation through the caller's signal (then `ABORTED`).
 */
export function requestFailure(
  cause: unknown,
  location: string,
  what: string,
  signal?: AbortSignal,
  timeoutMs?: number,
): Error {
  if (signal?.aborted) {
    return new AbortedError({ message: `${what} was cancelled`, unchanged: 'Nothing was changed', cause });
  }
  const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
  const why = timedOut ? `no answer within ${duration(timeoutMs ?? 0)}` : describeCause(cause);
  return new ReleaseSourceError('SOURCE_UNREACHABLE', {
    message: `${what} got no answer from ${new URL(location).host}: ${why}`,
    hint: 'Check the network, proxy and URL, then retry; without network access, read the notes from a saved CHANGELOG.md or releases response',
    location,
    cause,
  });
}

function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} seconds` : `${ms} ms`;
}

/** fetch() reports every network failure as "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND…) is its cause. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause as { code?: unknown; message?: unknown } | undefined;
  if (inner && typeof inner.code === 'string') return `${cause.message} (${inner.code})`;
  if (inner && typeof inner.message === 'string') return `${cause.message} (${inner.message})`;
  return cause.message;
}

async function serverMessage(response: Response): Promise<string | undefined> {
  try {
    const text = (await response.text()).trim();
    if (!text) return undefined;
    try {
      const json = JSON.parse(text) as { message?: unknown };
      if (typeof json.message === 'string') return json.message;
    } catch {
      // not JSON: fall through to the raw text
    }
    return text.slice(0, 200);
  } catch {
    return undefined;
  }
}
