export { Journal, type JournalContents, type JournalCreateOptions, type JournalOpenOptions } from './journal';
export {
  type JournalEntry,
  type JournalEntryInput,
  type JournalEntryType,
  type JournalErrorRecord,
  type JournalHeader,
  type JournalHeaderInput,
  type JsonValue,
  RUN_ENTRY_TYPES,
  type RunEntryType,
  STEP_ENTRY_TYPES,
  type StepEntryType,
} from './journal-entry';
export { type JournalListing, listJournals } from './journal-list';
export { type JournalSummary, summarizeJournal } from './journal-summary';
export { type AcquireRunLockOptions, acquireRunLock, RunLock, readRunLock } from './run-lock';
export { RUN_PURPOSES, type RunLockOwner, type RunPurpose } from './run-lock-owner';
export { findInterruptedRun, type InterruptedRun, savedPlanPath } from './saved-plan';
export { defaultStateDir } from './state-dir';
export { type ExecStep, ExecStepSchema, type StepEvent } from './step';
