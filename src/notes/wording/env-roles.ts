import type { EnvTemplate } from './env-names';

/**
 * What a sentence says about one variable it names:
 * - `old`: the variable goes away (no longer read, removed, deprecated, "instead of X", "formerly X");
 * - `new`: the variable takes over ("now reached through X", "use X", "X in its place", "read from X");
 * - `introduced`: the text adds the variable ("a new variable X", "adds X"); it is never a removal, but
 *   being new is not the same as replacing something, so it is not paired on its own;
 * - `mixed`: the sentence says both about the same name; only a person can tell.
 * Names the wording says nothing about are left out.
 */
export type EnvRole = 'old' | 'new' | 'introduced' | 'mixed';

// Every pattern reads the lower-cased template, where a variable is `@N` (group `n`). `[^;@]` keeps a
// cue inside its clause and stops it from reaching past another variable.
const KIND = '(?:(?:env(?:ironment)?\\s+)?(?:variable|setting|var|option)s?\\s+)?';
const N = '@(?<n>\\d+)';

const OLD: RegExp[] = [
  // "X is no longer read", "X has been removed", "X is deprecated", "X is now ignored"
  `${N}[^;@]{0,40}?\\b(?:no longer (?:read|used|honou?red|recogni[sz]ed|supported|consulted|respected|checked|looked at|has any effect|takes effect|applies|exists?|available)\\b|(?:is|are|was|were|has been|have been|gets|got)\\s+(?:now\\s+)?(?:removed|dropped|deleted|retired|deprecated|ignored|gone|obsolete|unused|unsupported)\\b|deprecated\\b|goes away|went away)`,
  // "removed X", "we no longer read X", "support for X", "instead of X", "rename X", "replace X"
  `\\b(?:remove[sd]?|removing|drop(?:s|ped|ping)?|delete[sd]?|retire[sd]?|deprecate[sd]?|deprecating|ignor(?:e|es|ed|ing)|stop(?:s|ped)? (?:reading|using|honou?ring)|no longer (?:reads?|uses?|honou?rs?|supports?|consults?|looks at)|support for|instead of|renam(?:e|es|ed|ing)|replac(?:e|es|ed|ing))[:]?\\s+(?:the\\s+)?(?:old\\s+|legacy\\s+|deprecated\\s+|former\\s+|previous\\s+)?${KIND}${N}`,
  // "formerly X", "the old X", "X (previously …)"
  `\\b(?:formerly|previously|old|legacy|former|obsolete)\\s+${KIND}${N}`,
  `${N}\\s*\\((?:formerly|previously|was|deprecated|old)\\b`,
  // "X is renamed", "X has been superseded", "X … in favour of"
  `${N}[^;@]{0,30}?\\b(?:is|was|has been|are|were|have been)\\s+(?:now\\s+)?(?:renamed|replaced|superseded)\\b`,
  `${N}[^;@]{0,20}?\\bin favou?r of\\b`,
].map((p) => new RegExp(p, 'g'));

const NEW: RegExp[] = [
  // "the index is now reached through X", "credentials are now read from X", "engram now uses X"
  `\\bnow\\b[^;@]{0,40}?\\b(?:through|via|by|from|with|in|into|as|at|uses?|using|reads?|takes?|expects?|honou?rs?|called|named)\\s+(?:the\\s+)?(?:new\\s+)?${KIND}${N}`,
  // "X is used instead", "X instead", "instead, use X"
  `${N}[^;@]{0,30}?\\binstead\\b(?!\\s+of)`,
  `\\binstead[,:]?\\s+(?:(?:use|set|define|configure|provide)\\s+)?(?:the\\s+)?(?:new\\s+)?${N}`,
  // "use X", "using X"
  `\\b(?:use|uses|using)\\s+(?:the\\s+)?(?:new\\s+)?${KIND}${N}`,
  // "X in its place", "in its place, set X"
  `${N}[^;@]{0,30}?\\bin\\s+(?:its|their)\\s+place\\b`,
  `\\bin\\s+(?:its|their)\\s+place\\b[,:]?\\s+(?:[\\w-]+\\s+){0,3}?${N}`,
  // "addressed by X", "read from X", "reached through X"
  `\\b(?:addressed|reached|configured|controlled|read|taken|found|located|picked up)\\s+(?:by|through|via|from|with)\\s+(?:the\\s+)?(?:new\\s+)?${KIND}${N}`,
  // "rename it to X", "renamed to X", "replaced by X", "in favour of X", "moved to X"
  `\\brenam\\w*\\s+(?:[\\w-]+\\s+){0,3}?(?:to|as|into)\\s+${N}`,
  `\\b(?:in favou?r of|replaced by|superseded by|moved to)\\s+(?:the\\s+)?(?:new\\s+)?${N}`,
  // "the replacement is X", "X replaces", "X takes over"
  `\\b(?:replacement|successor)\\b[^;@]{0,20}?${N}`,
  `${N}[^;@]{0,20}?\\b(?:is (?:the|its|their) (?:replacement|successor)|replaces|supersedes|takes over)\\b`,
].map((p) => new RegExp(p, 'g'));

const INTRODUCED: RegExp[] = [
  `\\bnew\\s+(?:(?:env(?:ironment)?\\s+)?(?:variable|setting|var|option|name)s?\\b[,:]?\\s+)?${N}`,
  `${N}[^;@]{0,20}?\\b(?:is|was|has been|are|were|have been)\\s+(?:newly\\s+)?(?:added|introduced)\\b`,
  `\\b(?:adds?|added|adding|introduces?|introduced|introducing)\\s+(?:a\\s+|the\\s+)?(?:new\\s+)?${KIND}${N}`,
].map((p) => new RegExp(p, 'g'));

/** The role of every variable the sentence's wording says something about. */
export function envRoles(t: EnvTemplate): Map<string, EnvRole> {
  const roles = new Map<string, EnvRole>();
  if (t.names.length === 0) return roles;
  const mark = (patterns: RegExp[], role: EnvRole): void => {
    for (const pattern of patterns) {
      for (const m of t.template.matchAll(pattern)) {
        const name = t.names[Number(m.groups?.n)];
        if (!name) continue;
        const before = roles.get(name);
        if (before === undefined || before === role) roles.set(name, role);
        else if (before === 'introduced' || role === 'introduced') {
          // "a new variable X takes over": being introduced and replacing agree.
          if (role === 'new' || before === 'new') roles.set(name, 'new');
          else roles.set(name, 'mixed');
        } else roles.set(name, 'mixed');
      }
    }
  };
  mark(OLD, 'old');
  mark(NEW, 'new');
  mark(INTRODUCED, 'introduced');
  return roles;
}
