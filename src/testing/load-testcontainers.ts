import { UpgradeError } from '../errors';

/** The parts of testcontainers the harness uses. */
export type Testcontainers = typeof import('testcontainers');

/**
 * Imports testcontainers, an optional peer dependency needed only by `startEngramStack`. Missing, it is
 * a `TESTBED` error that says how to install it, thrown before anything was created.
 */
export async function loadTestcontainers(
  load: () => Promise<Testcontainers> = () => import('testcontainers'),
): Promise<Testcontainers> {
  try {
    return await load();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((err as Error).message).includes('testcontainers');
    throw new UpgradeError('TESTBED', {
      message: missing
        ? 'startEngramStack needs the testcontainers package, which is not installed'
        : `testcontainers could not be loaded: ${(err as Error).message}`,
      unchanged: 'No container, network or file was created',
      hint: missing
        ? "Install it next to engram-upgrade: 'npm install --save-dev testcontainers' (an optional peer dependency)"
        : 'Reinstall testcontainers; its version must satisfy the peer range engram-upgrade declares',
      cause: err,
    });
  }
}
