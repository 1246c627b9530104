import type { SchemaImpact } from './release-notes';

// `- #1412 (`phase/expand`) — add the checksum column`: number, label in parentheses, a dash, the title.
const PR_LINE = /^#(\d+)\s*\(\s*([^)]*?)\s*\)\s*(?:[—–-]+|:)\s*(.+)$/;

/** Reads one bullet of "Schema-impacting PRs in this release". */
export function readSchemaPr(text: string, line: number): SchemaImpact['prs'][number] | null {
  const m = PR_LINE.exec(text.trim());
  if (!m?.[1] || m[2] === undefined || !m[3]) return null;
  return { number: Number(m[1]), label: m[2], title: m[3].trim(), line };
}

// The rollback command of the "Rollback (optional)" ending. Only a real 14-digit Ecto version is
// kept: the generator may also print a placeholder such as <previous-version>.
const ROLLBACK = /Engram\.Release\.rollback\(\s*Engram\.Repo\s*,\s*(\d{14})\s*\)/;

export function readRollbackVersion(code: string): string | undefined {
  return ROLLBACK.exec(code)?.[1];
}
