import { z } from 'zod';
import { UpgradeError } from '../errors';
import { isProjectName, isRunId } from './state-dir';

/** What a journal line may hold once written: plain JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Entry types that announce or settle one step (or its undo); they always name the step. */
export const STEP_ENTRY_TYPES = [
  'step-started',
  'step-finished',
  'step-failed',
  'undo-started',
  'undo-finished',
  'undo-failed',
] as const;
/** Entry types about the run as a whole. */
export const RUN_ENTRY_TYPES = ['run-finished', 'run-failed', 'note'] as const;

export type StepEntryType = (typeof STEP_ENTRY_TYPES)[number];
export type RunEntryType = (typeof RUN_ENTRY_TYPES)[number];
export type JournalEntryType = StepEntryType | RunEntryType;

/** An error as the journal keeps it: enough to tell a person what went wrong, no stack. */
export interface JournalErrorRecord {
  name: string;
  message: string;
  code?: string;
  [key: string]: string | undefined;
}

/** One line of the journal after the header. */
export interface JournalEntry {
  /** 1 for the first entry, then one more for each. */
  seq: number;
  /** When the entry was written (ISO 8601, UTC). */
  at: string;
  type: JournalEntryType;
  step?: string;
  data?: JsonValue;
  error?: JournalErrorRecord;
}

/**
 * What `Journal.append` takes. `step` is required for the step and undo types. `data` must be
 * JSON-serialisable (plain objects, arrays, strings, finite numbers, booleans, null; `undefined`
 * properties are dropped; an `Error` anywhere becomes its record). `error` accepts anything thrown.
 * Strings are redacted on the way in, so data read back holds `[redacted]` where a secret was.
 */
export interface JournalEntryInput {
  type: JournalEntryType;
  step?: string;
  data?: unknown;
  error?: unknown;
}

/** The first line of every journal. */
export interface JournalHeader {
  journal: 'engram-upgrade';
  version: 1;
  run: string;
  planKind: string;
  planId: string;
  project: string;
  /** When the journal was created (ISO 8601, UTC). */
  createdAt: string;
}

export type JournalHeaderInput = Pick<JournalHeader, 'run' | 'planKind' | 'planId' | 'project'>;

export const journalHeaderSchema = z.object({
  journal: z.literal('engram-upgrade'),
  version: z.literal(1),
  run: z.string().refine(isRunId, 'not a run id'),
  planKind: z.string(),
  planId: z.string(),
  project: z.string().refine(isProjectName, 'not a compose project name'),
  createdAt: z.string(),
});

const errorRecordSchema = z
  .record(z.string(), z.string())
  .and(z.object({ name: z.string(), message: z.string() }));

export const journalEntrySchema = z
  .object({
    seq: z.number().int().positive(),
    at: z.string(),
    type: z.enum([...STEP_ENTRY_TYPES, ...RUN_ENTRY_TYPES]),
    step: z.string().min(1).optional(),
    data: z.json().optional(),
    error: errorRecordSchema.optional(),
  })
  .refine((e) => e.step !== undefined || !(STEP_ENTRY_TYPES as readonly string[]).includes(e.type), {
    message: 'a step entry without a step id',
  });

/** The journal's record of a thrown value: an `UpgradeError`'s own fields, else name, code and message. */
export function errorRecord(thrown: unknown): JournalErrorRecord {
  if (thrown instanceof UpgradeError) return thrown.toJSON() as JournalErrorRecord;
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: thrown.name, code, message: thrown.message }
      : { name: thrown.name, message: thrown.message };
  }
  return { name: 'Error', message: String(thrown) };
}

/**
 * `value` as plain JSON with every string — keys included — passed through `redact`. Redacting before
 * serialising matters: JSON escaping would hide a secret containing `"` or `\` from a later search.
 */
export function toJournalJson(value: unknown, redact: (text: string) => string): JsonValue | undefined {
  return convert(value, redact, new Set());
}

function convert(value: unknown, redact: (text: string) => string, path: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      return redact(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw notJson('a bigint');
  }
  if (value === null) return null;
  const obj = value as object;
  if (obj instanceof Error) return convert(errorRecord(obj), redact, path);
  if (path.has(obj)) throw notJson('a circular reference');
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return convert(toJSON.call(obj), redact, path);
  path.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item) => convert(item, redact, path) ?? null);
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(obj)) {
      const converted = convert(item, redact, path);
      if (converted !== undefined) out[redact(key)] = converted;
    }
    return out;
  } finally {
    path.delete(obj);
  }
}

function notJson(what: string): UpgradeError {
  return new UpgradeError('INVALID_INPUT', {
    message: `A journal entry's data holds ${what}, which JSON cannot represent`,
    unchanged: 'The entry was not written; the journal is as it was',
    hint: 'Pass plain data (strings, numbers, booleans, arrays, objects) to the journal',
  });
}
