import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { DockerEndpoint } from './docker-endpoint';

/**
 * An HTTP agent whose connections are `ssh [-l user] [-p port] -- host docker system dial-stdio`, as the
 * docker CLI dials an `ssh://` engine: the system's ssh client, with its config, keys, agent and
 * known_hosts, so what works for `docker -H ssh://...` works here, and nothing weaker (no host key left
 * unchecked). Connections are kept alive between calls and do not keep the process running while idle.
 */
export class SshDialAgent extends Agent {
  readonly #argv: string[];

  constructor(endpoint: Pick<DockerEndpoint, 'address' | 'port' | 'user'>) {
    super({ keepAlive: true, maxSockets: 8 });
    this.#argv = [
      ...(endpoint.user ? ['-l', endpoint.user] : []),
      ...(endpoint.port ? ['-p', String(endpoint.port)] : []),
      '-o',
      'ConnectTimeout=30',
      '-T',
      '--',
      endpoint.address,
      'docker',
      'system',
      'dial-stdio',
    ];
  }

  override createConnection(): Socket {
    const child = spawn('ssh', this.#argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    return new CommandSocket(child) as unknown as Socket;
  }
}

/** A child process's stdin and stdout as the socket an HTTP agent expects. */
class CommandSocket extends Duplex {
  readonly #child: ChildProcessWithoutNullStreams;
  /** The last lines ssh wrote ("Permission denied (publickey)", "Host key verification failed"). */
  #stderr = '';

  constructor(child: ChildProcessWithoutNullStreams) {
    super({ allowHalfOpen: false });
    this.#child = child;
    child.stderr.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString('utf8')).slice(-2000);
    });
    child.stdout.on('data', (d: Buffer) => {
      if (!this.push(d)) child.stdout.pause();
    });
    child.on('error', (err) => this.destroy(err));
    child.stdin.on('error', () => {}); // a write after ssh exited: the 'close' below reports it
    // The end is reported once ssh has exited, so a failed login ends the request with ssh's own words
    // rather than with a bare "socket hang up".
    child.on('close', (code) => {
      if (this.destroyed) return;
      if (code !== 0 && code !== null) {
        const said = this.#stderr
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .slice(-2)
          .join(' ');
        this.destroy(new Error(`ssh exited with code ${code}${said ? `: ${said.slice(0, 300)}` : ''}`));
      } else this.push(null);
    });
    queueMicrotask(() => this.emit('connect'));
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.#child.stdin.write(chunk, done);
  }

  override _final(done: () => void): void {
    this.#child.stdin.end(done);
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill();
    done(err);
  }

  // What http.Agent and http.ClientRequest call on a net.Socket.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  ref(): this {
    this.#child.ref();
    for (const s of [this.#child.stdin, this.#child.stdout, this.#child.stderr])
      (s as unknown as Socket).ref?.();
    return this;
  }
  unref(): this {
    this.#child.unref();
    for (const s of [this.#child.stdin, this.#child.stdout, this.#child.stderr])
      (s as unknown as Socket).unref?.();
    return this;
  }
}
