import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DockerEndpoint } from '../docker/docker-endpoint';
import { cliEnv } from '../docker/endpoint-cli-env';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';

/** Where a compose project lives on disk, as its containers' labels record it. */
export interface ComposeProjectFiles {
  project: string;
  workingDir: string;
  configFiles: string[];
  /** The env file compose reads for interpolation; null when the project has none. */
  envFile: string | null;
}

export interface ComposeRunOptions {
  signal?: AbortSignal;
  secrets?: SecretSet;
  /**
   * The engine the library talks to (`DockerodeDocker.endpoint()`), so compose reaches the same one: its
   * DOCKER_HOST / DOCKER_CONTEXT / TLS variables are set from it. @default the environment as it is
   */
  endpoint?: DockerEndpoint;
}

/**
 * `docker compose` for one project, always with its name, working directory and every config file, so
 * a container it recreates keeps everything the project gives it. Arguments are an argv array; nothing
 * reaches a shell. Secrets stay in the files compose reads, never in arguments.
 */
export async function compose(
  files: ComposeProjectFiles,
  args: string[],
  opts: ComposeRunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  const argv = [
    'compose',
    '--project-name',
    files.project,
    '--project-directory',
    files.workingDir,
    ...files.configFiles.flatMap((f) => ['--file', f]),
    // Compose reads <working dir>/.env by itself; naming it would add an environment_file label and
    // make the container differ from one a plain `docker compose up -d` creates.
    ...(files.envFile && files.envFile !== join(files.workingDir, '.env')
      ? ['--env-file', files.envFile]
      : []),
    ...args,
  ];
  const env = cliEnv(opts.endpoint);
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('docker', argv, {
      cwd: files.workingDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) =>
      reject(
        new UpgradeError(
          (e as { code?: string }).code === 'ENOENT' ? 'DOCKER_UNAVAILABLE' : 'DOCKER_OPERATION',
          {
            message: `Could not run docker compose: ${e.message}`,
            hint: 'Install the docker CLI with the compose plugin (docker compose version)',
            cause: e,
          },
        ),
      ),
    );
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
  if (result.code !== 0) {
    throw new UpgradeError('DOCKER_OPERATION', {
      message: `docker compose ${args.join(' ')} failed (exit ${result.code}): ${tailOf(result.stderr, opts.secrets, 4, ' | ') || 'no message'}`,
    });
  }
  return { stdout: result.stdout, stderr: result.stderr };
}
