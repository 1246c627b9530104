import type { Deployment } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import { planUpgradePath } from '../plan';
import type { UpgradePath } from '../plan/upgrade-path';
import { inspectDeployment } from '../upgrade/deployment-state';
import type { CliIo } from './cli-output';
import { type ReleasesValues, readReleases } from './read-releases';

/** The path from the version the deployment answers with to `--to`, along the release notes given. */
export async function pathFromRunning(
  dep: Deployment,
  values: ReleasesValues & { to?: string },
  then: string,
  io: Pick<CliIo, 'env' | 'signal'>,
): Promise<UpgradePath> {
  const releases = await readReleases(values, { env: io.env, signal: io.signal });
  const state = await inspectDeployment(dep);
  if (!state.version) {
    throw new UpgradeError('INVALID_INPUT', {
      message: 'The app does not answer /api/health, so the running version cannot be confirmed',
      unchanged: 'Nothing was changed',
      hint: `Bring it up healthy first (docker compose up -d), then ${then} again`,
    });
  }
  return planUpgradePath({ from: state.version, to: values.to ?? 'latest', releases });
}
