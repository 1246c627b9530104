import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with an argv array (never a shell string) and collects its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
      if (result.code !== 0 && !opts.allowFail) {
        reject(
          new Error(`${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().slice(-2000)}`),
        );
      } else resolve(result);
    });
    if (child.stdin) {
      // A command may exit without reading its input; that is its answer, not our error.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}
