import { UpgradeError, type UpgradeErrorDetails } from '../errors/upgrade-error';

/**
 * The input is not markdown at all (binary, NUL bytes, a non-string). Arbitrary markdown never raises
 * this: it is reserved for input a person would not call "release notes" either.
 */
export class NotesUnreadableError extends UpgradeError {
  override readonly name = 'NotesUnreadableError';
  constructor(details: UpgradeErrorDetails) {
    super('NOTES_UNREADABLE', { unchanged: 'Nothing was parsed and nothing was changed', ...details });
  }
}

export type ReleaseSourceCode =
  | 'SOURCE_HTTP'
  | 'SOURCE_RATE_LIMITED'
  | 'SOURCE_UNREACHABLE'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_IO';

export interface ReleaseSourceErrorDetails extends UpgradeErrorDetails {
  /** The URL or path that was being read. */
  location: string;
  /** HTTP status, when the failure was an HTTP answer. */
  status?: number;
  /** When the rate limit resets (ISO 8601), as the server announced it. */
  resetAt?: string;
  /** How many seconds to wait before retrying, as the server announced it (`Retry-After`). */
  retryAfterSeconds?: number;
}

/** Reading release notes from GitHub, a URL or the file system failed. */
export class ReleaseSourceError extends UpgradeError {
  override readonly name = 'ReleaseSourceError';
  readonly location: string;
  readonly status: number | undefined;
  readonly resetAt: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ReleaseSourceCode, details: ReleaseSourceErrorDetails) {
    super(code, { unchanged: 'Nothing was changed on the deployment', ...details });
    this.location = details.location;
    this.status = details.status;
    this.resetAt = details.resetAt;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  override toJSON(): Record<string, string> {
    const out = super.toJSON();
    out.location = this.location;
    if (this.status !== undefined) out.status = String(this.status);
    if (this.resetAt !== undefined) out.resetAt = this.resetAt;
    if (this.retryAfterSeconds !== undefined) out.retryAfterSeconds = String(this.retryAfterSeconds);
    return out;
  }
}
