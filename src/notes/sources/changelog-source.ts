import { type ParseChangelogOptions, parseChangelog } from '../parse-changelog';
import type { ReleaseNotes } from '../release-notes';
import { type FetchTextOptions, fetchText, readTextFile } from './read-text';

/** Where a CHANGELOG.md comes from: a local file or a URL (for example a raw.githubusercontent.com link). */
export type ChangelogSource = { path: string } | { url: string };

/** How to fetch the file, and which versions to parse (see {@link ParseChangelogOptions}). */
export interface ReadChangelogOptions extends FetchTextOptions, ParseChangelogOptions {}

/** Reads a CHANGELOG.md from a path or URL and parses every version in it, or those in `from`…`to`. */
export async function readChangelog(
  source: ChangelogSource,
  options: ReadChangelogOptions = {},
): Promise<ReleaseNotes[]> {
  const { from, to, ...fetchOptions } = options;
  const text =
    'path' in source
      ? await readTextFile(source.path, 'Reading the CHANGELOG')
      : await fetchText(source.url, 'Fetching the CHANGELOG', fetchOptions);
  return parseChangelog(text, {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  });
}
