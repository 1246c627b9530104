import { AbortedError, UpgradeError } from '../errors';

/**
 * A dockerode or stream error as the library reports it, saying what was being done. Errors that are
 * already ours pass through; anything after `signal` fired is the abort.
 */
export function dockerFailure(what: string, err: unknown, signal?: AbortSignal): UpgradeError {
  if (err instanceof UpgradeError) return err;
  if (signal?.aborted) return new AbortedError({ message: `Aborted while trying to ${what}`, cause: err });
  const e = err as { code?: string; json?: { message?: string }; message?: string };
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') {
    return new UpgradeError('DOCKER_UNAVAILABLE', {
      message: `Could not ${what}: the Docker engine does not answer (${e.code})`,
      unchanged: 'Nothing was changed',
      hint: 'Start Docker or set DOCKER_HOST, then run again',
      cause: err,
    });
  }
  return new UpgradeError('DOCKER_OPERATION', {
    message: `Could not ${what}: ${e.json?.message ?? e.message ?? String(err)}`,
    cause: err,
  });
}

/** The HTTP status of a Docker API error, when it carries one. */
export function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}
