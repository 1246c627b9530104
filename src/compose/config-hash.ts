import { createHash } from 'node:crypto';
import { goJson } from './go-json';
import type { ServiceModel } from './service-model';

/** The label compose writes on every container it creates, and compares to decide on a recreate. */
export const CONFIG_HASH_LABEL = 'com.docker.compose.config-hash';

/**
 * `com.docker.compose.config-hash` of a service, computed as compose computes it: the SHA-256 of the
 * loaded service as Go's JSON (build, pull policy and scale left out). A container whose label
 * matches is one a later `docker compose up -d` leaves alone.
 */
export function composeConfigHash(model: Pick<ServiceModel, 'value'>): string {
  return createHash('sha256').update(goJson(model.value), 'utf8').digest('hex');
}
