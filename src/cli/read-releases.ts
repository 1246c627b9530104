import { InvalidInputError } from '../errors';
import {
  changelogFileSource,
  ENGRAM_RELEASES_REPO,
  gitHubReleasesSource,
  type ReleaseNotesSource,
  type ReleaseSourceCode,
  ReleaseSourceError,
  readGitHubToken,
  releasesJsonFileSource,
} from '../notes';
import type { ReleaseNotes } from '../notes/release-notes';

/** The release-notes options as parsed (see `notesOptions`). */
export interface ReleasesValues {
  'releases-json'?: string;
  changelog?: string;
  offline?: boolean;
  'releases-repo'?: string;
  'github-api-url'?: string;
  'github-token-file'?: string;
}

/** What reading the notes may use besides the options: the environment (for the token), a signal, a fetch. */
export interface ReleasesContext {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const OFFLINE =
  'or work offline: --changelog FILE (a release-please CHANGELOG.md) or --releases-json FILE (a saved GET /repos/OWNER/REPO/releases response), with --offline so nothing is fetched';

/**
 * Release notes from `--changelog` or `--releases-json` when given, else from the GitHub releases API
 * of `--releases-repo` (Engram's by default), unless `--offline`.
 */
export async function readReleases(
  values: ReleasesValues,
  context: ReleasesContext = {},
): Promise<ReleaseNotes[]> {
  const source = await releasesSource(values, context);
  try {
    return await source.read(context.signal ? { signal: context.signal } : {});
  } catch (err) {
    if (
      source.online &&
      err instanceof ReleaseSourceError &&
      (err.code === 'SOURCE_RATE_LIMITED' || err.code === 'SOURCE_UNREACHABLE')
    ) {
      throw withOfflineHint(err);
    }
    throw err;
  }
}

/** The source the options name; only the GitHub one reads a token, and only from the environment or a file. */
export async function releasesSource(
  values: ReleasesValues,
  context: ReleasesContext = {},
): Promise<ReleaseNotesSource> {
  const releasesJson = values['releases-json'];
  const { changelog } = values;
  if (releasesJson && changelog) {
    throw new InvalidInputError({ message: 'Give either --releases-json or --changelog, not both' });
  }
  if (releasesJson) return releasesJsonFileSource(releasesJson);
  if (changelog) return changelogFileSource(changelog);
  if (values.offline) {
    throw new InvalidInputError({
      message: '--offline was given without release notes to read offline',
      hint: 'Pass --changelog FILE (a release-please CHANGELOG.md) or --releases-json FILE (a saved GitHub releases API response)',
    });
  }
  const repo = repoOf(values['releases-repo']);
  const baseUrl = values['github-api-url'];
  if (baseUrl !== undefined && !/^https?:\/\/[^/]/.test(baseUrl)) {
    throw new InvalidInputError({
      message: `--github-api-url ${baseUrl} is not an http(s) URL`,
      hint: 'Give the REST API root, for example https://github.example.com/api/v3 on GitHub Enterprise Server',
    });
  }
  const env = context.env ?? process.env;
  const tokenFile = values['github-token-file'];
  const token = tokenFile
    ? await readGitHubToken({ file: tokenFile })
    : ((await readGitHubToken({ env: 'GITHUB_TOKEN' }, env)) ??
      (await readGitHubToken({ env: 'GH_TOKEN' }, env)));
  return gitHubReleasesSource({
    ...repo,
    ...(baseUrl ? { baseUrl } : {}),
    ...(token ? { token } : {}),
    ...(context.fetch ? { fetch: context.fetch } : {}),
  });
}

function repoOf(value: string | undefined): { owner: string; repo: string } {
  if (value === undefined) return { ...ENGRAM_RELEASES_REPO };
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(value);
  if (!m?.[1] || !m[2]) {
    throw new InvalidInputError({
      message: `--releases-repo ${value} is not of the form OWNER/NAME`,
      hint: `For example --releases-repo ${ENGRAM_RELEASES_REPO.owner}/${ENGRAM_RELEASES_REPO.repo}`,
    });
  }
  return { owner: m[1], repo: m[2] };
}

/** The same error, its hint in command-line terms: when to retry, the token options, how to go offline. */
function withOfflineHint(err: ReleaseSourceError): ReleaseSourceError {
  // The library's hint starts with when to retry (or what to check); the rest is said here with flags.
  const first = err.hint?.split(';')[0]?.trim() ?? 'Retry later';
  const token =
    err.code === 'SOURCE_RATE_LIMITED'
      ? '; a token raises the limit (GITHUB_TOKEN, GH_TOKEN or --github-token-file)'
      : '';
  return new ReleaseSourceError(err.code as ReleaseSourceCode, {
    message: err.summary,
    ...(err.unchanged ? { unchanged: err.unchanged } : {}),
    hint: `${first}${token}; ${OFFLINE}`,
    location: err.location,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.resetAt !== undefined ? { resetAt: err.resetAt } : {}),
    ...(err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    ...(err.cause !== undefined ? { cause: err.cause } : {}),
  });
}
