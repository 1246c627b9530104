export type IrreversibleReading = 'irreversible' | 'negated' | null;

const IRREVERSIBLE =
  /\b(?:one[- ]way|irreversibl[ey]|non-reversible|not reversible|cannot be (?:rolled back|undone|reverted|reversed)|can ?not be (?:rolled back|undone|reverted)|can'?t be (?:rolled back|undone|reverted|reversed)|can['’]t be (?:rolled back|undone|reverted)|no (?:automatic |automated )?(?:rollback|roll-back|down migration|way back|going back)|(?:rollback|rolling back|downgrad(?:e|ing)) is (?:not possible|impossible|not supported|unsupported)|there is no going back|permanently (?:drops?|deletes?|removes?|destroys?))/;

// Only "one-way" and "irreversible" are ever negated in practice ("no irreversible migrations in this
// release"); "there is no rollback" is itself a positive statement and must not count as a negation.
const NEGATED =
  /\b(?:no|nothing|none of (?:the|these|them|its)|not|without(?: any)?|never)\s+(?:[\w-]+\s+){0,4}?(?:one[- ]way|irreversible)\b/;

/** Whether a sentence announces an irreversible (one-way) change, denies one, or says nothing. */
export function readIrreversible(lowerText: string): IrreversibleReading {
  const text = lowerText.replace(/[’]/g, "'");
  if (!IRREVERSIBLE.test(text)) return null;
  return NEGATED.test(text) ? 'negated' : 'irreversible';
}
