import { isLoopback } from '../docker/docker-endpoint';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';

/**
 * A host dump runs pg_dump on this machine against `host:port`. When the engine is on another machine,
 * a loopback address here is this machine, not the server whose port Postgres is published on: the
 * dump would reach another Postgres or none. Refused while planning; any other address is taken as
 * one this machine reaches the server's Postgres on (a published port on the server, a tunnel).
 *
 * @throws UpgradeError `REMOTE_UNSUPPORTED`
 */
export async function checkHostDumpReach(
  docker: DockerPort,
  dump: { host: string; port: number },
): Promise<void> {
  const endpoint = await docker.endpoint?.();
  if (!endpoint || endpoint.local || !isLoopback(dump.host.replace(/^\[(.*)\]$/, '$1'))) return;
  throw new UpgradeError('REMOTE_UNSUPPORTED', {
    message: `A host dump against ${dump.host}:${dump.port} would run pg_dump on this machine, but the Docker engine is on another machine (${endpoint.host}); ${dump.host} here is not that machine`,
    unchanged: 'Nothing was changed',
    hint: `Dump inside the Postgres container (dump: { where: 'container' }, the default), or give an address this machine reaches the server's Postgres on (a port published on ${endpoint.address}, or an SSH tunnel)`,
  });
}
