export { Journal } from './journal';
export type { JournalEntry, JournalHeader } from './journal-entry';
export { type JournalListing, listJournals } from './journal-list';
export { type JournalSummary, summarizeJournal } from './journal-summary';
export { acquireRunLock, RunLock, readRunLock } from './run-lock';
export type { RunLockOwner, RunPurpose } from './run-lock-owner';
export { findInterruptedRun, type InterruptedRun, savedPlanPath } from './saved-plan';
export { defaultStateDir } from './state-dir';
export { type ExecStep, ExecStepSchema, type StepEvent } from './step';
