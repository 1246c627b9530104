import type { Nodes, RootContent } from 'mdast';
import semver from 'semver';
import { InvalidInputError } from '../errors/upgrade-error';
import { type ScannedSection, scanChangelog } from './changelog-sections';
import { linedText } from './inline-text';
import { emptyDraft } from './notes-draft';
import { plainBulletList, plainHeading } from './plain-blocks';
import { assertMarkdownText, parseMarkdown, readMarkdown } from './read-markdown';
import type { ReleaseNotes } from './release-notes';
import { settleNotes } from './settle-notes';
import { parseVersionTag } from './version-tag';
import { walkNotes } from './walk-notes';
import { readVersionHeading } from './wording/headings';

/**
 * Which versions to read. Planning an upgrade from the running version to a target needs the target,
 * every release in between, and the running version's own entry (the planner looks it up to know where
 * the path starts), so both bounds are inclusive. Versions are compared as semver; a bound may be a
 * tag (`release-v0.17.0`, `v0.17.0`). A heading whose version is not semver is outside any window.
 */
export interface ParseChangelogOptions {
  /**
   * The oldest version to read, inclusive: usually the running version.
   * @default no lower bound
   */
  from?: string;
  /**
   * The newest version to read, inclusive: usually the target.
   * @default no upper bound
   */
  to?: string;
}

/**
 * Reads a CHANGELOG.md (release-please layout: `## [X.Y.Z](compare) (date)` per version) into one
 * ReleaseNotes per version, in file order (newest first in a release-please file). Line numbers are
 * lines of the whole file. Versions are bare (`family: 'bare'`) and carry no tag: a CHANGELOG heading
 * does not prove that a tag exists (Engram's `0.5.688` has none).
 *
 * With `from` or `to`, a scan of the lines finds each version's section first and only the sections
 * in the window are read; within them, lists of plain one-line bullets between two headings (most of a
 * release-please file) are built without the markdown parser. The result is what parsing the whole
 * file and keeping the versions in the window gives, at a fraction of the cost for a long CHANGELOG.
 * @throws {InvalidInputError} `INVALID_INPUT` when the input is not a string or a bound is not a version,
 * or `from` is newer than `to`; `NOTES_UNREADABLE` when it is binary data.
 */
export function parseChangelog(markdown: string, options: ParseChangelogOptions = {}): ReleaseNotes[] {
  const inWindow = windowOf(options);
  if (!inWindow) return notesOf(readMarkdown(markdown, 'The CHANGELOG').children);
  assertMarkdownText(markdown, 'The CHANGELOG');
  const scan = scanChangelog(markdown);
  if (!scan.certain) {
    return notesOf(readMarkdown(markdown, 'The CHANGELOG').children).filter((n) => inWindow(n.version));
  }
  const out: ReleaseNotes[] = [];
  const wanted = scan.sections.filter((s) => s.unsure || (s.version !== null && inWindow(s.version)));
  // Neighbouring sections are parsed together: one parse per run of the file.
  for (let i = 0; i < wanted.length; ) {
    let j = i;
    while (j + 1 < wanted.length && wanted[j + 1]!.start === wanted[j]!.end) j++;
    const part = readPart(markdown, wanted.slice(i, j + 1), scan.definitions);
    out.push(...notesOf(part).filter((n) => inWindow(n.version)));
    i = j + 1;
  }
  return out;
}

/**
 * The top-level nodes of neighbouring sections, with the lines they have in the whole file. A heading
 * in the first column closes every block before it, so the text between two headings is read on its
 * own: plain headings and plain bullet lists are built from their lines, the rest is parsed.
 */
function readPart(markdown: string, sections: ScannedSection[], definitions: string[]): RootContent[] {
  const base = sections[0]!.startLine;
  const lines = markdown.slice(sections[0]!.start, sections.at(-1)!.end).split('\n');
  const headings = sections.flatMap((s) => s.headings.map((h) => h - base));
  const nodes: RootContent[] = [];
  const parse = (from: number, to: number): void => {
    const text = lines.slice(from, to);
    if (text.every((l) => l.trim() === '')) return;
    // Reference definitions apply to the whole file, wherever they are written.
    if (definitions.length > 0) text.push('', ...definitions, '');
    for (const node of parseMarkdown(text.join('\n'), 'The CHANGELOG').children) {
      shiftLines(node, from);
      nodes.push(node);
    }
  };
  let from = 0;
  for (const h of [...headings, lines.length]) {
    if (h > from) {
      const list = plainBulletList(lines.slice(from, h), from + 1);
      if (list) nodes.push(list);
      else parse(from, h);
    }
    if (h < lines.length) {
      const heading = plainHeading(lines[h]!, h + 1);
      if (heading) nodes.push(heading);
      else parse(h, h + 1);
    }
    from = h + 1;
  }
  for (const node of nodes) shiftLines(node, base);
  return nodes;
}

function notesOf(nodes: readonly RootContent[]): ReleaseNotes[] {
  return splitByVersion(nodes).map(({ version, nodes }) => {
    const draft = emptyDraft();
    walkNotes(nodes, draft);
    return settleNotes(draft, { version, family: 'bare' });
  });
}

function windowOf(options: ParseChangelogOptions): ((version: string) => boolean) | null {
  if (options.from === undefined && options.to === undefined) return null;
  const from = options.from === undefined ? undefined : bound('from', options.from);
  const to = options.to === undefined ? undefined : bound('to', options.to);
  if (from && to && semver.gt(from, to)) {
    throw new InvalidInputError({
      message: `the CHANGELOG window starts at ${from}, after its end ${to}`,
      hint: 'Pass the running version as `from` and the target as `to`',
    });
  }
  return (version) =>
    semver.valid(version) !== null &&
    (from === undefined || semver.gte(version, from)) &&
    (to === undefined || semver.lte(version, to));
}

function bound(name: 'from' | 'to', value: unknown): string {
  const tag = typeof value === 'string' ? parseVersionTag(value) : null;
  if (!tag) {
    throw new InvalidInputError({
      message: `\`${name}\` is ${JSON.stringify(value)}, which is not a version`,
      hint: 'Pass a version such as 0.17.0 (or a tag such as release-v0.17.0), or leave it out',
    });
  }
  return tag.version;
}

// The part was read on its own: move its lines to where they are in the whole file. Only lines are
// read from a part's tree; its offsets are those of the part's own text.
function shiftLines(node: Nodes, lines: number): void {
  const p = node.position;
  if (p) {
    p.start.line += lines;
    p.end.line += lines;
  }
  if ('children' in node) for (const child of node.children) shiftLines(child, lines);
}

interface VersionChunk {
  version: string;
  nodes: RootContent[];
}

// A version starts at a heading (level 1–3) that is a version heading; release-please writes patch
// releases one level deeper in some configurations, so every level counts.
function splitByVersion(nodes: readonly RootContent[]): VersionChunk[] {
  const chunks: VersionChunk[] = [];
  let current: VersionChunk | null = null;
  for (const node of nodes) {
    if (node.type === 'heading' && node.depth <= 3) {
      const heading = readVersionHeading(linedText(node, node.position?.start.line ?? 1).text);
      if (heading) {
        current = { version: heading.version, nodes: [] };
        chunks.push(current);
      }
    }
    current?.nodes.push(node);
  }
  return chunks;
}
