import { describe, expect, it } from 'vitest';
import { checkHostDumpReach } from '../../../src/backup/host-dump-reach';
import { resolveDockerEndpoint } from '../../../src/docker/docker-endpoint';
import type { DockerPort } from '../../../src/docker/docker-port';

/** Only the endpoint matters here. */
function engineAt(host: string | undefined): DockerPort {
  const endpoint = host === undefined ? undefined : resolveDockerEndpoint({ host }, {});
  return { endpoint: async () => endpoint } as unknown as DockerPort;
}

describe('checkHostDumpReach: a host dump against loopback needs the engine on this machine', () => {
  it('refuses 127.0.0.1, localhost and ::1 when the engine is on another machine, naming it', async () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]']) {
      const refused = checkHostDumpReach(engineAt('ssh://deploy@server.example'), { host, port: 5432 });
      await expect(refused).rejects.toMatchObject({ code: 'REMOTE_UNSUPPORTED' });
      await expect(refused).rejects.toThrow(
        /engine is on another machine \(ssh:\/\/deploy@server\.example\)/,
      );
    }
  });

  it('allows any address when the engine is local, and a non-loopback address for a remote engine', async () => {
    for (const engine of ['unix:///var/run/docker.sock', 'tcp://127.0.0.1:2376', 'ssh://root@localhost']) {
      await expect(
        checkHostDumpReach(engineAt(engine), { host: '127.0.0.1', port: 5432 }),
      ).resolves.toBeUndefined();
    }
    await expect(
      checkHostDumpReach(engineAt('tcp://10.0.0.5:2376'), { host: '10.0.0.5', port: 5432 }),
    ).resolves.toBeUndefined();
    // A port that does not say where its engine is: taken as the environment's, as before.
    await expect(
      checkHostDumpReach(engineAt(undefined), { host: '127.0.0.1', port: 5432 }),
    ).resolves.toBeUndefined();
  });
});
