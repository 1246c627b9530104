import type { Deployment } from '../deployment/deployment';
import { oneOffLabels, removeExitedOneOffs } from '../deployment/one-off-containers';
import type { ContainerRecord } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import type { SecretSet } from '../secrets';

/** Exactly one 14-digit Ecto version. Anything else is refused before it can reach a command. */
export function requireEctoVersion(value: unknown, shipped?: readonly string[]): string {
  if (typeof value !== 'string' || !/^\d{14}$/.test(value)) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `${JSON.stringify(String(value).slice(0, 40))} is not a 14-digit Ecto migration version`,
      unchanged: 'Nothing was changed',
      hint: 'Pass the version of a migration file (the 14 digits before its name), e.g. 20260817080000',
    });
  }
  if (shipped && !shipped.includes(value)) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `Migration ${value} is not one of the image's migration files, so its rollback would not know it`,
      unchanged: 'Nothing was changed',
      hint: 'Pick a version the image that applied it ships',
      version: value,
    });
  }
  return value;
}

/** The eval expression, built only from a validated integer. */
export function rollbackExpression(version: string): string {
  return `Engram.Release.rollback(Engram.Repo, ${BigInt(requireEctoVersion(version)).toString()})`;
}

/**
 * Runs Engram's migrator rollback down to (and including) `toVersion` from `image` — the NEW image,
 * whose files know the migrations to revert — in a one-off container on the app's network with the
 * entrypoint replaced, so it does not migrate first. The app's environment is passed through the
 * container's environment, never argv.
 */
export async function runMigratorRollback(
  dep: Deployment,
  input: {
    image: string;
    toVersion: string;
    like: ContainerRecord;
    secrets: SecretSet;
    signal?: AbortSignal;
  },
): Promise<string> {
  const expr = rollbackExpression(input.toVersion);
  await removeExitedOneOffs(dep.docker, dep.project);
  const outcome = await dep.docker.runOneOff({
    image: input.image,
    entrypoint: ['/app/bin/engram'],
    cmd: ['eval', expr],
    env: input.like.env,
    network: input.like.networks[0],
    labels: oneOffLabels(dep.project, 'rollback'),
    signal: input.signal,
  });
  const output = input.secrets.redact(outcome.output);
  if (outcome.exitCode !== 0) {
    throw new UpgradeError('ROLLBACK_FAILED', {
      message: `The migrator rollback to ${input.toVersion} exited ${outcome.exitCode}: ${output.trim().split('\n').slice(-4).join(' | ')}`,
      version: input.toVersion,
    });
  }
  return output;
}
