import { migrationFunction } from './detect-reversibility';
import { combineRisk } from './lock-finding';
import type { LockRisk, MigrationReason } from './migration-analysis';
import { type Command, readCommands } from './migration-commands';
import type { MigrationOutline } from './migration-outline';

/** How many statements are cited for the deciding risk before the rest are counted. */
const CITED = 3;

export interface LockRiskDecision {
  lockRisk: LockRisk;
  reasons: MigrationReason[];
  /** Lines whose statements must run outside a transaction (`CONCURRENTLY`). */
  needsNoTransaction: number[];
}

/** The lock risk of running the migration forward, citing the statements that decide it. */
export function decideLockRisk(outline: MigrationOutline): LockRiskDecision {
  const fn = migrationFunction(outline, 'up');
  if (outline.module === null || !outline.complete || fn === undefined) {
    return {
      lockRisk: 'unknown',
      reasons: [
        { topic: 'lock-risk', line: null, text: 'Lock risk unknown: no up/0 or change/0 could be read.' },
      ],
      needsNoTransaction: [],
    };
  }
  const commands = readCommands(fn.body, { outline, newTables: new Set() });
  const findings = commands.flatMap((c: Command) => c.locks.map((lock) => ({ c, lock })));
  const needsNoTransaction = findings.filter((f) => f.lock.needsNoTransaction).map((f) => f.c.line);
  if (findings.length === 0) {
    return {
      lockRisk: 'none',
      reasons: [
        {
          topic: 'lock-risk',
          line: fn.line,
          text: `Line ${fn.line}: ${fn.name}/0 runs no statements (lock risk none).`,
        },
      ],
      needsNoTransaction,
    };
  }
  const lockRisk = combineRisk(findings.map((f) => f.lock.risk));
  const deciding = findings.filter((f) => f.lock.risk === lockRisk);
  const reasons: MigrationReason[] = deciding.slice(0, CITED).map(({ c, lock }) => ({
    topic: 'lock-risk',
    line: c.line,
    text: `Line ${c.line}: ${c.what}: ${lock.why} (lock risk ${lockRisk}).`,
  }));
  if (deciding.length > CITED) {
    const more = deciding.length - CITED;
    reasons.push({
      topic: 'lock-risk',
      line: null,
      text: `${more} more statement${more === 1 ? '' : 's'} (lines ${[...new Set(deciding.slice(CITED).map((f) => f.c.line))].join(', ')}) also carry lock risk ${lockRisk}.`,
    });
  }
  return { lockRisk, reasons, needsNoTransaction };
}
