import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The release fixtures shared by the notes tests (test/fixtures/releases). */
export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'releases');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function body(name: string): string {
  return fixture(join('bodies', `${name}.md`));
}

/** The GitHub releases API fixture, parsed. */
export function githubReleases(): { tag_name: string; body: string; draft: boolean; prerelease: boolean }[] {
  return JSON.parse(fixture('github-releases.json'));
}

/** The 1-based line of the first line containing `needle`, to check reported lines against the source. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the text`);
  return index + 1;
}
