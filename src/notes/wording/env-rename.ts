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

export interface EnvRenameReading {
  renames: EnvRenameMatch[];
  /**
   * Rename wording whose names stand in a list ("A and B are no longer read; use C and D"): which old
   * name goes with which new one is not said. Each entry is the old names, then the new ones.
   */
  unpaired: { from: string[]; to: string[] }[];
}

// Names joined by "and", "or", a comma or a slash next to a rename's name make a list.
const LISTED_BEFORE = /@(\d+)\s*(?:,|\band\b|\bor\b|&|\/)\s*$/;
const LISTED_AFTER = /^\s*(?:,|\band\b|\bor\b|&|\/)\s*@(\d+)/;

/** Renames of environment variables announced in one sentence. */
export function findEnvRenames(t: EnvTemplate): EnvRenameReading {
  const out: EnvRenameReading = { renames: [], unpaired: [] };
  if (t.names.length < 2) return out;
  const found: { a: number; b: number; aAt: number; bEnd: number }[] = [];
  for (const pattern of PATTERNS) {
    for (const m of t.template.matchAll(pattern)) {
      const a = m.groups?.a;
      const b = m.groups?.b;
      if (a === undefined || b === undefined || a === b) continue;
      const aAt = m.index + m[0].indexOf(`@${a}`);
      const bEnd = m.index + m[0].lastIndexOf(`@${b}`) + b.length + 1;
      if (!found.some((f) => f.a === Number(a) && f.b === Number(b))) {
        found.push({ a: Number(a), b: Number(b), aAt, bEnd });
      }
    }
  }
  const paired = new Set(found.flatMap((f) => [f.a, f.b]));
  for (const f of found) {
    const before = listed(t.template.slice(0, f.aAt), LISTED_BEFORE, paired, true);
    const after = listed(t.template.slice(f.bEnd), LISTED_AFTER, paired, false);
    const name = (i: number) => t.names[i]!;
    if (before.length + after.length > 0) {
      out.unpaired.push({ from: [...before, f.a].map(name), to: [f.b, ...after].map(name) });
    } else if (!out.renames.some((r) => r.from === name(f.a) && r.to === name(f.b))) {
      out.renames.push({ from: name(f.a), to: name(f.b) });
    }
  }
  return out;
}

// The names listed next to a rename's name that no rename of their own accounts for.
function listed(text: string, pattern: RegExp, paired: Set<number>, backwards: boolean): number[] {
  const out: number[] = [];
  let rest = text;
  for (let m = pattern.exec(rest); m; m = pattern.exec(rest)) {
    const index = Number(m[1]);
    if (paired.has(index)) break;
    if (backwards) {
      out.unshift(index);
      rest = rest.slice(0, m.index);
    } else {
      out.push(index);
      rest = rest.slice(m.index + m[0].length);
    }
    if (out.length > 8) break;
  }
  return out;
}
