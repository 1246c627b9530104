import { z } from 'zod';
import { InvalidInputError } from '../errors/upgrade-error';
import { NotesUnreadableError } from './notes-error';
import { parseReleaseNotes } from './parse-release-notes';
import type { ReleaseNotes } from './release-notes';
import { parseVersionTag } from './version-tag';

/** The fields of a GitHub REST "release" object this library reads; the API sends many more. */
export const GitHubReleaseSchema = z.object({
  tag_name: z.string(),
  name: z.string().nullish(),
  body: z.string().nullish(),
  draft: z.boolean().default(false),
  prerelease: z.boolean().default(false),
  html_url: z.string().nullish(),
  published_at: z.string().nullish(),
  created_at: z.string().nullish(),
});
export type GitHubRelease = z.infer<typeof GitHubReleaseSchema>;

export interface ParseGitHubReleasesOptions {
  /** Keep releases GitHub marks as prereleases. @default false */
  includePrereleases?: boolean;
  /** Keep draft releases (only visible with a token that can push). @default false */
  includeDrafts?: boolean;
}

/**
 * Reads a GitHub releases API response (the parsed JSON array or its text) into ReleaseNotes, in the
 * order given (newest first from the API). Releases whose tag is not a version (`pre-python-removal`)
 * are left out: they cannot take part in a plan. Each keeps its tag family; families are never mixed.
 */
export function parseGitHubReleases(json: unknown, options: ParseGitHubReleasesOptions = {}): ReleaseNotes[] {
  const releases = readReleases(json);
  const out: ReleaseNotes[] = [];
  for (const release of releases) {
    if (release.draft && !options.includeDrafts) continue;
    if (release.prerelease && !options.includePrereleases) continue;
    const tag = parseVersionTag(release.tag_name);
    if (!tag) continue;
    const date = (release.published_at ?? release.created_at ?? undefined)?.slice(0, 10);
    out.push(
      parseReleaseNotes(release.body ?? '', {
        tag: tag.tag,
        draft: release.draft,
        prerelease: release.prerelease || tag.prerelease,
        ...(date ? { date } : {}),
        ...(release.html_url ? { url: release.html_url } : {}),
      }),
    );
  }
  return out;
}

/** Validates an API response: an array of release objects, or JSON text of one. */
export function readReleases(json: unknown): GitHubRelease[] {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (cause) {
      throw new NotesUnreadableError({
        message: 'the GitHub releases response is not valid JSON',
        hint: 'Pass the body of GET /repos/{owner}/{repo}/releases, or the array parsed from it',
        cause,
      });
    }
  }
  const parsed = z.array(GitHubReleaseSchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new InvalidInputError({
      message: `the GitHub releases response does not look like a list of releases${where}: ${issue?.message ?? 'invalid'}`,
      hint: 'Pass the array returned by GET /repos/{owner}/{repo}/releases',
      cause: parsed.error,
    });
  }
  return parsed.data;
}
