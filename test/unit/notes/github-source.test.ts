import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseSourceError } from '../../../src/notes/notes-error';
import { parseGitHubReleases } from '../../../src/notes/parse-github-releases';
import { createMemoryEtagCache } from '../../../src/notes/sources/etag-cache';
import { fetchGitHubReleaseList, fetchGitHubReleases } from '../../../src/notes/sources/github-releases';
import { upgradeFailure as failure } from '../../upgrade-failure';
import { closedPort, type FakeGitHub, startFakeGitHub } from './fake-github';
import { githubReleases } from './fixtures';

let api: FakeGitHub;
beforeAll(async () => {
  api = await startFakeGitHub();
});
afterAll(() => api.close());
beforeEach(() => {
  api.seen.length = 0;
});

const repo = { owner: 'engram-app', repo: 'Engram' };

describe('fetchGitHubReleases against a local API', () => {
  it('follows Link pagination and reads the same notes as the fixture', async () => {
    const notes = await fetchGitHubReleases({ ...repo, baseUrl: api.baseUrl, perPage: 5 });
    expect(notes).toEqual(parseGitHubReleases(githubReleases()));
    // 12 releases without the draft a token-less caller cannot see: pages of 5, 5 and 2.
    expect(api.seen.map((r) => r.path)).toEqual([
      '/api/v3/repos/engram-app/Engram/releases?per_page=5',
      '/api/v3/repos/engram-app/Engram/releases?per_page=5&page=2',
      '/api/v3/repos/engram-app/Engram/releases?per_page=5&page=3',
    ]);
  });

  it('revalidates cached pages with If-None-Match and serves 304s from the cache', async () => {
    const cache = createMemoryEtagCache();
    const first = await fetchGitHubReleases({ ...repo, baseUrl: `${api.baseUrl}/`, perPage: 5, cache });
    const second = await fetchGitHubReleases({ ...repo, baseUrl: api.baseUrl, perPage: 5, cache });
    expect(second).toEqual(first);
    expect(cache.size).toBe(3);
    expect(api.seen.map((r) => r.status)).toEqual([200, 200, 200, 304, 304, 304]);
    expect(api.seen.slice(3).every((r) => r.ifNoneMatch?.startsWith('"'))).toBe(true);
  });

  it('sends the token as a bearer header; drafts then become visible and can be kept', async () => {
    const raw = await fetchGitHubReleaseList({ ...repo, baseUrl: api.baseUrl, token: 't0ken' });
    expect(raw.some((r) => r.draft)).toBe(true);
    expect(api.seen.every((r) => r.authorization === 'Bearer t0ken')).toBe(true);
    const notes = await fetchGitHubReleases({
      ...repo,
      baseUrl: api.baseUrl,
      token: 't0ken',
      includeDrafts: true,
    });
    expect(notes[0]).toMatchObject({ version: '1.2.0', draft: true });
  });

  it('stops at maxPages', async () => {
    const raw = await fetchGitHubReleaseList({ ...repo, baseUrl: api.baseUrl, perPage: 2, maxPages: 2 });
    expect(raw).toHaveLength(4);
  });

  it('a missing repository is SOURCE_NOT_FOUND with the URL and status', async () => {
    const e = await failure(fetchGitHubReleases({ owner: 'engram-app', repo: 'nope', baseUrl: api.baseUrl }));
    expect(e).toBeInstanceOf(ReleaseSourceError);
    expect(e).toMatchObject({ code: 'SOURCE_NOT_FOUND', status: 404 });
    expect((e as ReleaseSourceError).location).toBe(
      `${api.baseUrl}/repos/engram-app/nope/releases?per_page=100`,
    );
    expect(e.message).toMatch(/Not Found.*Nothing was changed.*token/);
  });

  it('a spent rate limit is SOURCE_RATE_LIMITED with the reset time', async () => {
    const e = await failure(
      fetchGitHubReleases({ owner: 'engram-app', repo: 'limited', baseUrl: api.baseUrl }),
    );
    expect(e).toMatchObject({
      code: 'SOURCE_RATE_LIMITED',
      status: 403,
      resetAt: '2026-09-21T14:13:20.000Z',
    });
    expect(e.hint).toMatch(/2026-09-21T14:13:20.000Z/);
  });

  it('a secondary rate limit (429 with Retry-After) is SOURCE_RATE_LIMITED too', async () => {
    const e = await failure(fetchGitHubReleases({ owner: 'engram-app', repo: 'busy', baseUrl: api.baseUrl }));
    expect(e).toMatchObject({ code: 'SOURCE_RATE_LIMITED', status: 429 });
    expect(e.hint).toMatch(/60 seconds/);
  });

  it('a server error is SOURCE_HTTP with the server’s words', async () => {
    const e = await failure(
      fetchGitHubReleases({ owner: 'engram-app', repo: 'broken', baseUrl: api.baseUrl }),
    );
    expect(e).toMatchObject({ code: 'SOURCE_HTTP', status: 500 });
    expect(e.message).toMatch(/upstream exploded/);
  });

  it('refuses to follow a next link to another origin, so the token never leaves the API host', async () => {
    const e = await failure(
      fetchGitHubReleases({ owner: 'engram-app', repo: 'elsewhere', baseUrl: api.baseUrl, token: 'secret' }),
    );
    expect(e).toMatchObject({ code: 'SOURCE_HTTP' });
    expect(e.message).toMatch(/another origin/);
    expect(api.seen).toHaveLength(1);
  });

  it('an unreachable server is SOURCE_UNREACHABLE naming why; a cancelled call is ABORTED', async () => {
    const port = await closedPort();
    const down = await failure(fetchGitHubReleases({ ...repo, baseUrl: `http://127.0.0.1:${port}/api/v3` }));
    expect(down).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(down.message).toMatch(
      new RegExp(`no answer from 127\\.0\\.0\\.1:${port}: fetch failed \\(ECONNREFUSED\\)`),
    );
    const aborted = await failure(
      fetchGitHubReleases({ ...repo, baseUrl: api.baseUrl, signal: AbortSignal.abort(new Error('stop')) }),
    );
    expect(aborted).toMatchObject({ code: 'ABORTED' });
  });

  it('sends the API media type and version headers on every page', async () => {
    await fetchGitHubReleaseList({ ...repo, baseUrl: api.baseUrl, perPage: 5 });
    expect(api.seen).toHaveLength(3);
    for (const r of api.seen) {
      expect(r).toMatchObject({ accept: 'application/vnd.github+json', apiVersion: '2022-11-28' });
      expect(r.authorization).toBeUndefined();
    }
  });

  it('a server that does not answer within timeoutMs is SOURCE_UNREACHABLE, saying so', async () => {
    const started = Date.now();
    const e = await failure(
      fetchGitHubReleases({ owner: 'engram-app', repo: 'slow', baseUrl: api.baseUrl, timeoutMs: 300 }),
    );
    expect(e).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(e.message).toMatch(/no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a signal fired while the request waits ends it as ABORTED, not as a timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('operator pressed Ctrl-C')), 200);
    const e = await failure(
      fetchGitHubReleases({
        owner: 'engram-app',
        repo: 'slow',
        baseUrl: api.baseUrl,
        signal: controller.signal,
      }),
    );
    expect(e).toMatchObject({ code: 'ABORTED' });
    expect(api.seen.map((r) => r.path)).toEqual(['/api/v3/repos/engram-app/slow/releases?per_page=100']);
  });

  it('rate-limit errors carry retryAfterSeconds and say how to carry on offline', async () => {
    const e = (await failure(
      fetchGitHubReleases({ owner: 'engram-app', repo: 'busy', baseUrl: api.baseUrl }),
    )) as ReleaseSourceError;
    expect(e.retryAfterSeconds).toBe(60);
    expect(e.toJSON()).toMatchObject({ code: 'SOURCE_RATE_LIMITED', retryAfterSeconds: '60', status: '429' });
    expect(e.hint).toMatch(/Retry in 60 seconds.*token.*offline/);
  });
});
