import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDockerEndpoint } from '../../../src/docker/docker-endpoint';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { cliEnv } from '../../../src/docker/endpoint-cli-env';
import { loadTls } from '../../../src/docker/endpoint-tls';
import { UpgradeError } from '../../../src/errors';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'engram-endpoint-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A config directory with the given contexts (name → meta endpoint), as `docker context create` stores them. */
function configDir(
  contexts: Record<string, { Host: string; SkipTLSVerify?: boolean }>,
  current?: string,
): string {
  const dir = mkdtempSync(join(root, 'config-'));
  if (current) writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  for (const [name, docker] of Object.entries(contexts)) {
    const key = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(dir, 'contexts', 'meta', key), { recursive: true });
    writeFileSync(
      join(dir, 'contexts', 'meta', key, 'meta.json'),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker } }),
    );
  }
  return dir;
}

function thrown(fn: () => unknown): UpgradeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UpgradeError);
    return err as UpgradeError;
  }
  throw new Error('expected a throw');
}

describe('resolveDockerEndpoint: which engine, in the docker CLI order', () => {
  const empty = () => configDir({});

  it('with nothing set: the default socket', () => {
    expect(resolveDockerEndpoint({}, { DOCKER_CONFIG: empty() })).toMatchObject({
      host: 'unix:///var/run/docker.sock',
      transport: 'unix',
      from: 'default',
      local: true,
    });
  });

  it('DOCKER_HOST forms: unix, tcp (default ports 2375 / 2376 with TLS), a bare host:port, ssh with user and port', () => {
    const env = (host: string, tls = false) =>
      resolveDockerEndpoint(
        {},
        {
          DOCKER_HOST: host,
          DOCKER_CONFIG: empty(),
          ...(tls ? { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' } : {}),
        },
      );
    expect(env('unix:///run/user/docker.sock')).toMatchObject({
      transport: 'unix',
      address: '/run/user/docker.sock',
      local: true,
    });
    expect(env('tcp://10.0.0.5')).toMatchObject({
      host: 'tcp://10.0.0.5:2375',
      port: 2375,
      tls: null,
      local: false,
    });
    expect(env('tcp://server.example', true)).toMatchObject({
      host: 'tcp://server.example:2376',
      tls: {
        verify: true,
        dir: '/certs',
        caFile: '/certs/ca.pem',
        certFile: '/certs/cert.pem',
        keyFile: '/certs/key.pem',
      },
    });
    expect(env('127.0.0.1:2999')).toMatchObject({ host: 'tcp://127.0.0.1:2999', local: true });
    expect(env('ssh://deploy@server.example:2222')).toMatchObject({
      transport: 'ssh',
      user: 'deploy',
      address: 'server.example',
      port: 2222,
      local: false,
    });
    expect(env('ssh://[::1]')).toMatchObject({ transport: 'ssh', address: '::1', local: true });
  });

  it('DOCKER_TLS_VERIFY set to anything non-empty turns TLS on (as the docker CLI reads it); the cert path defaults to the config dir', () => {
    const config = empty();
    const ep = resolveDockerEndpoint(
      {},
      { DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '0', DOCKER_CONFIG: config },
    );
    expect(ep.tls).toMatchObject({ verify: true, dir: config });
    expect(
      resolveDockerEndpoint({}, { DOCKER_HOST: 'tcp://h:1', DOCKER_TLS_VERIFY: '', DOCKER_CONFIG: config })
        .tls,
    ).toBeNull();
    // Only for tcp: a socket or ssh ignores it.
    for (const host of ['ssh://u@h', 'unix:///x.sock']) {
      const other = { DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: config };
      expect(resolveDockerEndpoint({}, other).tls).toBeNull();
    }
  });

  it('precedence: DOCKER_HOST over DOCKER_CONTEXT over currentContext; given settings over the environment', () => {
    const config = configDir({ a: { Host: 'tcp://a.example:2375' }, b: { Host: 'ssh://b.example' } }, 'a');
    expect(resolveDockerEndpoint({}, { DOCKER_CONFIG: config })).toMatchObject({
      from: 'context',
      context: 'a',
      address: 'a.example',
    });
    expect(resolveDockerEndpoint({}, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'b' })).toMatchObject({
      context: 'b',
      transport: 'ssh',
    });
    expect(
      resolveDockerEndpoint({}, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'b', DOCKER_HOST: 'tcp://h:1' }),
    ).toMatchObject({
      from: 'host',
      host: 'tcp://h:1',
    });
    // A context given in code wins over DOCKER_HOST, as --context does.
    expect(
      resolveDockerEndpoint({ context: 'a' }, { DOCKER_CONFIG: config, DOCKER_HOST: 'tcp://h:1' }),
    ).toMatchObject({ context: 'a' });
    expect(
      resolveDockerEndpoint({ host: 'unix:///x.sock' }, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'b' }),
    ).toMatchObject({ address: '/x.sock' });
    // The context named "default" is the environment's endpoint.
    expect(resolveDockerEndpoint({}, { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'default' })).toMatchObject({
      from: 'default',
    });
  });

  it("a context's TLS store makes it TLS; skip-tls-verify is kept", () => {
    const config = configDir({ sec: { Host: 'tcp://s.example:2376', SkipTLSVerify: true } });
    const key = createHash('sha256').update('sec').digest('hex');
    const tlsDir = join(config, 'contexts', 'tls', key, 'docker');
    mkdirSync(tlsDir, { recursive: true });
    writeFileSync(join(tlsDir, 'ca.pem'), 'x');
    expect(resolveDockerEndpoint({ context: 'sec' }, { DOCKER_CONFIG: config }).tls).toMatchObject({
      verify: false,
      dir: tlsDir,
    });
  });

  it('errors are DOCKER_ENDPOINT and say what to do: bad address, unknown context, unreadable config', () => {
    const config = empty();
    for (const host of ['http://h:1', 'tcp://', 'tcp://h:1/path', 'ssh://u:pw@h', 'tcp://u@h:1']) {
      const e = thrown(() => resolveDockerEndpoint({}, { DOCKER_HOST: host, DOCKER_CONFIG: config }));
      expect(e.code, host).toBe('DOCKER_ENDPOINT');
      expect(e.hint).toContain('DOCKER_HOST');
    }
    const missing = thrown(() =>
      resolveDockerEndpoint({}, { DOCKER_CONTEXT: 'nope', DOCKER_CONFIG: config }),
    );
    expect(missing).toMatchObject({ code: 'DOCKER_ENDPOINT' });
    expect(missing.message).toContain('Docker context "nope" does not exist');
    writeFileSync(join(config, 'config.json'), '{not json');
    expect(thrown(() => resolveDockerEndpoint({}, { DOCKER_CONFIG: config })).message).toContain(
      'is not valid JSON',
    );
  });
});

describe('loadTls: the files, checked before any connection, never echoed', () => {
  let good: string;
  let pem: { ca: string; cert: string; key: string; otherKey: string };
  beforeAll(() => {
    good = mkdtempSync(join(root, 'tls-'));
    const ssl = (args: string[]) =>
      execFileSync('openssl', args, { cwd: good, stdio: ['ignore', 'ignore', 'pipe'] });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl(['req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=ca']);
    ssl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '1',
      '-subj',
      '/CN=client',
    ]);
    ssl(['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other-key.pem']);
    const read = (f: string) => readFileSync(join(good, f), 'utf8');
    pem = {
      ca: read('ca.pem'),
      cert: read('cert.pem'),
      key: read('key.pem'),
      otherKey: read('other-key.pem'),
    };
  });

  /** A TLS directory with these files. */
  function tlsDir(files: Partial<Record<'ca.pem' | 'cert.pem' | 'key.pem', string>>) {
    const dir = mkdtempSync(join(root, 'tls-case-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return {
      verify: true,
      dir,
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'cert.pem'),
      keyFile: join(dir, 'key.pem'),
    };
  }

  it('reads the CA, with the client pair when both files are there', () => {
    expect(
      Object.keys(loadTls(tlsDir({ 'ca.pem': pem.ca, 'cert.pem': pem.cert, 'key.pem': pem.key }))),
    ).toEqual(['ca', 'cert', 'key']);
    expect(Object.keys(loadTls(tlsDir({ 'ca.pem': pem.ca })))).toEqual(['ca']);
  });

  it('missing CA, half a pair, a non-PEM file, a key of another certificate: DOCKER_ENDPOINT naming the file, no key material', () => {
    const cases: [Parameters<typeof tlsDir>[0], RegExp][] = [
      [{ 'cert.pem': pem.cert, 'key.pem': pem.key }, /needs a CA certificate, and .*ca\.pem does not exist/],
      [{ 'ca.pem': pem.ca, 'cert.pem': pem.cert }, /has .*cert\.pem but not .*key\.pem/],
      [{ 'ca.pem': 'hello', 'cert.pem': pem.cert, 'key.pem': pem.key }, /ca\.pem is not a PEM certificate/],
      [{ 'ca.pem': pem.ca, 'cert.pem': pem.cert, 'key.pem': pem.cert }, /key\.pem is not a PEM private key/],
      [
        { 'ca.pem': pem.ca, 'cert.pem': pem.cert, 'key.pem': pem.otherKey },
        /could not be loaded: .*mismatch/i,
      ],
    ];
    for (const [files, message] of cases) {
      const e = thrown(() => loadTls(tlsDir(files)));
      expect(e.code).toBe('DOCKER_ENDPOINT');
      expect(e.message).toMatch(message);
      const all = JSON.stringify({ json: e.toJSON(), message: e.message, cause: String(e.cause ?? '') });
      expect(all).not.toMatch(/BEGIN|PRIVATE KEY|MII|MHc/);
    }
  });
  it("DockerodeDocker uses a CA-only directory as the docker CLI does (no client pair), unhindered by dockerode's own reading of DOCKER_CERT_PATH", async () => {
    const dir = tlsDir({ 'ca.pem': pem.ca }).dir;
    const names = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH'] as const;
    const saved = names.map((n) => [n, process.env[n]] as const);
    Object.assign(process.env, {
      DOCKER_HOST: 'tcp://127.0.0.1:1',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: dir,
    });
    try {
      const err = await new DockerodeDocker().findContainers({}).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DOCKER_UNAVAILABLE' });
      expect((err as Error).message).toContain(
        'the Docker engine at tcp://127.0.0.1:1 does not answer (ECONNREFUSED)',
      );
      // The variables are back as they were.
      expect(process.env.DOCKER_CERT_PATH).toBe(dir);
    } finally {
      for (const [n, v] of saved) {
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      }
    }
  });
});

describe('cliEnv: the docker compose child reaches the same engine', () => {
  const base = {
    PATH: '/bin',
    DOCKER_HOST: 'tcp://stale:1',
    DOCKER_CONTEXT: 'stale',
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: '/stale',
  };

  it('a host endpoint: DOCKER_HOST and the TLS directory, no context; other variables kept', () => {
    const ep = resolveDockerEndpoint(
      { host: 'tcp://h:2376', tlsVerify: true, certPath: '/certs', configDir: '/cfg' },
      {},
    );
    expect(cliEnv(ep, base)).toEqual({
      PATH: '/bin',
      DOCKER_HOST: 'tcp://h:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/certs',
      DOCKER_CONFIG: '/cfg',
    });
    const plain = resolveDockerEndpoint({ host: 'ssh://u@h', configDir: '/cfg' }, {});
    expect(cliEnv(plain, base)).toEqual({ PATH: '/bin', DOCKER_HOST: 'ssh://u@h', DOCKER_CONFIG: '/cfg' });
  });

  it('a context endpoint: DOCKER_CONTEXT and its config directory only', () => {
    const config = configDir({ prod: { Host: 'ssh://p.example' } });
    const ep = resolveDockerEndpoint({ context: 'prod' }, { DOCKER_CONFIG: config });
    expect(cliEnv(ep, base)).toEqual({ PATH: '/bin', DOCKER_CONTEXT: 'prod', DOCKER_CONFIG: config });
  });

  it('no endpoint (a client the caller configured): the environment as it is', () => {
    expect(cliEnv(undefined, base)).toEqual(base);
  });

  it('TLS given in memory cannot be handed over: REMOTE_UNSUPPORTED', () => {
    const ep = {
      ...resolveDockerEndpoint({ host: 'tcp://h:2376' }, {}),
      from: 'options' as const,
      inMemoryTls: true as const,
    };
    expect(thrown(() => cliEnv(ep, base)).code).toBe('REMOTE_UNSUPPORTED');
  });
});
