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
    return new ReleaseSourceError('SOURCE_RATE_LIMITED', {
      message: `${what} hit the API rate limit (HTTP ${status})${said}`,
      hint: resetAt
        ? `Wait until ${resetAt}, or pass a token (authenticated requests get a higher limit)`
        : `Wait${retryAfter ? ` ${retryAfter} seconds` : ''} and retry, or pass a token`,
      location,
      status,
      ...(resetAt ? { resetAt } : {}),
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

/** A request that never got an answer: the network, DNS, TLS, or a cancellation. */
export function requestFailure(cause: unknown, location: string, what: string, signal?: AbortSignal): Error {
  if (signal?.aborted) {
    return new AbortedError({ message: `${what} was cancelled`, unchanged: 'Nothing was changed', cause });
  }
  return new ReleaseSourceError('SOURCE_HTTP', {
    message: `${what} could not be sent: ${cause instanceof Error ? cause.message : String(cause)}`,
    hint: 'Check the network and the URL, then retry',
    location,
    cause,
  });
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
