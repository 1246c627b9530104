import { describe, expect, it } from 'vitest';
import { resolveDockerEndpoint } from '../../../src/docker/docker-endpoint';
import { dockerFailure } from '../../../src/docker/docker-failure';

const errno = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(code), { code, ...extra });

describe('dockerFailure names the engine it tried and what to check', () => {
  it('an engine that does not answer: DOCKER_UNAVAILABLE with the address and the setting that chose it', () => {
    const ep = resolveDockerEndpoint({ host: 'tcp://10.0.0.5:2376' }, {});
    const e = dockerFailure('list containers', errno('ECONNREFUSED'), undefined, ep);
    expect(e.code).toBe('DOCKER_UNAVAILABLE');
    expect(e.message).toContain('the Docker engine at tcp://10.0.0.5:2376 does not answer (ECONNREFUSED)');
    expect(e.hint).toContain('DOCKER_HOST');
    // The local default keeps the plain wording.
    const local = dockerFailure(
      'list containers',
      errno('ENOENT'),
      undefined,
      resolveDockerEndpoint({}, { DOCKER_CONFIG: '/nonexistent' }),
    );
    expect(local.hint).toBe('Start Docker or set DOCKER_HOST, then run again');
  });

  it("ssh: a failed login carries ssh's own words and the command to try; no ssh client is said so", () => {
    const ep = resolveDockerEndpoint({ host: 'ssh://deploy@server.example:2222' }, {});
    const login = dockerFailure(
      'list containers',
      new Error('ssh exited with code 255: Host key verification failed.'),
      undefined,
      ep,
    );
    expect(login.code).toBe('DOCKER_UNAVAILABLE');
    expect(login.message).toContain('Host key verification failed');
    expect(login.hint).toContain("'ssh deploy@server.example -p 2222 docker system dial-stdio'");
    const noClient = dockerFailure(
      'list containers',
      errno('ENOENT', { path: 'ssh', syscall: 'spawn ssh' }),
      undefined,
      ep,
    );
    expect(noClient.message).toContain('no ssh client');
  });

  it('a refused TLS handshake: DOCKER_ENDPOINT naming the CA and certificate files', () => {
    const ep = resolveDockerEndpoint({ host: 'tcp://h.example', tlsVerify: true, certPath: '/certs' }, {});
    const e = dockerFailure('list containers', errno('ERR_TLS_CERT_ALTNAME_INVALID'), undefined, ep);
    expect(e.code).toBe('DOCKER_ENDPOINT');
    expect(e.hint).toContain('/certs/ca.pem');
    expect(e.hint).toContain('names h.example');
    // An engine that wants a client certificate, and none is in the directory: said so.
    const noCert = dockerFailure('x', errno('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), undefined, ep);
    expect(noCert.hint).toBe(
      "The engine requires a client certificate and /certs has none: put this client's cert.pem and key.pem there",
    );
    // Without TLS the same code is an operation failure, as before.
    expect(dockerFailure('x', errno('ERR_TLS_CERT_ALTNAME_INVALID')).code).toBe('DOCKER_OPERATION');
  });
});
