import { versionTemplate } from './version-mentions';

// Words that make a sentence read like an instruction or a limit on upgrading.
const STRONG =
  /\b(must|must not|irreversible|one[- ]way|required|requires|mandatory|breaking|no longer|deprecated|downgrad\w*|roll(?:ed|ing)?[- ]?back|manual(?:ly)?|do not skip|don't skip|cannot|can't|incompatible|not supported|unsupported)\b/;
// "before" only counts next to an upgrade verb: "before upgrading", "before you pull the new image".
const UPGRADE_VERB =
  /^(?:upgrad\w*|updat\w*|start\w*|apply\w*|deploy\w*|pull\w*|install\w*|migrat\w*|running|moving|switch\w*|boot\w*)/;
const WORDS_BETWEEN = 3;
// A version only matters next to words about the upgrade path.
const NEAR_VERSION =
  /\b(from|first|before|after|only|upgrad\w*|line|skip\w*|support\w*|requir\w*|need\w*|older|newer|earlier|later|minimum|at least)\b/;

/**
 * Why a sentence that no detector could read still looks like a constraint, or null when it reads like
 * ordinary prose. Callers put such sentences in `needsReview` instead of dropping them.
 */
export function constraintHint(text: string, envNames: readonly string[]): string | null {
  const lower = text.toLowerCase();
  if (envNames.length > 0) {
    return `mentions ${envNames.join(', ')} but no known wording for a rename, required or removed variable matched`;
  }
  const strong = STRONG.exec(lower);
  if (strong) return `constraint wording "${strong[1]}" was not understood`;
  const before = beforeUpgrade(lower);
  if (before) return `"${before}" reads like an ordering constraint that was not understood`;
  const { versions, template } = versionTemplate(text);
  if (versions.length > 0) {
    const near = NEAR_VERSION.exec(template);
    if (near) return `names version ${versions.map((v) => v.version).join(', ')} next to "${near[1]}"`;
  }
  return null;
}

/**
 * "before" followed, within three words, by an upgrade verb. A word is whatever stands between spaces
 * ("you've", "db:", "(and"), the way a reader counts; a token of punctuation alone (":", "—", "→")
 * is not a word. Leading punctuation does not hide the verb ("before 'upgrading'").
 */
function beforeUpgrade(lower: string): string | null {
  for (const m of lower.matchAll(/\bbefore\s+/g)) {
    const start = m.index + m[0].length;
    const tokens = lower.slice(start).split(/\s+/, WORDS_BETWEEN * 4 + 1);
    let words = 0;
    for (const [i, token] of tokens.entries()) {
      const bare = token.replace(/^[^\p{L}\p{N}]+/u, '');
      const verb = UPGRADE_VERB.exec(bare)?.[0];
      if (verb) return ['before', ...tokens.slice(0, i), verb].join(' ');
      if (bare === '') continue;
      if (++words > WORDS_BETWEEN) break;
    }
  }
  return null;
}
