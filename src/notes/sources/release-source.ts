import { parseChangelog } from '../parse-changelog';
import { type ParseGitHubReleasesOptions, parseGitHubReleases } from '../parse-github-releases';
import type { ReleaseNotes } from '../release-notes';
import { fetchGitHubReleases, type GitHubReleasesSourceOptions } from './github-releases';
import { readTextFile } from './read-text';

/**
 * The port every reader of release notes stands behind: the GitHub API, a saved API response, a
 * CHANGELOG.md. Callers (the command line, a wrapping tool) pick one and only call `read`; the parsers
 * behind it stay pure.
 */
export interface ReleaseNotesSource {
  /** Where the notes come from, for messages (a repository and host, or a path; never a token). */
  readonly description: string;
  /** Whether reading needs the network. */
  readonly online: boolean;
  read(options?: { signal?: AbortSignal }): Promise<ReleaseNotes[]>;
}

/** Engram's own repository, whose `release-vX.Y.Z` GitHub Releases carry the notes. */
export const ENGRAM_RELEASES_REPO = { owner: 'engram-app', repo: 'Engram' } as const;

/** Options of {@link gitHubReleasesSource}: the listing and parsing options, without a per-call signal. */
export type GitHubReleasesSourceConfig = Omit<GitHubReleasesSourceOptions, 'signal'> &
  ParseGitHubReleasesOptions;

/**
 * The releases of a repository through the GitHub REST API (see {@link fetchGitHubReleases}). The
 * token stays inside: the source's description, JSON and errors never show it.
 */
export function gitHubReleasesSource(config: GitHubReleasesSourceConfig): ReleaseNotesSource {
  const host = new URL(config.baseUrl ?? 'https://api.github.com').host;
  const description = `GitHub releases of ${config.owner}/${config.repo} (${host})`;
  // Only the closure holds the config (and its token): JSON and util.inspect show the description alone.
  return {
    description,
    online: true,
    read: (options = {}) =>
      fetchGitHubReleases({ ...config, ...(options.signal ? { signal: options.signal } : {}) }),
  };
}

/** A release-please CHANGELOG.md on disk. */
export function changelogFileSource(path: string): ReleaseNotesSource {
  return {
    description: `changelog ${path}`,
    online: false,
    read: async () => parseChangelog(await readTextFile(path, 'Reading the CHANGELOG')),
  };
}

/** A saved GitHub releases API response: the JSON array `GET /repos/OWNER/REPO/releases` answers. */
export function releasesJsonFileSource(
  path: string,
  options: ParseGitHubReleasesOptions = {},
): ReleaseNotesSource {
  return {
    description: `saved releases response ${path}`,
    online: false,
    read: async () =>
      parseGitHubReleases(await readTextFile(path, 'Reading the saved releases response'), options),
  };
}
