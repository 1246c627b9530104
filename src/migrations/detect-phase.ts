import type { MigrationPhase, MigrationReason } from './migration-analysis';
import type { MigrationOutline } from './migration-outline';

type KnownPhase = Exclude<MigrationPhase, 'unknown'>;

/** One place in the file that names a phase. */
export interface PhaseClaim {
  phase: KnownPhase;
  source: 'comment' | 'moduledoc' | 'slug';
  /** Null for the slug, which is part of the file name. */
  line: number | null;
  /** What was written, shortened. */
  quote: string;
}

const NAME = '(expand|contract|migrate[-_]data|migrate|data[- ]migration)';
// `# phase/expand — …`, `# phase/contract: …`, `# phase: expand` (the form Preflight looks for).
const TAGGED = new RegExp(String.raw`\bphase\s*[/:]\s*${NAME}\b`, 'gi');
// Prose in a moduledoc: "the expand phase of …", "Phase contract".
const PROSE = new RegExp(String.raw`\b${NAME}\s+phase\b|\bphase\s+${NAME}\b`, 'gi');
const SLUG = /_(expand|migrate|migrate_data|contract)$/;

function normalise(name: string): KnownPhase {
  const n = name.toLowerCase();
  if (n === 'expand' || n === 'contract') return n;
  return 'migrate-data';
}

function shorten(text: string, max = 72): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Every phase the file names: comments, then the moduledoc, then the slug suffix. */
export function phaseClaims(outline: MigrationOutline, slug: string): PhaseClaim[] {
  const claims: PhaseClaim[] = [];
  for (const c of outline.comments) {
    for (const m of c.text.matchAll(TAGGED)) {
      claims.push({
        phase: normalise(m[1]!),
        source: 'comment',
        line: c.line,
        quote: shorten(`# ${c.text}`),
      });
    }
  }
  const doc = outline.moduledoc;
  if (doc) {
    const lines = doc.text.split('\n');
    // Tagged mentions win over prose; prose is read only when the moduledoc has no tag.
    for (const pattern of [TAGGED, PROSE]) {
      lines.forEach((text, k) => {
        for (const m of text.matchAll(pattern)) {
          const name = m[1] ?? m[2]!;
          claims.push({
            phase: normalise(name),
            source: 'moduledoc',
            line: doc.line + k,
            quote: shorten(text),
          });
        }
      });
      if (claims.some((c) => c.source === 'moduledoc')) break;
    }
  }
  const suffix = SLUG.exec(slug);
  if (suffix)
    claims.push({ phase: normalise(suffix[1]!), source: 'slug', line: null, quote: `_${suffix[1]}` });
  return claims;
}

function describe(c: PhaseClaim): string {
  if (c.source === 'slug') return `The slug suffix ${c.quote} means phase ${c.phase}.`;
  const where = c.source === 'comment' ? 'the comment' : 'the @moduledoc line';
  return `Line ${c.line}: ${where} "${c.quote}" names phase ${c.phase}.`;
}

function label(c: PhaseClaim): string {
  return c.source === 'slug'
    ? `slug suffix ${c.quote}: ${c.phase}`
    : `${c.source} on line ${c.line}: ${c.phase}`;
}

/** One phase when every claim agrees; `unknown` when none is made or they disagree, saying which. */
export function decidePhase(claims: PhaseClaim[]): { phase: MigrationPhase; reasons: MigrationReason[] } {
  const reasons: MigrationReason[] = claims.map((c) => ({ topic: 'phase', line: c.line, text: describe(c) }));
  const distinct = [...new Set(claims.map((c) => c.phase))];
  if (distinct.length === 1) return { phase: distinct[0]!, reasons };
  if (distinct.length === 0) {
    reasons.push({
      topic: 'phase',
      line: null,
      text: 'Phase unknown: no "# phase/…" comment, no phase in the @moduledoc and no _expand, _migrate or _contract slug suffix.',
    });
  } else {
    reasons.push({
      topic: 'phase',
      line: null,
      text: `Phase unknown: the file names ${distinct.join(' and ')} (${claims.map(label).join('; ')}).`,
    });
  }
  return { phase: 'unknown', reasons };
}
