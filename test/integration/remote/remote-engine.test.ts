import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeBackup } from '../../../src/backup/execute-backup';
import { backup } from '../../../src/backup/plan-backup';
import { verifyBackup } from '../../../src/backup/verify-backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { DockerodeDocker } from '../../../src/docker/dockerode-docker';
import { planUpgradePath } from '../../../src/plan';
import { type EngramStack, startEngramStack } from '../../../src/testing';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';
import { applyUpgrade } from '../../../src/upgrade/plan-upgrade';
import { cli, ROOT } from '../cli/run-cli';
import { seriesReleases, tempDirs } from '../upgrade/helpers';
import { type SecondEngine, startSecondEngine } from './second-engine';
import { type SshServer, startSshServer } from './ssh-server';

// Heavy (a second engine, its image pulls, an sshd) and timed by its waits: run alone.
const RELEASES = join(ROOT, 'test/fixtures/releases/github-releases.json');
const ENDPOINT_VARS = [
  'DOCKER_HOST',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CERT_PATH',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'PATH',
];
const saved = Object.fromEntries(ENDPOINT_VARS.map((k) => [k, process.env[k]]));
const dirs = tempDirs();
let engine: SecondEngine | undefined;
let ssh: SshServer | undefined;
let stack: EngramStack | undefined;

/** `docker` on the main engine (this machine's own socket), whatever this file set. */
function mainEngine(args: string[]): string {
  const env = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CONTEXT']) delete env[k];
  return execFileSync('docker', args, { env, encoding: 'utf8' });
}

/** `docker` on the second engine through its own socket. */
function secondEngine(args: string[]): string {
  return execFileSync('docker', ['-H', `unix://${engine?.socket}`, ...args], { encoding: 'utf8' });
}

// The main engine's default bridge: a second engine must leave it alone (one started with
// --bridge=none deletes it, and every later `docker run` of the main engine fails).
const DOCKER0 = '/sys/class/net/docker0';
let hadDocker0 = false;

beforeAll(async () => {
  hadDocker0 = existsSync(DOCKER0);
  engine = await startSecondEngine();
  ssh = await startSshServer(engine.socket);
  // The harness, the library and every child below talk to the second engine through TLS.
  Object.assign(process.env, engine.tlsEnv);
  stack = await startEngramStack({ version: '0.14.1', pull: true });
}, 600_000);

afterAll(async () => {
  try {
    await stack?.dispose();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await ssh?.stop();
    await engine?.stop();
    dirs.cleanup();
  }
  expect(existsSync(DOCKER0)).toBe(hadDocker0);
}, 180_000);

describe('a remote engine', () => {
  it('tcp with TLS: the stack runs there (published port and compose network work), status, backup and a whole upgrade', async () => {
    const project = stack!.projectName;
    // On the second engine, not on the main one.
    expect(
      secondEngine([
        'ps',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}}',
      ]),
    ).toContain(project);
    expect(
      mainEngine([
        'ps',
        '-a',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Names}}',
      ]).trim(),
    ).toBe('');
    expect((await stack!.health()).body).toMatchObject({ version: '0.14.1' });
    expect(await new DockerodeDocker().endpoint()).toMatchObject({
      transport: 'tcp',
      from: 'host',
      tls: { verify: true },
    });

    const state = dirs.make('engram-remote-state-');
    const backups = dirs.make('engram-remote-backups-');
    const p = ['--project', project, '--state-dir', state];
    const status = cli(['status', ...p, '--json']);
    expect(status.code, status.err).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ version: '0.14.1' });

    const backup = cli(['backup', '--project', project, '--dir', backups, '--json']);
    expect(backup.code, backup.err).toBe(0);
    expect(readdirSync(backups).length).toBeGreaterThan(0);

    const planFile = join(dirs.make('engram-remote-plan-'), 'plan.json');
    const plan = cli([
      'plan',
      ...p,
      '--releases-json',
      RELEASES,
      '--to',
      '0.15.0',
      '--backup-dir',
      backups,
      '--save',
      planFile,
    ]);
    expect(plan.code, plan.err).toBe(0);
    const apply = cli(['apply', ...p, '--plan', planFile, '--yes']);
    expect(apply.code, apply.err).toBe(0);
    expect((await stack!.health()).body).toMatchObject({ version: '0.15.0' });
    const image = secondEngine([
      'ps',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      'label=com.docker.compose.service=engram',
      '--format',
      '{{.Image}}',
    ]);
    expect(image).toContain(':0.15.0');
  }, 600_000);

  it('ssh://root@127.0.0.1: status and a backup through the system ssh client and docker system dial-stdio', () => {
    const env = {
      DOCKER_HOST: `ssh://root@127.0.0.1:${ssh!.port}`,
      DOCKER_TLS_VERIFY: '',
      DOCKER_CERT_PATH: '',
      PATH: ssh!.path,
    };
    const project = stack!.projectName;
    const status = cli(
      ['status', '--project', project, '--state-dir', dirs.make('engram-remote-state-'), '--json'],
      env,
    );
    expect(status.code, status.err).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ version: '0.15.0' });
    const backups = dirs.make('engram-remote-backups-');
    const backup = cli(['backup', '--project', project, '--dir', backups, '--json'], env);
    expect(backup.code, backup.err).toBe(0);
    expect(readdirSync(backups).length).toBeGreaterThan(0);
    // A host whose key is not known: ssh refuses, and the error says so in ssh's words.
    const unknown = cli(['status', '--project', project, '--json'], {
      ...env,
      DOCKER_HOST: `ssh://root@localhost:${ssh!.port}`,
    });
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(
      /^engram-upgrade: .*the ssh connection to the Docker engine at ssh:\/\/root@localhost:\d+ failed .*Host key verification failed/,
    );
  }, 300_000);

  it('a Docker context (DOCKER_CONTEXT in a config directory of its own) with the TLS files in its store', () => {
    const config = dirs.make('engram-remote-config-');
    const certs = engine!.clientCerts;
    execFileSync(
      'docker',
      [
        'context',
        'create',
        'engram-remote',
        '--docker',
        `host=tcp://127.0.0.1:${engine!.port},ca=${certs}/ca.pem,cert=${certs}/cert.pem,key=${certs}/key.pem`,
      ],
      {
        env: { ...process.env, DOCKER_CONFIG: config },
        stdio: 'ignore',
      },
    );
    const env = {
      DOCKER_HOST: '',
      DOCKER_TLS_VERIFY: '',
      DOCKER_CERT_PATH: '',
      DOCKER_CONFIG: config,
      DOCKER_CONTEXT: 'engram-remote',
    };
    const status = cli(
      ['status', '--project', stack!.projectName, '--state-dir', dirs.make('engram-remote-state-'), '--json'],
      env,
    );
    expect(status.code, status.err).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ version: '0.15.0' });
  }, 120_000);

  it('a CA that did not sign the engine: DOCKER_ENDPOINT, one paragraph naming the files, no key material', async () => {
    const wrong = engine!.wrongCaCerts;
    const r = cli(['status', '--project', stack!.projectName, '--json'], { DOCKER_CERT_PATH: wrong });
    expect(r.code).toBe(2); // the setting that names the engine is wrong, as bad input is
    expect(r.err).toMatch(
      /^engram-upgrade: .*TLS handshake with the Docker engine at tcp:\/\/127\.0\.0\.1:\d+ failed/,
    );
    expect(r.err).toContain(`${wrong}/ca.pem`);
    expect(r.out + r.err).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|\n\s+at /);
    // Only the CA: the engine asks for a client certificate, and the error says there is none.
    const caOnly = dirs.make('engram-remote-ca-only-');
    copyFileSync(join(engine!.clientCerts, 'ca.pem'), join(caOnly, 'ca.pem'));
    const noCert = cli(['status', '--project', stack!.projectName], { DOCKER_CERT_PATH: caOnly });
    expect(noCert.code).toBe(2);
    expect(noCert.err).toContain(`The engine requires a client certificate and ${caOnly} has none`);
    // The library, with the endpoint given in code rather than the environment.
    const docker = new DockerodeDocker({
      endpoint: { host: engine!.tlsEnv.DOCKER_HOST, tlsVerify: true, certPath: wrong },
    });
    await expect(docker.findContainers({})).rejects.toMatchObject({ code: 'DOCKER_ENDPOINT' });
  }, 60_000);

  it('ssh, the library with the endpoint given in code: a whole upgrade with the engine driver (no docker compose), a backup and its full verification; then a rollback with the command line', async () => {
    process.env.PATH = ssh!.path; // the ssh client with the test's key and known_hosts
    const docker = new DockerodeDocker({ endpoint: { host: `ssh://root@127.0.0.1:${ssh!.port}` } });
    expect(await docker.endpoint()).toMatchObject({ transport: 'ssh', user: 'root', tls: null, local: true });
    const dep = await openDeployment({ project: stack!.projectName, docker });
    const path = planUpgradePath({ from: '0.15.0', to: '0.15.1', releases: seriesReleases() });
    const stateDir = dirs.make('engram-remote-state-');
    const plan = await applyUpgrade(dep, path, {
      stateDir,
      backupDir: dirs.make('engram-remote-backups-'),
      driver: 'engine',
    });
    expect(plan.driver).toBe('engine');
    const result = await executeUpgrade(dep, plan);
    expect(result.hops.map((h) => `${h.from}>${h.to}`)).toEqual(['0.15.0>0.15.1']);
    expect((await stack!.health()).body).toMatchObject({ version: '0.15.1' });
    const image = secondEngine([
      'ps',
      '--filter',
      `label=com.docker.compose.project=${stack!.projectName}`,
      '--filter',
      'label=com.docker.compose.service=engram',
      '--format',
      '{{.Image}}',
    ]);
    expect(image).toContain(':0.15.1');

    // A backup, then its full verification: the archive streams back from this machine into a
    // throwaway Postgres on the engine (an exec's input over ssh, closed at its end).
    const taken = await executeBackup(dep, await backup(dep, { dir: dirs.make('engram-remote-backups-') }));
    const report = await verifyBackup(taken.path, { level: 2, deployment: dep });
    expect(report.tablesCompared).toBeGreaterThan(4);

    // And back, with the command line over the same ssh endpoint.
    const env = {
      DOCKER_HOST: `ssh://root@127.0.0.1:${ssh!.port}`,
      DOCKER_TLS_VERIFY: '',
      DOCKER_CERT_PATH: '',
    };
    const back = cli(['rollback', '--project', stack!.projectName, '--state-dir', stateDir, '--yes'], env);
    expect(back.code, back.err).toBe(0);
    expect((await stack!.health()).body).toMatchObject({ version: '0.15.0' });
  }, 600_000);
});
