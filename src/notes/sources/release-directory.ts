import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { NotesUnreadableError, ReleaseSourceError } from '../notes-error';
import { parseReleaseNotes } from '../parse-release-notes';
import type { ReleaseNotes } from '../release-notes';
import { parseVersionTag } from '../version-tag';
import { readTextFile } from './read-text';

export interface ReleaseDirectoryOptions {
  /** Keep releases whose version has a prerelease part. @default false */
  includePrereleases?: boolean;
}

/**
 * Reads a directory of release bodies, one markdown file per release named by its tag
 * (`release-v0.17.0.md`, `v2.8.1.md`, `0.18.1.md`) — the offline mirror of the GitHub releases list.
 * Other files are ignored. Result: grouped by tag family, newest first within each family.
 */
export async function readReleaseDirectory(
  dir: string,
  options: ReleaseDirectoryOptions = {},
): Promise<ReleaseNotes[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new ReleaseSourceError(code === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'SOURCE_IO', {
      message: `Reading the release directory ${dir} failed (${code ?? 'error'})`,
      hint: 'Check the path and that it is a directory of <tag>.md files',
      location: dir,
      cause,
    });
  }
  const out: ReleaseNotes[] = [];
  for (const name of names.filter((n) => n.endsWith('.md')).sort()) {
    const tag = parseVersionTag(name.slice(0, -'.md'.length));
    if (!tag || (tag.prerelease && !options.includePrereleases)) continue;
    const path = join(dir, name);
    const text = await readTextFile(path, 'Reading a release file');
    try {
      out.push(parseReleaseNotes(text, { tag: tag.tag }));
    } catch (cause) {
      // Name the file: the parser only knows it was handed text.
      if (!(cause instanceof NotesUnreadableError)) throw cause;
      throw new NotesUnreadableError({ message: `${path}: ${cause.summary}`, hint: cause.hint, cause });
    }
  }
  return out.sort((a, b) => a.family.localeCompare(b.family) || semver.rcompare(a.version, b.version));
}
