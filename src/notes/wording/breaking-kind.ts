import type { BreakingKind } from '../release-notes';

const MANUAL =
  /\b(run|execute|manually|by hand|you must|you need to|you have to|make sure|before upgrading|back up|backup|re-?index|re-?create|migrate your|edit your|update your|set up)\b/;
const API =
  /(\bapi\b|\/api\/|\bendpoints?\b|\bresponses?\b|\brequest body\b|\bheaders?\b|\bjson field|\bwebhooks?\b|\bclients?\b|\bgraphql\b|\bopenapi\b)/;

/**
 * The kind of a breaking change that names no variable: a removal, a step the operator has to take, a
 * change to the HTTP API, or something else. Order matters: "removed the /api/v0 endpoint" is a removal.
 */
export function classifyBreaking(lowerText: string, removed: boolean): BreakingKind {
  if (removed) return 'removed';
  if (MANUAL.test(lowerText)) return 'manual-step';
  if (API.test(lowerText)) return 'api';
  return 'other';
}
