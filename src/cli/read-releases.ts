import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors';
import { parseChangelog, parseGitHubReleases } from '../notes';
import type { ReleaseNotes } from '../notes/release-notes';

/** Release notes from a saved GitHub releases API response or a release-please CHANGELOG.md. */
export async function readReleases(values: {
  'releases-json'?: string;
  changelog?: string;
}): Promise<ReleaseNotes[]> {
  const opts = { releasesJson: values['releases-json'], changelog: values.changelog };
  if (opts.releasesJson && opts.changelog) {
    throw new InvalidInputError({ message: 'Give either --releases-json or --changelog, not both' });
  }
  const file = opts.releasesJson ?? opts.changelog;
  if (!file) {
    throw new InvalidInputError({
      message: 'No release notes were given',
      hint: 'Pass --releases-json FILE (a saved GitHub releases API response) or --changelog FILE (CHANGELOG.md)',
    });
  }
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new InvalidInputError({ message: `Could not read ${file}: ${(err as Error).message}`, cause: err });
  });
  if (opts.changelog) return parseChangelog(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError({ message: `${file} is not JSON`, cause: err });
  }
  return parseGitHubReleases(json);
}
