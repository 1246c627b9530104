import semver from 'semver';
import { type NotesDraft, settleFloor } from './notes-draft';
import type { ReleaseNotes, TagFamily } from './release-notes';

/** What is known about a release apart from its text. */
export interface ReleaseIdentity {
  version: string;
  family: TagFamily;
  tag?: string;
  date?: string;
  url?: string;
  prerelease?: boolean;
  draft?: boolean;
}

/** Turns a walked draft into the ReleaseNotes value: picks the floor and fills in the identity. */
export function settleNotes(draft: NotesDraft, id: ReleaseIdentity): ReleaseNotes {
  if (draft.heading && semver.valid(draft.heading.version) && draft.heading.version !== id.version) {
    draft.needsReview.push({
      text: `version heading ${draft.heading.version}`,
      line: draft.heading.line,
      reason: `the text is headed ${draft.heading.version} but describes release ${id.version}`,
    });
  }
  const minimumFrom = settleFloor(draft, id.version);
  // "name the instance through ENGRAM_INSTANCE_NAME" needs no review when the same notes say it is required.
  const known = new Set([
    ...draft.requiredEnv.map((r) => r.name),
    ...draft.envRenames.flatMap((r) => [r.from, r.to]),
  ]);
  const needsReview = draft.needsReview.filter(
    (r) => !draft.envOnlyReviews.get(r)?.every((n) => known.has(n)),
  );
  const date = id.date ?? draft.heading?.date;
  const url = id.url ?? draft.heading?.url;
  return {
    version: id.version,
    ...(id.tag === undefined ? {} : { tag: id.tag }),
    family: id.family,
    ...(date === undefined ? {} : { date }),
    prerelease: id.prerelease ?? semver.prerelease(id.version) !== null,
    draft: id.draft ?? false,
    ...(url === undefined ? {} : { url }),
    sections: draft.sections,
    breaking: draft.breaking,
    envRenames: draft.envRenames,
    requiredEnv: draft.requiredEnv,
    oneWay: draft.oneWay,
    schemaImpact: draft.schemaImpact,
    minimumFrom,
    upgradeSections: draft.upgradeSections,
    needsReview: needsReview.sort((a, b) => a.line - b.line),
  };
}
