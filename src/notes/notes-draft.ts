import semver from 'semver';
import type {
  BreakingChange,
  EnvRename,
  MinimumFrom,
  NeedsReview,
  RequiredEnv,
  SchemaImpact,
  Section,
  UpgradeSection,
} from './release-notes';
import { mentionFloor } from './wording/version-mentions';

/** Findings collected while walking one release's markdown, before they are settled into ReleaseNotes. */
export interface NotesDraft {
  sections: Section[];
  breaking: BreakingChange[];
  envRenames: EnvRename[];
  requiredEnv: RequiredEnv[];
  /** Variables reported removed so far, so a restatement elsewhere in the notes is not a second finding. */
  removedEnv: string[];
  oneWay: { text: string; line: number } | null;
  schemaImpact: SchemaImpact;
  floors: MinimumFrom[];
  upgradeSections: UpgradeSection[];
  needsReview: NeedsReview[];
  /** Reviews raised only because a sentence names these variables; dropped if the notes read them elsewhere. */
  envOnlyReviews: Map<NeedsReview, string[]>;
  /** The version heading inside the text, if any (`## [0.17.0](…) (2026-08-18)`). */
  heading?: { version: string; date?: string; url?: string; line: number };
}

export function emptyDraft(): NotesDraft {
  return {
    sections: [],
    breaking: [],
    envRenames: [],
    requiredEnv: [],
    removedEnv: [],
    oneWay: null,
    schemaImpact: { present: false, irreversible: false, prs: [] },
    floors: [],
    upgradeSections: [],
    needsReview: [],
    envOnlyReviews: new Map(),
  };
}

/** Records a rename once, however often the notes repeat it. */
export function addRename(draft: NotesDraft, rename: EnvRename): boolean {
  if (draft.envRenames.some((r) => r.from === rename.from && r.to === rename.to)) return false;
  draft.envRenames.push(rename);
  return true;
}

export function addRequired(draft: NotesDraft, required: RequiredEnv): boolean {
  if (draft.requiredEnv.some((r) => r.name === required.name)) return false;
  draft.requiredEnv.push(required);
  return true;
}

export function addRemoved(draft: NotesDraft, name: string): boolean {
  if (draft.removedEnv.includes(name)) return false;
  draft.removedEnv.push(name);
  return true;
}

/**
 * Records a breaking change unless the notes already gave it: the same finding about a variable (the
 * same rename, requirement or removal), or the same text. release-please lists a breaking commit
 * both under BREAKING CHANGES and under its own section, and authors restate renames in prose.
 */
export function addBreaking(draft: NotesDraft, change: BreakingChange): boolean {
  const key = findingKey(change);
  const text = comparableText(change.text);
  if (
    draft.breaking.some((b) => (key !== null && findingKey(b) === key) || comparableText(b.text) === text)
  ) {
    return false;
  }
  draft.breaking.push(change);
  return true;
}

function findingKey(b: BreakingChange): string | null {
  if (b.kind === 'env-rename' && b.from && b.to) return `rename ${b.from} ${b.to}`;
  if (b.kind === 'env-required' && b.to) return `required ${b.to}`;
  if (b.kind === 'removed' && b.from) return `removed ${b.from}`;
  return null;
}

// A bullet and its restatement differ in the links release-please appends: "(#1410)", "(39bd651)",
// ", closes #1401". Case, spacing and the closing full stop do not make a different change either.
function comparableText(text: string): string {
  return text
    .toLowerCase()
    .replace(/\(\s*#\d+\s*\)|\(\s*[0-9a-f]{7,40}\s*\)|,?\s*closes\s+#\d+/g, ' ')
    .replace(/[\s.]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Settles the version floors into one `minimumFrom`. Several statements of the same line agree; the
 * highest floor wins and any other line is kept in `needsReview`, because two different floors in one
 * release mean a person has to decide. A floor at or above the release itself cannot be right.
 */
export function settleFloor(draft: NotesDraft, ownVersion: string | undefined): MinimumFrom | null {
  const own = ownVersion && semver.valid(ownVersion) ? ownVersion : undefined;
  const usable: MinimumFrom[] = [];
  for (const floor of draft.floors) {
    const at = semver.valid(mentionFloor(floor));
    if (own && at && semver.gte(at, own)) {
      draft.needsReview.push({
        text: floor.text,
        line: floor.line,
        reason: `version floor ${floor.version} is not below this release (${own}); not used`,
      });
    } else {
      usable.push(floor);
    }
  }
  const rank = (f: MinimumFrom): string => semver.valid(mentionFloor(f)) ?? '0.0.0';
  const sorted = [...usable].sort((a, b) => semver.rcompare(rank(a), rank(b)));
  const chosen = sorted[0];
  if (!chosen) return null;
  const lineOf = (v: string): string => v.split('.').slice(0, 2).join('.');
  for (const other of sorted.slice(1)) {
    if (lineOf(other.version) === lineOf(chosen.version)) continue;
    draft.needsReview.push({
      text: other.text,
      line: other.line,
      reason: `another version floor (${other.version}) than the one kept (${chosen.version})`,
    });
  }
  return chosen;
}
