import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture } from './fixtures';

/** A request the fake API received, as the tests check it. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  accept: string | undefined;
  apiVersion: string | undefined;
  status: number;
}

export interface FakeGitHub {
  /** Base URL in the GitHub Enterprise form, `http://127.0.0.1:<port>/api/v3`. */
  baseUrl: string;
  origin: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

type Release = { draft: boolean };

/**
 * A local HTTP server that answers like the GitHub releases API for the fixture repository: pages
 * with Link headers, ETags and 304s, drafts only for a token, and the failure answers the source maps.
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const releases: Release[] = JSON.parse(fixture('github-releases.json'));
  const changelog = fixture('CHANGELOG.md');
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      seen.push({ path: `${url.pathname}${url.search}`, ...auth(req), status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    const origin = `http://${req.headers.host}`;
    switch (url.pathname) {
      case '/api/v3/repos/engram-app/Engram/releases': {
        const visible = req.headers.authorization ? releases : releases.filter((r) => !r.draft);
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const body = JSON.stringify(visible.slice((page - 1) * perPage, page * perPage));
        const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
        const last = Math.ceil(visible.length / perPage);
        const link = (p: number, rel: string) =>
          `<${origin}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
        const headers: Record<string, string> = { etag };
        if (page < last) headers.link = `${link(page + 1, 'next')}, ${link(last, 'last')}`;
        if (req.headers['if-none-match'] === etag) return send(304, '', headers);
        return send(200, body, headers);
      }
      case '/api/v3/repos/engram-app/limited/releases':
        return send(403, '{"message":"API rate limit exceeded for 127.0.0.1."}', {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1790000000',
        });
      case '/api/v3/repos/engram-app/busy/releases':
        return send(429, '{"message":"You have exceeded a secondary rate limit."}', { 'retry-after': '60' });
      case '/api/v3/repos/engram-app/slow/releases':
        // Answers nothing for a minute: the caller's timeout or signal has to end the request.
        seen.push({ path: `${url.pathname}${url.search}`, ...auth(req), status: 0 });
        setTimeout(() => send(200, '[]'), 60_000).unref();
        return;
      case '/api/v3/repos/engram-app/broken/releases':
        return send(500, 'upstream exploded');
      case '/api/v3/repos/engram-app/elsewhere/releases':
        return send(200, '[]', { link: '<http://localhost:9/api/v3/steal?page=2>; rel="next"' });
      case '/raw/CHANGELOG.md':
        return send(200, changelog, { 'content-type': 'text/markdown' });
      default:
        return send(404, '{"message":"Not Found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/api/v3`,
    origin,
    seen,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function auth(
  req: IncomingMessage,
): Pick<SeenRequest, 'authorization' | 'ifNoneMatch' | 'accept' | 'apiVersion'> {
  const one = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    authorization: req.headers.authorization,
    ifNoneMatch: one('if-none-match'),
    accept: one('accept'),
    apiVersion: one('x-github-api-version'),
  };
}

/** A local port nothing listens on (bound, then released), for "connection refused". */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
