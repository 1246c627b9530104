import { type EnvSettlement, type SentenceEnv, settleEnv } from './env-findings';
import { type LinedText, type Sentence, sentences } from './inline-text';
import { addBreaking, addRemoved, addRename, addRequired, type NotesDraft } from './notes-draft';
import type { BreakingChange, NeedsReview } from './release-notes';
import { classifyBreaking } from './wording/breaking-kind';
import { constraintHint } from './wording/constraint-hint';
import { type EnvTemplate, envTemplate } from './wording/env-names';
import { findEnvRenames } from './wording/env-rename';
import { findRequiredEnv } from './wording/env-required';
import { envRoles } from './wording/env-roles';
import { type IrreversibleReading, readIrreversible } from './wording/irreversible';
import { saysRemoved } from './wording/removal';
import { findVersionFloors, type VersionFloorMatch } from './wording/version-floor';

export interface ProseReading {
  /** Constraint-looking sentences nothing could read; the caller decides whether they need review. */
  unread: NeedsReview[];
}

interface SentenceReading {
  s: Sentence;
  tpl: EnvTemplate;
  env: SentenceEnv;
  floors: VersionFloorMatch[];
  irreversible: IrreversibleReading;
}

/**
 * Reads one block of prose (a list item or a paragraph, given as its paragraphs) into the draft. A
 * block is one item of the notes: however many findings it holds, it gives at most one breaking change.
 * With `breaking`, the block is a breaking change as a whole: when nothing in it names a variable, it
 * is still recorded, classified by its wording. Without it, it is recorded only when it tells something
 * the notes have not said yet.
 */
export function readProse(
  parts: readonly LinedText[],
  draft: NotesDraft,
  options: { breaking: boolean },
): ProseReading {
  const readings: SentenceReading[] = [];
  let previousEnv: string | undefined;
  for (const part of parts) {
    for (const s of sentences(part)) {
      const reading = readSentence(s, previousEnv);
      readings.push(reading);
      previousEnv = reading.tpl.names.at(-1) ?? previousEnv;
    }
  }
  const env = settleEnv(readings.map((r) => r.env));
  draft.needsReview.push(...env.reviews);
  const fresh = recordEnv(env, draft);
  const unread: NeedsReview[] = [];
  readings.forEach((r, i) => {
    const { s, floors, irreversible } = r;
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
    const consumed = env.read[i]!;
    const reviewed = env.reviews.some((v) => v.line === s.line && v.text.includes(s.text));
    const read = consumed.size + floors.length > 0 || irreversible !== null || reviewed;
    const leftover = r.tpl.names.filter((n) => !consumed.has(n));
    if (!read) {
      const reason = constraintHint(s.text, r.tpl.names);
      if (reason) {
        const review = { text: s.text, line: s.line, reason };
        unread.push(review);
        if (r.tpl.names.length > 0) draft.envOnlyReviews.set(review, r.tpl.names);
      }
    } else if (leftover.length > 0 && consumed.size > 0) {
      unread.push({
        text: s.text,
        line: s.line,
        reason: `also mentions ${leftover.join(', ')}, which was not read`,
      });
    }
  });

  const text = parts
    .map((p) => p.text)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const line = parts[0]?.marks[0]?.line ?? 1;
  const finding = options.breaking ? (fresh.all[0] ?? null) : (fresh.added[0] ?? null);
  if (text && finding) addBreaking(draft, { kind: finding.kind, text, line, ...fromTo(finding) });
  else if (text && options.breaking) {
    const lower = text.toLowerCase();
    addBreaking(draft, { kind: classifyBreaking(lower, saysRemoved(lower)), text, line });
  }
  // In a breaking block the breaking change itself is the record; its sentences need no second listing.
  return { unread: options.breaking ? [] : unread };
}

function readSentence(s: Sentence, previousEnv: string | undefined): SentenceReading {
  const tpl = envTemplate(s);
  const lower = s.text.toLowerCase();
  const { required, conditional } = findRequiredEnv(tpl, previousEnv);
  const { renames, unpaired } = findEnvRenames(tpl);
  const env: SentenceEnv = {
    text: s.text,
    line: s.line,
    names: tpl.names,
    explicit: renames,
    unpaired,
    required,
    conditional,
    roles: envRoles(tpl),
    removal: saysRemoved(lower),
  };
  return { s, tpl, env, floors: findVersionFloors(s.text), irreversible: readIrreversible(lower) };
}

type Finding = Pick<BreakingChange, 'kind' | 'from' | 'to'>;

function fromTo(f: Finding): Pick<BreakingChange, 'from' | 'to'> {
  return { ...(f.from === undefined ? {} : { from: f.from }), ...(f.to === undefined ? {} : { to: f.to }) };
}

/**
 * Adds the block's renames, requirements and removals to the draft. Returns every finding in order of
 * weight (a rename before a requirement before a removal), and those the notes had not given before.
 * A requirement of the new name of a rename is part of that rename, not news.
 */
function recordEnv(env: EnvSettlement, draft: NotesDraft): { all: Finding[]; added: Finding[] } {
  const all: Finding[] = [];
  const added: Finding[] = [];
  for (const r of env.renames) {
    const f: Finding = { kind: 'env-rename', from: r.from, to: r.to };
    all.push(f);
    if (addRename(draft, { from: r.from, to: r.to, line: r.line })) added.push(f);
  }
  const renamedTo = new Set(draft.envRenames.map((r) => r.to));
  for (const { name, line } of env.required) {
    const f: Finding = { kind: 'env-required', to: name };
    all.push(f);
    if (addRequired(draft, { name, line }) && !renamedTo.has(name)) added.push(f);
  }
  for (const { name } of env.removed) {
    const f: Finding = { kind: 'removed', from: name };
    all.push(f);
    if (addRemoved(draft, name)) added.push(f);
  }
  return { all, added };
}
