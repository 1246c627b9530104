import { isUpgradeError, type UpgradeError } from '../src/errors';

/** The `UpgradeError` a call rejected with; a call that resolved, or rejected with anything else, fails the test. */
export async function upgradeFailure(p: Promise<unknown>): Promise<UpgradeError> {
  const outcome = await p.then(
    () => ({ resolved: true as const }),
    (e: unknown) => ({ resolved: false as const, e }),
  );
  if (outcome.resolved) throw new Error('expected the call to fail');
  if (!isUpgradeError(outcome.e)) throw new Error(`expected an UpgradeError, got ${String(outcome.e)}`);
  return outcome.e;
}
