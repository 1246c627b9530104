import type Docker from 'dockerode';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  user?: string;
  env?: Record<string, string>;
  stdin?: string;
}

/**
 * Runs a command (argv array, no shell) in a running container and collects its output.
 * Environment values go through the exec's Env, never through argv.
 */
export async function dockerExec(
  docker: Docker,
  containerId: string,
  cmd: string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: opts.stdin !== undefined,
    User: opts.user,
    Env: opts.env ? Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) : undefined,
  });
  const stream = await exec.start({ hijack: true, stdin: opts.stdin !== undefined });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    docker.modem.demuxStream(
      stream,
      { write: (d: Buffer) => out.push(d) } as NodeJS.WritableStream,
      { write: (d: Buffer) => err.push(d) } as NodeJS.WritableStream,
    );
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
    if (opts.stdin !== undefined) stream.end(opts.stdin);
  });
  const info = await exec.inspect();
  return {
    exitCode: info.ExitCode ?? -1,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
  };
}
