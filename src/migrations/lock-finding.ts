import type { LockRisk } from './migration-analysis';

/** What one statement may lock, and why. */
export interface SqlLockFinding {
  risk: LockRisk;
  /** A clause for a sentence: "CREATE INDEX without CONCURRENTLY blocks writes to notes …". */
  why: string;
  /** The table the statement creates (indexes on it later in the migration lock nothing). */
  createsTable?: string;
  /** `CREATE INDEX CONCURRENTLY` and friends fail inside a transaction block. */
  needsNoTransaction?: boolean;
  /** What data the statement throws away (`notes.legacy_body`): a rollback cannot bring it back. */
  destroys?: string;
}

/** Tables created earlier in the same migration: they are empty and nothing else uses them yet. */
export interface SqlContext {
  newTables: Set<string>;
}

const ORDER: Record<LockRisk, number> = { none: 0, low: 1, unknown: 2, high: 3 };

/** Combines risks: any high is high; otherwise any unknown is unknown; otherwise the higher of none/low. */
export function combineRisk(risks: LockRisk[]): LockRisk {
  return risks.reduce<LockRisk>((a, b) => (ORDER[b] > ORDER[a] ? b : a), 'none');
}
