import { UpgradeError } from '../errors';

/** A failure of the test harness itself, with what it was doing. Errors that are already ours pass through. */
export function testbedError(what: string, cause: unknown, hint?: string): UpgradeError {
  if (cause instanceof UpgradeError) return cause;
  return new UpgradeError('TESTBED', {
    message: `Could not ${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
    hint,
    cause,
  });
}

/** Runs one harness action, reporting any failure as a `TESTBED` error that says which action failed. */
export async function harness<T>(what: string, fn: () => Promise<T> | T, hint?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw testbedError(what, err, hint);
  }
}
