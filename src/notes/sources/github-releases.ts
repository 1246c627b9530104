import { ReleaseSourceError } from '../notes-error';
import {
  type GitHubRelease,
  type ParseGitHubReleasesOptions,
  parseGitHubReleases,
  readReleases,
} from '../parse-github-releases';
import type { ReleaseNotes } from '../release-notes';
import type { EtagCache } from './etag-cache';
import { httpFailure, requestFailure } from './http-failure';
import { nextLink } from './link-header';
import { DEFAULT_TIMEOUT_MS, withTimeout } from './request-signal';

export interface GitHubReleasesSourceOptions {
  owner: string;
  repo: string;
  /** REST API root; GitHub Enterprise Server uses `https://<host>/api/v3`. @default 'https://api.github.com' */
  baseUrl?: string;
  /** A token for private repositories and a higher rate limit. Never sent to another origin. */
  token?: string;
  /** Releases per page (GitHub allows up to 100). @default 100 */
  perPage?: number;
  /** Stop after this many pages even if the server links to more. @default 10 */
  maxPages?: number;
  /** Conditional requests: pages answered 304 Not Modified are served from here. */
  cache?: EtagCache;
  /** Cancels the listing; the call then fails with `ABORTED`. */
  signal?: AbortSignal;
  /** How long one page may take, answer and body, before the call fails with `SOURCE_UNREACHABLE`. @default 30000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * Lists every release of a repository through the REST API, following `Link: rel="next"` pages and
 * revalidating cached pages with `If-None-Match`. Read-only; errors are `SOURCE_NOT_FOUND` (404),
 * `SOURCE_RATE_LIMITED` (403/429 with the limit spent), `SOURCE_UNREACHABLE` (no answer, or none
 * within `timeoutMs`), `SOURCE_HTTP` (any other answer) or `ABORTED` (the signal fired).
 */
export async function fetchGitHubReleaseList(options: GitHubReleasesSourceOptions): Promise<GitHubRelease[]> {
  const base = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const first = `${base}/repos/${encodeURIComponent(options.owner)}/${encodeURIComponent(options.repo)}/releases?per_page=${options.perPage ?? 100}`;
  const origin = new URL(first).origin;
  const what = `Listing the releases of ${options.owner}/${options.repo}`;
  const all: GitHubRelease[] = [];
  let url: string | undefined = first;
  for (let page = 0; url && page < (options.maxPages ?? 10); page++) {
    if (new URL(url, first).origin !== origin) {
      throw new ReleaseSourceError('SOURCE_HTTP', {
        message: `${what}: the server sent a next-page link to another origin (${new URL(url, first).origin})`,
        hint: 'Check the base URL; the token is only ever sent to the API origin',
        location: url,
      });
    }
    const { body, next }: { body: unknown; next: string | undefined } = await fetchPage(url, options, what);
    all.push(...readReleases(body));
    url = next ? new URL(next, url).toString() : undefined;
  }
  return all;
}

/** {@link fetchGitHubReleaseList}, read into ReleaseNotes (drafts and prereleases left out by default). */
export async function fetchGitHubReleases(
  options: GitHubReleasesSourceOptions & ParseGitHubReleasesOptions,
): Promise<ReleaseNotes[]> {
  return parseGitHubReleases(await fetchGitHubReleaseList(options), options);
}

async function fetchPage(
  url: string,
  options: GitHubReleasesSourceOptions,
  what: string,
): Promise<{ body: unknown; next: string | undefined }> {
  // Responses differ with and without a token (drafts are only visible with one), so they are cached apart.
  const key = `${options.token ? 'auth' : 'anon'} ${url}`;
  const cached = await options.cache?.get(key);
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'engram-upgrade',
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (cached) headers['if-none-match'] = cached.etag;

  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = withTimeout(options.signal, timeoutMs);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal });
  } catch (cause) {
    throw requestFailure(cause, url, what, options.signal, timeoutMs);
  }
  if (response.status === 304 && cached) return { body: cached.body, next: cached.next };
  if (!response.ok) throw await httpFailure(response, url, what);

  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    // The body streams under the same signal: a stalled or cancelled body is not "not JSON".
    if (signal.aborted) throw requestFailure(signal.reason, url, what, options.signal, timeoutMs);
    throw new ReleaseSourceError('SOURCE_HTTP', {
      message: `${what}: the answer from ${url} is not JSON`,
      hint: 'Check the base URL points at the REST API (GitHub Enterprise: https://<host>/api/v3)',
      location: url,
      status: response.status,
      cause,
    });
  }
  const next = nextLink(response.headers.get('link'));
  const etag = response.headers.get('etag');
  if (etag && options.cache) await options.cache.set(key, { etag, body, ...(next ? { next } : {}) });
  return { body, next };
}
