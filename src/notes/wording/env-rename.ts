import type { EnvTemplate } from './env-names';

export interface EnvRenameMatch {
  from: string;
  to: string;
}

// Each pattern reads a template where variable names are @N. Groups `a` and `b` are the old and the new
// name. Fillers are bounded so two unrelated clauses in one sentence do not pair up.
const FILL = "[\\w\\s,'’()-]{0,40}?";
const PATTERNS: RegExp[] = [
  // "@0 is renamed to @1", "@0 has been renamed as @1", "@0 was renamed (see #12) to @1"
  new RegExp(`@(?<a>\\d+)${FILL}\\brenamed\\b${FILL}\\b(?:to|as|into)\\s+@(?<b>\\d+)`),
  // "rename @0 to @1", "renaming @0 → @1"
  /\brenam(?:e|es|ed|ing)\s+@(?<a>\d+)\s*(?:to|as|into|→|->|=>)\s*@(?<b>\d+)/,
  // "@0 → @1" (bare arrow between two names)
  /@(?<a>\d+)\s*(?:→|->|=>|⇒)\s*@(?<b>\d+)/,
  // "use @1 instead of @0", "set @1 instead of @0", "@1 instead of @0"
  new RegExp(`@(?<b>\\d+)${FILL}\\binstead of\\s+(?:the\\s+)?(?:old\\s+)?@(?<a>\\d+)`),
  // "@0 is (now) replaced by @1", "@0 has been superseded by @1"
  new RegExp(`@(?<a>\\d+)${FILL}\\b(?:replaced|superseded)\\s+by\\s+@(?<b>\\d+)`),
  // "replace @0 with @1", "@1 replaces @0", "@1 supersedes @0"
  /\breplace\s+@(?<a>\d+)\s+(?:with|by)\s+@(?<b>\d+)/,
  /@(?<b>\d+)\s+(?:now\s+)?(?:replaces|supersedes|takes over from)\s+@(?<a>\d+)/,
  // "@0 is no longer read; set @1", "@0 is ignored now, define @1"
  new RegExp(
    `@(?<a>\\d+)${FILL}\\b(?:no longer (?:read|used|honou?red|recogni[sz]ed|consulted)|(?:is|are) (?:now )?ignored)\\b[^@]{0,60}?\\b(?:set|use|define|provide|read from|reads|moves to)\\s+(?:the\\s+)?(?:new\\s+)?@(?<b>\\d+)`,
  ),
  // "@0 is deprecated in favour of @1", "@0 moved to @1", "@0 becomes @1", "@0 is now called @1"
  new RegExp(
    `@(?<a>\\d+)${FILL}\\b(?:in favou?r of|moved to|becomes|is now (?:called|named|spelled))\\s+@(?<b>\\d+)`,
  ),
].map((p) => new RegExp(p.source, 'g'));

/** Renames of environment variables announced in one sentence. */
export function findEnvRenames(t: EnvTemplate): EnvRenameMatch[] {
  if (t.names.length < 2) return [];
  const out: EnvRenameMatch[] = [];
  for (const pattern of PATTERNS) {
    for (const m of t.template.matchAll(pattern)) {
      const a = m.groups?.a;
      const b = m.groups?.b;
      if (a === undefined || b === undefined || a === b) continue;
      const from = t.names[Number(a)];
      const to = t.names[Number(b)];
      if (from && to && !out.some((r) => r.from === from && r.to === to)) out.push({ from, to });
    }
  }
  return out;
}
