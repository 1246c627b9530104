// Removal wording. "no longer read" is a removal when nothing replaces the name (renames are read
// first, so a sentence that names the replacement never reaches this).
const REMOVAL =
  /\b(?:removed|removes|removing|dropped|drops support|deleted|retired|no longer (?:supported|available|read|used|honou?red|recogni[sz]ed|exists?|shipped|provided)|(?:is|are|has been|have been) gone|support for .{1,60}? (?:is|was|has been) (?:removed|dropped|ended)|discontinued|end of life)\b/;

/** True when a sentence says something was removed, dropped or is no longer supported. */
export function saysRemoved(lowerText: string): boolean {
  return REMOVAL.test(lowerText);
}
