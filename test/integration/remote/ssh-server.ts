import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../../src/testing/free-port';

export interface SshServer {
  port: number;
  /** PATH with an `ssh` first that uses this test's key, known_hosts and nothing of ~/.ssh. */
  path: string;
  stop(): Promise<void>;
}

/**
 * Debian's sshd on a port of 127.0.0.1, root login by a key made here only. Its sessions get
 * DOCKER_HOST set to `engineSocket`, so `docker system dial-stdio` on the "remote" side reaches the
 * engine under test. The client side is an `ssh` wrapper on PATH with its own config, key and
 * known_hosts (host key checked), as an operator's ~/.ssh would give.
 */
export async function startSshServer(engineSocket: string): Promise<SshServer> {
  const dir = mkdtempSync('/tmp/engram-ssh-');
  let sshd: ChildProcess | undefined;
  const createdPrivsep = !existsSync('/run/sshd');
  const stop = async () => {
    if (sshd && sshd.exitCode === null && sshd.signalCode === null) {
      const exited = new Promise((r) => sshd?.once('exit', r));
      sshd.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    if (createdPrivsep) rmSync('/run/sshd', { recursive: true, force: true });
  };
  try {
    chmodSync(dir, 0o700);
    const keygen = (file: string) =>
      execFileSync('ssh-keygen', [
        '-q',
        '-t',
        'ed25519',
        '-N',
        '',
        '-C',
        'engram-test',
        '-f',
        join(dir, file),
      ]);
    keygen('host_key');
    keygen('id_ed25519');
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
    const port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        `SetEnv DOCKER_HOST=unix://${engineSocket}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'known_hosts'),
      `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`,
    );
    writeFileSync(
      join(dir, 'ssh_config'),
      [
        'Host *',
        `  IdentityFile ${join(dir, 'id_ed25519')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(dir, 'ssh_config')} "$@"\n`, {
      mode: 0o755,
    });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    sshd.stderr?.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 15_000;
    while (!(await listening(port))) {
      if (sshd.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { port, path: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
