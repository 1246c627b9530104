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
