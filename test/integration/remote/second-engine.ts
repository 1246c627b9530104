import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../src/testing/free-port';

/** Address pool of the second engine's networks, apart from the main engine's 172.16/12 and 192.168/16. */
const POOL = '10.213.0.0/16';
/** The second engine's default bridge: outside the pool, so no compose network can clash with it. */
const BRIDGE_ADDRESS = '10.214.255.1/24';

export interface SecondEngine {
  /** The environment that names it (DOCKER_HOST tcp:// with TLS verified). */
  tlsEnv: Record<string, string>;
  /** Its Unix socket (no TLS), for sshd sessions and checks. */
  socket: string;
  port: number;
  dir: string;
  /** The client's TLS directory (ca.pem, cert.pem, key.pem). */
  clientCerts: string;
  /** A CA that did not sign the engine's certificate, with this client's certificate and key. */
  wrongCaCerts: string;
  stop(): Promise<void>;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made here with openssl. */
function makeCertificates(dir: string): { server: string; client: string; wrongCa: string } {
  const pki = join(dir, 'pki');
  mkdirSync(pki, { mode: 0o700 });
  const key = (name: string) => [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    name,
  ];
  for (const ca of ['ca', 'other-ca']) {
    openssl(pki, [
      'req',
      '-x509',
      ...key(`${ca}-key.pem`),
      '-out',
      `${ca}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=engram test ${ca}`,
    ]);
  }
  const sign = (name: string, ext: string) => {
    writeFileSync(join(pki, `${name}.ext`), ext);
    openssl(pki, ['req', ...key(`${name}-key.pem`), '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(pki, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-out',
      `${name}-cert.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  sign('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign('client', 'extendedKeyUsage=clientAuth\n');
  const client = join(dir, 'client');
  const wrongCa = join(dir, 'client-wrong-ca');
  for (const [d, ca] of [
    [client, 'ca.pem'],
    [wrongCa, 'other-ca.pem'],
  ] as const) {
    mkdirSync(d, { mode: 0o700 });
    writeFileSync(join(d, 'ca.pem'), readFileSync(join(pki, ca)));
    writeFileSync(join(d, 'cert.pem'), readFileSync(join(pki, 'client-cert.pem')));
    writeFileSync(join(d, 'key.pem'), readFileSync(join(pki, 'client-key.pem')), { mode: 0o600 });
  }
  return { server: pki, client, wrongCa };
}

/**
 * A second dockerd for this test alone: its own data root, exec root and pid file, listening on a TLS
 * port of 127.0.0.1 (client certificates required) and on a socket in its directory. A default bridge
 * of its own (an engine started with `--bridge=none` deletes `docker0`, the main engine's) and no
 * iptables rules, so the main engine's networking is left alone; compose networks come from a pool of
 * its own. Images come from the test bed's registry on 127.0.0.1:5000.
 */
export async function startSecondEngine(): Promise<SecondEngine> {
  // Short: containerd's sockets live under the exec root, and socket paths are limited to 108 bytes.
  const dir = mkdtempSync('/tmp/er-');
  let daemon: ChildProcess | undefined;
  // With --iptables=false nothing lets the engine's bridged traffic through the FORWARD chain, whose
  // policy the main engine set to DROP (bridged frames pass iptables here): one rule in DOCKER-USER,
  // the chain kept for rules of one's own, for this pool only, removed at the end.
  const rule = [
    'DOCKER-USER',
    '-s',
    POOL,
    '-d',
    POOL,
    '-m',
    'comment',
    '--comment',
    `engram-upgrade test ${dir}`,
    '-j',
    'ACCEPT',
  ];
  let ruleAdded = false;
  // Bridge names are at most 15 bytes; the address is outside the pool compose networks come from.
  const bridge = `engram-rb-${dir.slice(-4).replace(/[^A-Za-z0-9]/g, '0')}`;
  let bridgeAdded = false;
  const stop = async () => {
    if (ruleAdded) {
      execFileSync('iptables', ['-D', ...rule], { stdio: 'ignore' });
      ruleAdded = false;
    }
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      const exited = new Promise((r) => daemon?.once('exit', r));
      daemon.kill('SIGTERM');
      const late = setTimeout(() => daemon?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(late);
    }
    cleanLeftovers(dir);
    if (bridgeAdded) {
      execFileSync('ip', ['link', 'delete', bridge], { stdio: 'ignore' });
      bridgeAdded = false;
    }
  };
  try {
    const certs = makeCertificates(dir);
    execFileSync('iptables', ['-I', ...rule], { stdio: 'ignore' });
    ruleAdded = true;
    execFileSync('ip', ['link', 'add', 'name', bridge, 'type', 'bridge'], { stdio: 'ignore' });
    bridgeAdded = true;
    execFileSync('ip', ['addr', 'add', BRIDGE_ADDRESS, 'dev', bridge], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'set', bridge, 'up'], { stdio: 'ignore' });
    const port = await freePort();
    const socket = join(dir, 'docker.sock');
    writeFileSync(join(dir, 'daemon.json'), '{}\n');
    daemon = spawn(
      'dockerd',
      [
        '--config-file',
        join(dir, 'daemon.json'),
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        join(dir, 'docker.pid'),
        '-H',
        `tcp://127.0.0.1:${port}`,
        '-H',
        `unix://${socket}`,
        '--tlsverify',
        '--tlscacert',
        join(certs.server, 'ca.pem'),
        '--tlscert',
        join(certs.server, 'server-cert.pem'),
        '--tlskey',
        join(certs.server, 'server-key.pem'),
        `--bridge=${bridge}`,
        '--iptables=false',
        '--ip6tables=false',
        '--default-address-pool',
        `base=${POOL},size=24`,
        '--log-level',
        'warn',
        // The main engine's short seccomp list (see testbed/bootstrap.sh), for the same cost per exec.
        '--seccomp-profile',
        join(import.meta.dirname, '../../../testbed/engine-seccomp.json'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    daemon.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        execFileSync('docker', ['-H', `unix://${socket}`, 'info', '--format', '{{.ID}}'], {
          stdio: 'ignore',
          timeout: 10_000,
        });
        break;
      } catch {
        if (daemon.exitCode !== null || Date.now() > deadline)
          throw new Error(`the second dockerd did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    return {
      tlsEnv: {
        DOCKER_HOST: `tcp://127.0.0.1:${port}`,
        DOCKER_TLS_VERIFY: '1',
        DOCKER_CERT_PATH: certs.client,
      },
      socket,
      port,
      dir,
      clientCerts: certs.client,
      wrongCaCerts: certs.wrongCa,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Unmounts what the stopped engine left mounted, deletes its bridges, then its whole directory. */
function cleanLeftovers(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // gone already
    }
  }
  const links = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => / inet 10\.213\./.test(l))
    .map((l) => l.split(/\s+/)[1]);
  for (const link of links) {
    try {
      execFileSync('ip', ['link', 'delete', String(link)], { stdio: 'ignore' });
    } catch {
      // gone already
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
