import { type VersionMention, versionTemplate } from './version-mentions';

export interface VersionFloorMatch extends VersionMention {
  /** Set when the floor names another product ("requires PostgreSQL 18 or later"), not Engram. */
  product?: string;
}

// `v` is the version token (§N). Every family of phrasing the issue names, each in a few forms.
const V = '§(?<v>\\d+)';
const PATTERNS: RegExp[] = [
  // "requires 0.17.0 or later", "needs at least 0.17", "minimum version is 0.17.2", "0.17+ is required"
  `\\b(?:requires?|needs?|required|supported)\\s+(?:at least\\s+|a minimum of\\s+)?(?:[\\w-]+\\s+)?(?:version\\s+)?${V}\\s*(?:or (?:later|newer|above|higher|up)|\\+|and (?:later|up|above))`,
  `\\b(?:requires?|needs?)\\s+at least\\s+(?:[\\w-]+\\s+)?(?:version\\s+)?${V}`,
  `\\bminimum\\s+(?:supported\\s+)?(?:version|release)\\s*(?:is|:|to upgrade from is)?\\s*${V}`,
  // "must be on 0.17.x before", "you must already run 0.17.2 before upgrading", "must be running the 0.17 line"
  `\\bmust\\s+(?:already\\s+|first\\s+)?(?:be\\s+)?(?:running|run|on|at|using)\\s+(?:at least\\s+)?(?:the\\s+)?(?:[\\w-]+\\s+)?${V}`,
  // "upgrade to 0.17.2 first", "first update to 0.17", "upgrade to 0.17 before", "must upgrade to 0.17"
  `\\b(?:upgrade|update|move|step|go)\\s+to\\s+(?:[\\w-]+\\s+)?${V}\\s+(?:first|before)`,
  `\\b(?:first|must|need to|have to)\\s+(?:upgrade|update|move)\\s+to\\s+(?:[\\w-]+\\s+)?${V}`,
  `\\b(?:pass|go|step)\\s+through\\s+(?:[\\w-]+\\s+)?${V}`,
  // "only from the 0.17 line", "can only be applied from 0.17.x", "only supported on top of 0.17.2"
  `\\bonly\\s+(?:be\\s+)?(?:supported\\s+|possible\\s+|allowed\\s+|applied\\s+|be applied\\s+|works?\\s+)?(?:from|on top of|after)\\s+(?:the\\s+)?(?:[\\w-]+\\s+)?${V}`,
  // "upgrades from versions older than 0.17 are not supported"
  `\\b(?:older|earlier|lower)\\s+than\\s+(?:[\\w-]+\\s+)?${V}[^.]{0,40}\\b(?:not supported|unsupported|must|cannot|can't|won't)`,
  // "do not skip 0.17.0", "skipping 0.17 is not supported", "cannot skip 0.17"
  `\\b(?:do not|don't|cannot|can't|must not|never)\\s+skip\\s+(?:[\\w-]+\\s+)?${V}`,
  `\\bskipping\\s+(?:[\\w-]+\\s+)?${V}\\s+is\\s+(?:not supported|unsupported|not possible)`,
  // "supported from 0.17.0 or later", "from 0.17 onwards"
  `\\bfrom\\s+(?:[\\w-]+\\s+)?${V}\\s+(?:or later|or newer|onwards|onward|and later|and up)`,
].map((p) => new RegExp(p, 'g'));

// Words that may stand between the verb and the version without naming another product.
const NEUTRAL = new Set([
  'engram',
  'version',
  'release',
  'the',
  'least',
  'on',
  'to',
  'from',
  'at',
  'be',
  'running',
  'run',
  'using',
  'than',
  'through',
  'of',
  'is',
  'requires',
  'require',
  'needs',
  'need',
  'required',
  'supported',
  'skip',
  'skipping',
  'first',
  'upgrade',
  'update',
  'minimum',
  'after',
  'top',
  'applied',
  'a',
  'an',
  'release-v',
  'v',
]);

/**
 * Version floors announced in a sentence ("requires X or later", "must be on X before", "upgrade to X
 * first", "only from the X line", …). A floor that names another product is returned with `product`.
 */
export function findVersionFloors(text: string): VersionFloorMatch[] {
  const { versions, template } = versionTemplate(text);
  if (versions.length === 0) return [];
  const out: VersionFloorMatch[] = [];
  for (const pattern of PATTERNS) {
    for (const m of template.matchAll(pattern)) {
      const index = Number(m.groups?.v);
      const mention = versions[index];
      if (!mention || out.some((f) => f.version === mention.version && f.exact === mention.exact)) continue;
      const product = productBefore(template, `§${index}`);
      out.push(product ? { ...mention, product } : mention);
    }
  }
  return out;
}

function productBefore(template: string, token: string): string | undefined {
  const before = template.slice(0, template.indexOf(token)).trim().split(/\s+/);
  const word = before[before.length - 1]?.replace(/[^\w-]/g, '');
  if (!word || NEUTRAL.has(word) || /^\d/.test(word)) return undefined;
  return word;
}
