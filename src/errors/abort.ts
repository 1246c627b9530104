import { AbortedError, type UpgradeErrorDetails } from './upgrade-error';

/**
 * Throws an `AbortedError` when the signal has fired: the library's `signal.throwIfAborted()`, which
 * would throw the signal's bare reason (a DOMException) instead.
 */
export function throwIfAborted(signal: AbortSignal | undefined, details: UpgradeErrorDetails): void {
  if (signal?.aborted) throw new AbortedError({ cause: signal.reason, ...details });
}

/**
 * `err`, caught after the operation's signal fired, as the operation reports it: an `AbortedError` with
 * the operation's account of what was left unchanged. An abort that already gives such an account is
 * passed on; anything else (a lower-level abort, the error the cancellation provoked) becomes the cause.
 */
export function abortedBecause(err: unknown, details: UpgradeErrorDetails): AbortedError {
  if (err instanceof AbortedError && err.unchanged !== undefined) return err;
  return new AbortedError({ cause: err, ...details });
}
