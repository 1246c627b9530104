/**
 * Stable error codes. A code never changes meaning once released; tools may switch on it.
 */
export type UpgradeErrorCode =
  | 'INVALID_INPUT'
  | 'NOTES_UNREADABLE'
  | 'PLAN_TARGET_OLDER'
  | 'PLAN_UNKNOWN_VERSION'
  | 'PLAN_UNSATISFIABLE_FLOOR'
  | 'PLAN_RELEASE_GAP'
  | 'PLAN_CONTRADICTION'
  | 'SOURCE_HTTP'
  | 'SOURCE_RATE_LIMITED'
  | 'SOURCE_NOT_FOUND'
  | 'DOCKER_UNAVAILABLE'
  | 'DOCKER_OPERATION'
  | 'COMPOSE_NO_IMAGE'
  | 'DATABASE'
  | 'BACKUP_FAILED'
  | 'BACKUP_NO_SPACE'
  | 'BACKUP_CLIENT_TOO_OLD'
  | 'BACKUP_CORRUPT'
  | 'BACKUP_VERIFY_FAILED'
  | 'RESTORE_FAILED'
  | 'ABORTED'
  | 'TESTBED'
  | 'SOURCE_IO'
  | 'PLAN_STALE'
  | 'LOCKED'
  | 'JOURNAL'
  | 'COMPOSE_EDIT'
  | 'PULL_FAILED'
  | 'MIGRATION_FAILED'
  | 'HEALTH_FAILED'
  | 'UPGRADE_FAILED'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_UNAVAILABLE';

export interface UpgradeErrorDetails {
  /** What happened, in one sentence. */
  message: string;
  /** What was left as it was (or, when something did change, exactly what). */
  unchanged?: string;
  /** What the person should do next. */
  hint?: string;
  step?: string;
  container?: string;
  backupId?: string;
  version?: string;
  cause?: unknown;
}

/**
 * The one error type the library throws. `message` is written for a person: what happened, what was
 * left unchanged, and what to do. Tools should switch on `code`, never on the message.
 */
export class UpgradeError extends Error {
  override readonly name: string = 'UpgradeError';
  readonly code: UpgradeErrorCode;
  readonly summary: string;
  readonly unchanged: string | undefined;
  readonly hint: string | undefined;
  readonly step: string | undefined;
  readonly container: string | undefined;
  readonly backupId: string | undefined;
  readonly version: string | undefined;

  constructor(code: UpgradeErrorCode, details: UpgradeErrorDetails) {
    super(composeMessage(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.summary = details.message;
    this.unchanged = details.unchanged;
    this.hint = details.hint;
    this.step = details.step;
    this.container = details.container;
    this.backupId = details.backupId;
    this.version = details.version;
  }

  /** A plain object for JSON output and journals (no stack, no cause chain). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = { name: this.name, code: this.code, message: this.summary };
    for (const key of ['unchanged', 'hint', 'step', 'container', 'backupId', 'version'] as const) {
      const value = this[key];
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
}

function composeMessage(d: UpgradeErrorDetails): string {
  const parts = [ensureStop(d.message)];
  if (d.unchanged) parts.push(ensureStop(d.unchanged));
  if (d.hint) parts.push(ensureStop(d.hint));
  return parts.join(' ');
}

function ensureStop(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Input that fails validation before anything was touched. */
export class InvalidInputError extends UpgradeError {
  override readonly name = 'InvalidInputError';
  constructor(details: UpgradeErrorDetails) {
    super('INVALID_INPUT', { unchanged: 'Nothing was changed', ...details });
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortedError extends UpgradeError {
  override readonly name = 'AbortedError';
  constructor(details: UpgradeErrorDetails) {
    super('ABORTED', details);
  }
}

export function isUpgradeError(value: unknown): value is UpgradeError {
  return value instanceof UpgradeError;
}
