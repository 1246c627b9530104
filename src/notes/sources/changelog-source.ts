import { parseChangelog } from '../parse-changelog';
import type { ReleaseNotes } from '../release-notes';
import { type FetchTextOptions, fetchText, readTextFile } from './read-text';

/** Where a CHANGELOG.md comes from: a local file or a URL (for example a raw.githubusercontent.com link). */
export type ChangelogSource = { path: string } | { url: string };

/** Reads a CHANGELOG.md from a path or URL and parses every version in it. */
export async function readChangelog(
  source: ChangelogSource,
  options: FetchTextOptions = {},
): Promise<ReleaseNotes[]> {
  const text =
    'path' in source
      ? await readTextFile(source.path, 'Reading the CHANGELOG')
      : await fetchText(source.url, 'Fetching the CHANGELOG', options);
  return parseChangelog(text);
}
