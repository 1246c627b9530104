/** How long one HTTP request for release notes may take, answer and body, unless told otherwise. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The caller's signal, also fired after `ms`; a timeout's reason is a DOMException named `TimeoutError`. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
