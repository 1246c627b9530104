import type { NeedsReview } from './release-notes';
import type { EnvRenameMatch } from './wording/env-rename';
import type { EnvRole } from './wording/env-roles';

/** What one sentence says about the variables it names, before the sentences of a block are settled. */
export interface SentenceEnv {
  text: string;
  line: number;
  names: string[];
  /** Renames the wording states outright ("X is renamed to Y", "use Y instead of X"). */
  explicit: EnvRenameMatch[];
  /** Rename wording between lists of names, which does not say which goes with which. */
  unpaired: { from: string[]; to: string[] }[];
  required: string[];
  conditional: { name: string; why: string }[];
  roles: Map<string, EnvRole>;
  /** The sentence says something was removed, without saying what. */
  removal: boolean;
}

export interface EnvSettlement {
  renames: (EnvRenameMatch & { line: number })[];
  required: { name: string; line: number }[];
  removed: { name: string; line: number }[];
  /** Pairings a person has to make, and requirements that hold only in some setups. */
  reviews: NeedsReview[];
  /** Per sentence, the names its findings or reviews account for. */
  read: Set<string>[];
}

interface Mention {
  name: string;
  at: number;
}

/**
 * Pairs the variables a block (one list item or one paragraph) names as going away with those it names
 * as taking over. One of each in a sentence, or else in the whole block, is a rename; several on either
 * side is a question for a person. A variable that goes away with nothing taking over is a removal,
 * and a variable the text introduces or asks for is never one.
 */
export function settleEnv(sentences: readonly SentenceEnv[]): EnvSettlement {
  const out: EnvSettlement = {
    renames: [],
    required: [],
    removed: [],
    reviews: [],
    read: sentences.map(() => new Set()),
  };
  const loose = { gone: [] as Mention[], taking: [] as Mention[], added: [] as Mention[] };
  const arriving = new Set<string>();

  sentences.forEach((s, at) => {
    const read = out.read[at]!;
    for (const r of s.explicit) {
      out.renames.push({ ...r, line: s.line });
      read.add(r.from).add(r.to);
    }
    for (const group of s.unpaired) {
      for (const n of [...group.from, ...group.to]) read.add(n);
      out.reviews.push({ text: s.text, line: s.line, reason: ambiguity(group.from, group.to) });
    }
    for (const name of s.required) {
      if (!out.required.some((r) => r.name === name)) out.required.push({ name, line: s.line });
      read.add(name);
      arriving.add(name);
    }
    for (const c of s.conditional) {
      read.add(c.name);
      out.reviews.push({
        text: s.text,
        line: s.line,
        reason: `${c.name} is asked for only in some setups ("${c.why}"); not treated as required`,
      });
    }
    const open = s.names.filter((n) => !read.has(n) || s.required.includes(n));
    const paired = new Set(s.explicit.flatMap((r) => [r.from, r.to]));
    const role = (n: string) => (s.required.includes(n) ? 'new' : s.roles.get(n));
    const mixed = open.filter((n) => !paired.has(n) && role(n) === 'mixed');
    const taking = open.filter((n) => !paired.has(n) && role(n) === 'new');
    const added = open.filter((n) => !paired.has(n) && role(n) === 'introduced');
    const neutral = open.filter((n) => !paired.has(n) && role(n) === undefined);
    for (const n of [...taking, ...added]) arriving.add(n);
    // Across sentences only replacement wording pairs; "Y must be set" two sentences later may be news.
    const cued = taking.filter((n) => s.roles.get(n) === 'new');
    const asked = taking.filter((n) => !cued.includes(n));
    // "X and Y were removed": a name next to removal wording goes too, unless something takes over.
    const gone = open.filter(
      (n) => !paired.has(n) && (role(n) === 'old' || (s.removal && neutral.includes(n))),
    );
    for (const name of mixed) {
      read.add(name);
      out.reviews.push({
        text: s.text,
        line: s.line,
        reason: `${name} is named both as going away and as taking over; not read as a rename or a removal`,
      });
    }
    if (gone.length === 1 && taking.length === 1 && added.length === 0) {
      out.renames.push({ from: gone[0]!, to: taking[0]!, line: s.line });
      read.add(gone[0]!).add(taking[0]!);
    } else if (gone.length > 0 && taking.length + added.length > 0) {
      for (const n of [...gone, ...taking, ...added]) read.add(n);
      out.reviews.push({ text: s.text, line: s.line, reason: ambiguity(gone, [...taking, ...added]) });
    } else {
      loose.gone.push(...gone.map((name) => ({ name, at })));
      loose.taking.push(...cued.map((name) => ({ name, at })));
      loose.added.push(...[...added, ...asked].map((name) => ({ name, at })));
    }
  });

  const { gone, taking, added } = loose;
  if (gone.length === 1 && taking.length === 1 && added.length === 0) {
    const [g, t] = [gone[0]!, taking[0]!];
    out.renames.push({ from: g.name, to: t.name, line: sentences[g.at]!.line });
    out.read[g.at]!.add(g.name);
    out.read[t.at]!.add(t.name);
  } else if (gone.length > 0 && taking.length + added.length > 0) {
    const involved = [...gone, ...taking, ...added];
    for (const m of involved) out.read[m.at]!.add(m.name);
    const first = Math.min(...involved.map((m) => m.at));
    const last = Math.max(...involved.map((m) => m.at));
    out.reviews.push({
      text: sentences
        .slice(first, last + 1)
        .map((s) => s.text)
        .join(' '),
      line: sentences[first]!.line,
      reason: ambiguity(
        gone.map((m) => m.name),
        [...taking, ...added].map((m) => m.name),
      ),
    });
  } else {
    for (const m of gone) {
      if (arriving.has(m.name)) continue;
      out.removed.push({ name: m.name, line: sentences[m.at]!.line });
      out.read[m.at]!.add(m.name);
    }
  }
  return out;
}

function ambiguity(gone: string[], arriving: string[]): string {
  const list = (names: string[]) => [...new Set(names)].join(', ');
  return `cannot tell what replaces what: ${list(gone)} going away, ${list(arriving)} named as new; not read as a rename or a removal`;
}
