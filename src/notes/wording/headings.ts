import { readVersionMention, type VersionMention } from './version-mentions';

/** A version heading: `## [0.17.0](compare-url) (2026-08-18)`, `### 0.12.1 (2026-07-31)`, `## v1.0.0`. */
export interface VersionHeading {
  version: string;
  date?: string;
}

const VERSION_HEADING =
  /^\[?(?:release-v|v)?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]?(?:\s*[-–—]?\s*\(?([^)]*)\)?)?\s*$/;
const DATE = /\b(\d{4}-\d{2}-\d{2})\b/;

export function readVersionHeading(text: string): VersionHeading | null {
  const m = VERSION_HEADING.exec(text.trim());
  if (!m?.[1]) return null;
  const date = m[2] ? DATE.exec(m[2])?.[1] : undefined;
  return date ? { version: m[1], date } : { version: m[1] };
}

/** "Upgrade from 0.18 to 1.0", "Upgrading 0.18 → 1.0", "From 0.18.x to 1.0 (upgrade guide)". */
export interface UpgradeHeading {
  from: VersionMention;
  to: VersionMention;
}

const V = '((?:release-v|v)?\\d+\\.\\d+(?:\\.(?:\\d+|x))?(?:\\s+line)?)';
const UPGRADE_HEADINGS = [
  new RegExp(`\\bupgrad(?:e|es|ing)(?:\\s+\\w+){0,2}?\\s+(?:from\\s+)?${V}\\s+(?:to|→|->|=>)\\s+${V}`, 'i'),
  new RegExp(`^(?:migrating\\s+|moving\\s+)?from\\s+${V}\\s+(?:to|→|->)\\s+${V}`, 'i'),
  new RegExp(`^${V}\\s*(?:→|->|=>|to)\\s*${V}\\s*(?:upgrade|migration)`, 'i'),
];

export function readUpgradeHeading(text: string): UpgradeHeading | null {
  for (const re of UPGRADE_HEADINGS) {
    const m = re.exec(text);
    const from = m?.[1] ? readVersionMention(m[1]) : null;
    const to = m?.[2] ? readVersionMention(m[2]) : null;
    if (from && to) return { from, to };
  }
  return null;
}

// The section titles release-please writes (its default changelog sections and the usual renames).
const RELEASE_PLEASE_SECTIONS = new Set([
  'breaking changes',
  'features',
  'bug fixes',
  'performance improvements',
  'reverts',
  'documentation',
  'styles',
  'miscellaneous chores',
  'miscellaneous',
  'chores',
  'code refactoring',
  'refactoring',
  'tests',
  'build system',
  'continuous integration',
  'dependencies',
  'security',
]);

/** A section heading release-please writes ("### Features", "### ⚠ BREAKING CHANGES", …). */
export function isReleasePleaseHeading(text: string): boolean {
  return RELEASE_PLEASE_SECTIONS.has(sectionTitle(text).toLowerCase().replace(/\s+/g, ' '));
}

export const isSchemaImpactHeading = (text: string): boolean => /^\W*schema[- ]impact\b/i.test(text);
export const isBreakingHeading = (text: string): boolean => /\bbreaking\b/i.test(text);

/** The part of a SCHEMA-IMPACT block a sub-heading opens. */
export type SchemaPart = 'procedure' | 'prs' | 'irreversible' | 'rollback' | 'other';

export function schemaPart(text: string): SchemaPart {
  if (/irreversible/i.test(text)) return 'irreversible';
  if (/roll\s*-?back/i.test(text)) return 'rollback';
  if (/\b(prs?|pull requests?)\b/i.test(text)) return 'prs';
  if (/procedure|upgrade/i.test(text)) return 'procedure';
  return 'other';
}

/** Section titles without the decoration release-please and authors put in front ("⚠ ", "🐛 "). */
export function sectionTitle(text: string): string {
  return text.replace(/^[^\p{L}\p{N}]+/u, '').trim() || text.trim();
}
