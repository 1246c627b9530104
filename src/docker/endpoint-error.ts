import { UpgradeError } from '../errors';

/** An endpoint that cannot be used; never carries key material, only paths and reasons. */
export function endpointError(message: string, hint: string, cause?: unknown): UpgradeError {
  return new UpgradeError('DOCKER_ENDPOINT', {
    message,
    unchanged: 'Nothing was changed: no engine was contacted',
    hint,
    ...(cause === undefined ? {} : { cause }),
  });
}
