import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readReleases, releasesSource } from '../../../src/cli/read-releases';
import type { UpgradeError } from '../../../src/errors/upgrade-error';
import { parseGitHubReleases } from '../../../src/notes/parse-github-releases';
import { upgradeFailure as failure } from '../../upgrade-failure';
import { closedPort, type FakeGitHub, startFakeGitHub } from '../notes/fake-github';
import { FIXTURES, githubReleases } from '../notes/fixtures';

let api: FakeGitHub;
let dir: string;
beforeAll(async () => {
  api = await startFakeGitHub();
  dir = await mkdtemp(join(tmpdir(), 'read-releases-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  api.seen.length = 0;
});

const TOKEN = 'ghp_secretSecretSecret0123456789';

/** Everything an error shows a person or a tool: message, hint, JSON, inspect output. */
function shown(e: UpgradeError): string {
  return [e.message, e.hint, JSON.stringify(e), inspect(e, { depth: 5 })].join('\n');
}

describe('the CLI reads release notes from GitHub when no file is given', () => {
  it("reads Engram's own repository by default, without a token when none is set", async () => {
    const notes = await readReleases({ 'github-api-url': api.baseUrl }, { env: {} });
    expect(notes).toEqual(parseGitHubReleases(githubReleases()));
    expect(api.seen.map((r) => r.path)).toEqual(['/api/v3/repos/engram-app/Engram/releases?per_page=100']);
    expect(api.seen[0]?.authorization).toBeUndefined();
  });

  it('sends GITHUB_TOKEN (or GH_TOKEN) from the environment as a bearer token', async () => {
    await readReleases({ 'github-api-url': api.baseUrl }, { env: { GITHUB_TOKEN: TOKEN } });
    await readReleases({ 'github-api-url': api.baseUrl }, { env: { GH_TOKEN: 'other' } });
    expect(api.seen.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`, 'Bearer other']);
  });

  it('reads the token from --github-token-file, which wins over the environment', async () => {
    const file = join(dir, 'token');
    await writeFile(file, `${TOKEN}\n`);
    await chmod(file, 0o600);
    const values = { 'github-api-url': api.baseUrl, 'github-token-file': file };
    await readReleases(values, { env: { GITHUB_TOKEN: 'from-env' } });
    expect(api.seen.map((r) => r.authorization)).toEqual([`Bearer ${TOKEN}`]);

    const source = await releasesSource(values, { env: {} });
    expect(source.description).toBe(`GitHub releases of engram-app/Engram (${new URL(api.baseUrl).host})`);
    expect(JSON.stringify(source)).not.toContain(TOKEN);
    expect(inspect(source, { depth: 10 })).not.toContain(TOKEN);
  });

  it('an empty or missing token file is bad input naming the file, not its content', async () => {
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    const e1 = await failure(readReleases({ 'github-token-file': empty }, { env: {} }));
    expect(e1).toMatchObject({ code: 'INVALID_INPUT' });
    expect(e1.message).toMatch(/empty/);
    const e2 = await failure(readReleases({ 'github-token-file': join(dir, 'absent') }, { env: {} }));
    expect(e2).toMatchObject({ code: 'INVALID_INPUT' });
    expect(e2.message).toMatch(/ENOENT/);
    expect(api.seen).toHaveLength(0);
  });

  it('--releases-repo reads another repository, and must be OWNER/NAME', async () => {
    const e = await failure(
      readReleases({ 'github-api-url': api.baseUrl, 'releases-repo': 'engram-app/nope' }, { env: {} }),
    );
    expect(e).toMatchObject({ code: 'SOURCE_NOT_FOUND', status: 404 });
    const bad = await failure(readReleases({ 'releases-repo': 'just-a-name' }, { env: {} }));
    expect(bad).toMatchObject({ code: 'INVALID_INPUT' });
    expect(bad.hint).toMatch(/engram-app\/Engram/);
    const badUrl = await failure(readReleases({ 'github-api-url': 'ftp://example' }, { env: {} }));
    expect(badUrl).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a rate limit says when to retry and how to go offline, and never shows the token', async () => {
    const e = await failure(
      readReleases(
        { 'github-api-url': api.baseUrl, 'releases-repo': 'engram-app/limited' },
        { env: { GITHUB_TOKEN: TOKEN } },
      ),
    );
    expect(e).toMatchObject({
      code: 'SOURCE_RATE_LIMITED',
      status: 403,
      resetAt: '2026-09-21T14:13:20.000Z',
    });
    expect(e.hint).toMatch(
      /^Retry after 2026-09-21T14:13:20.000Z, when the limit resets; a token raises the limit \(GITHUB_TOKEN, GH_TOKEN or --github-token-file\); or work offline: --changelog FILE .* or --releases-json FILE .*, with --offline/,
    );
    expect(e.message).toContain(e.hint);
    expect(shown(e)).not.toContain(TOKEN);
  });

  it('an unreachable API is SOURCE_UNREACHABLE with the offline options in the hint', async () => {
    const port = await closedPort();
    const e = await failure(
      readReleases({ 'github-api-url': `http://127.0.0.1:${port}/api/v3` }, { env: { GITHUB_TOKEN: TOKEN } }),
    );
    expect(e).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(e.hint).toMatch(
      /^Check the network, proxy and URL, then retry; or work offline: --changelog FILE/,
    );
    expect(shown(e)).not.toContain(TOKEN);
  });

  it('a cancelled read is ABORTED', async () => {
    const e = await failure(
      readReleases(
        { 'github-api-url': api.baseUrl, 'releases-repo': 'engram-app/slow' },
        { env: {}, signal: AbortSignal.timeout(200) },
      ),
    );
    expect(e).toMatchObject({ code: 'ABORTED' });
  });
});

describe('files and --offline never touch the network', () => {
  it('--changelog and --releases-json read files, even with --offline', async () => {
    const fromJson = await readReleases(
      { 'releases-json': join(FIXTURES, 'github-releases.json'), offline: true },
      { env: {} },
    );
    expect(fromJson).toEqual(parseGitHubReleases(githubReleases()));
    const fromChangelog = await readReleases({ changelog: join(FIXTURES, 'CHANGELOG.md'), offline: true });
    expect(fromChangelog.length).toBeGreaterThan(3);
    expect(api.seen).toHaveLength(0);
  });

  it('--offline alone is bad input saying which files to pass', async () => {
    const e = await failure(readReleases({ offline: true, 'github-api-url': api.baseUrl }, { env: {} }));
    expect(e).toMatchObject({ code: 'INVALID_INPUT' });
    expect(e.hint).toMatch(/--changelog FILE.*--releases-json FILE/);
    expect(api.seen).toHaveLength(0);
  });

  it('both files at once is bad input', async () => {
    const e = await failure(readReleases({ changelog: 'a', 'releases-json': 'b' }));
    expect(e).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
