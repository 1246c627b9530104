export {
  NotesUnreadableError,
  type ReleaseSourceCode,
  ReleaseSourceError,
  type ReleaseSourceErrorDetails,
} from './notes-error';
export { type ParseChangelogOptions, parseChangelog } from './parse-changelog';
export {
  type GitHubRelease,
  GitHubReleaseSchema,
  type ParseGitHubReleasesOptions,
  parseGitHubReleases,
  readReleases,
} from './parse-github-releases';
export { type ParseReleaseNotesOptions, parseReleaseNotes } from './parse-release-notes';
export * from './release-notes';
export { type ChangelogSource, type ReadChangelogOptions, readChangelog } from './sources/changelog-source';
export { createMemoryEtagCache, type EtagCache, type EtagCacheEntry } from './sources/etag-cache';
export {
  fetchGitHubReleaseList,
  fetchGitHubReleases,
  type GitHubReleasesSourceOptions,
} from './sources/github-releases';
export { type GitHubTokenSource, readGitHubToken } from './sources/github-token';
export type { FetchTextOptions } from './sources/read-text';
export { type ReleaseDirectoryOptions, readReleaseDirectory } from './sources/release-directory';
export {
  changelogFileSource,
  ENGRAM_RELEASES_REPO,
  type GitHubReleasesSourceConfig,
  gitHubReleasesSource,
  type ReleaseNotesSource,
  releasesJsonFileSource,
} from './sources/release-source';
export {
  compareVersionTags,
  formatVersionTag,
  parseVersionTag,
  requireVersionTag,
  type VersionTag,
} from './version-tag';
