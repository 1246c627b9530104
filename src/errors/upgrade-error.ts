/**
 * Every stable error code, in one list so tools and tests can enumerate them. A code never changes
 * meaning once released; tools may switch on it. `docs/errors.md` describes each one.
 */
export const UPGRADE_ERROR_CODES = [
  'INVALID_INPUT',
  'NOTES_UNREADABLE',
  'PLAN_TARGET_OLDER',
  'PLAN_UNKNOWN_VERSION',
  'PLAN_UNSATISFIABLE_FLOOR',
  'PLAN_RELEASE_GAP',
  'PLAN_CONTRADICTION',
  'SOURCE_HTTP',
  'SOURCE_RATE_LIMITED',
  'SOURCE_UNREACHABLE',
  'SOURCE_NOT_FOUND',
  'SOURCE_IO',
  'DOCKER_UNAVAILABLE',
  'DOCKER_OPERATION',
  'DOCKER_ENDPOINT',
  'REMOTE_UNSUPPORTED',
  'COMPOSE_NO_IMAGE',
  'DATABASE',
  'BACKUP_FAILED',
  'BACKUP_NO_SPACE',
  'BACKUP_CLIENT_TOO_OLD',
  'BACKUP_CORRUPT',
  'BACKUP_VERIFY_FAILED',
  'BACKUP_FORMAT_UNSUPPORTED',
  'BACKUP_DIR_UNSAFE',
  'BACKUP_UNSIGNED',
  'BACKUP_SIGNATURE_INVALID',
  'SIGNING_KEY_UNUSABLE',
  'RESTORE_FAILED',
  'ABORTED',
  'PLAN_STALE',
  'LOCKED',
  'JOURNAL',
  'COMPOSE_EDIT',
  'RECREATE_UNSUPPORTED',
  'RECREATE_FAILED',
  'PULL_FAILED',
  'MIGRATION_FAILED',
  'HEALTH_FAILED',
  'UPGRADE_FAILED',
  'ROLLBACK_FAILED',
  'ROLLBACK_UNAVAILABLE',
  'CONSENT_REQUIRED',
  'TESTBED',
  'TESTBED_IMAGE_MISSING',
  'TESTBED_REGISTRY_UNREACHABLE',
] as const;

export type UpgradeErrorCode = (typeof UPGRADE_ERROR_CODES)[number];

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
  /**
   * The code of the `UpgradeError` this one wraps, when it wraps one: a restore that failed because
   * the database refused a statement is `RESTORE_FAILED` with `causeCode` `DATABASE`.
   */
  readonly causeCode: UpgradeErrorCode | undefined;

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
    this.causeCode = details.cause instanceof UpgradeError ? details.cause.code : undefined;
  }

  /** A plain object for JSON output and journals (no stack, no cause chain). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = { name: this.name, code: this.code, message: this.summary };
    for (const key of [
      'unchanged',
      'hint',
      'step',
      'container',
      'backupId',
      'version',
      'causeCode',
    ] as const) {
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

/**
 * The operation was cancelled through its AbortSignal. This is the one form cancellation takes: any
 * `UpgradeError` whose code is `ABORTED` is an `AbortedError` for `instanceof`, including wrappers that
 * carry more fields (a cancelled upgrade still reports which hops ran).
 */
export class AbortedError extends UpgradeError {
  override readonly name: string = 'AbortedError';
  constructor(details: UpgradeErrorDetails) {
    super('ABORTED', details);
  }

  /** Decided by the code, not the constructor (so AbortedError is not meant to be subclassed). */
  static override [Symbol.hasInstance](value: unknown): value is AbortedError {
    return value instanceof UpgradeError && value.code === 'ABORTED';
  }
}

export function isUpgradeError(value: unknown): value is UpgradeError {
  return value instanceof UpgradeError;
}
