import type { RootContent } from 'mdast';
import { linedText } from './inline-text';
import { emptyDraft } from './notes-draft';
import { readMarkdown } from './read-markdown';
import type { ReleaseNotes } from './release-notes';
import { settleNotes } from './settle-notes';
import { walkNotes } from './walk-notes';
import { readVersionHeading } from './wording/headings';

/**
 * Reads a whole CHANGELOG.md (release-please layout: `## [X.Y.Z](compare) (date)` per version) into one
 * ReleaseNotes per version, in file order (newest first in a release-please file). Line numbers are
 * lines of the whole file. Versions are bare (`family: 'bare'`) and carry no tag: a CHANGELOG heading
 * does not prove that a tag exists (Engram's `0.5.688` has none).
 */
export function parseChangelog(markdown: string): ReleaseNotes[] {
  const root = readMarkdown(markdown, 'The CHANGELOG');
  return splitByVersion(root.children).map(({ version, nodes }) => {
    const draft = emptyDraft();
    walkNotes(nodes, draft);
    return settleNotes(draft, { version, family: 'bare' });
  });
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
