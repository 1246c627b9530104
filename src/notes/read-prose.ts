import { type LinedText, sentences } from './inline-text';
import { addRename, addRequired, type NotesDraft } from './notes-draft';
import type { NeedsReview } from './release-notes';
import { classifyBreaking } from './wording/breaking-kind';
import { constraintHint } from './wording/constraint-hint';
import { envTemplate } from './wording/env-names';
import { findEnvRenames } from './wording/env-rename';
import { findRequiredEnv } from './wording/env-required';
import { readIrreversible } from './wording/irreversible';
import { saysRemoved } from './wording/removal';
import { findVersionFloors } from './wording/version-floor';

export interface ProseReading {
  /** Constraint-looking sentences nothing could read; the caller decides whether they need review. */
  unread: NeedsReview[];
}

/**
 * Reads every sentence of one block of prose into the draft. With `breaking`, the block is a breaking
 * change as a whole: when no sentence names a variable, it is still recorded, classified by its wording.
 */
export function readProse(block: LinedText, draft: NotesDraft, options: { breaking: boolean }): ProseReading {
  const unread: NeedsReview[] = [];
  const breakingBefore = draft.breaking.length;
  let previousEnv: string | undefined;
  for (const s of sentences(block)) {
    const tpl = envTemplate(s);
    const lower = s.text.toLowerCase();
    const renames = findEnvRenames(tpl);
    const required = findRequiredEnv(tpl, previousEnv);
    const renamed = new Set(renames.flatMap((r) => [r.from, r.to]));
    const removed = saysRemoved(lower)
      ? tpl.names.filter((n) => !renamed.has(n) && !required.includes(n))
      : [];
    const floors = findVersionFloors(s.text);
    const irreversible = readIrreversible(lower);

    for (const r of renames) {
      if (addRename(draft, { ...r, line: s.line })) {
        draft.breaking.push({ kind: 'env-rename', text: s.text, line: s.line, from: r.from, to: r.to });
      }
    }
    for (const name of required) {
      if (addRequired(draft, { name, line: s.line })) {
        draft.breaking.push({ kind: 'env-required', text: s.text, line: s.line, to: name });
      }
    }
    for (const name of removed)
      draft.breaking.push({ kind: 'removed', text: s.text, line: s.line, from: name });
    for (const f of floors) {
      if (f.product) {
        unread.push({ text: s.text, line: s.line, reason: `version floor names ${f.product}, not Engram` });
      } else {
        draft.floors.push({ version: f.version, exact: f.exact, text: s.text, line: s.line });
      }
    }
    if (irreversible === 'irreversible') draft.oneWay ??= { text: s.text, line: s.line };
    if (irreversible === 'negated') {
      unread.push({
        text: s.text,
        line: s.line,
        reason: 'denies an irreversible change; not treated as one-way',
      });
    }

    const read =
      renames.length + required.length + removed.length + floors.length > 0 || irreversible !== null;
    const consumed = new Set([...renamed, ...required, ...removed]);
    const leftover = tpl.names.filter((n) => !consumed.has(n));
    if (!read) {
      const reason = constraintHint(s.text, tpl.names);
      if (reason) {
        const review = { text: s.text, line: s.line, reason };
        unread.push(review);
        if (tpl.names.length > 0) draft.envOnlyReviews.set(review, tpl.names);
      }
    } else if (leftover.length > 0 && consumed.size > 0) {
      unread.push({
        text: s.text,
        line: s.line,
        reason: `also mentions ${leftover.join(', ')}, which was not read`,
      });
    }
    previousEnv = tpl.names[tpl.names.length - 1] ?? previousEnv;
  }

  if (options.breaking && draft.breaking.length === breakingBefore) {
    const text = block.text.replace(/\s+/g, ' ').trim();
    const lower = text.toLowerCase();
    if (text)
      draft.breaking.push({
        kind: classifyBreaking(lower, saysRemoved(lower)),
        text,
        line: block.marks[0]?.line ?? 1,
      });
    // The breaking change itself is the record; its sentences need no second listing.
    return { unread: [] };
  }
  return { unread: options.breaking ? [] : unread };
}
