import { UpgradeError } from './upgrade-error';

/**
 * The first system error code (`ENOSPC`, `EACCES` …) on `err` or down its chain of causes: a full disk
 * still reads as one after an adapter wrapped the write that hit it.
 */
export function errnoIn(err: unknown): string | undefined {
  let current = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    const code = (current as { code?: unknown }).code;
    // An UpgradeError's code is ours, never a system one.
    if (!(current instanceof UpgradeError) && typeof code === 'string' && /^E[A-Z0-9]+$/.test(code))
      return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
