import { spawn } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import type { DockerPort } from '../docker/docker-port';
import type { BackupPlan } from './backup-plan';
import type { HashingFileWriter } from './hashing-file-writer';
import { pgDumpSourceArgs } from './pg-dump-args';

export interface DumpInput {
  docker: DockerPort;
  dbContainerId: string;
  plan: BackupPlan;
  snapshot: string;
  writer: HashingFileWriter;
  /** Only for a host dump; goes to pg_dump through PGPASSWORD, never argv. */
  password?: string;
  signal?: AbortSignal;
}

/** Streams `pg_dump -Fc` (compressed as planned) of the planned snapshot into the writer. Returns exit code and stderr. */
export async function dumpDatabase(input: DumpInput): Promise<{ exitCode: number | null; stderr: string }> {
  const { plan } = input;
  const args = ['-Fc', ...pgDumpSourceArgs(plan, input.snapshot)];
  if (plan.dump.where === 'container') {
    const r = await input.docker.exec(input.dbContainerId, {
      cmd: ['pg_dump', ...args],
      stdout: input.writer,
      signal: input.signal,
    });
    return { exitCode: r.exitCode, stderr: r.stderr };
  }
  const child = spawn('pg_dump', ['-h', plan.dump.host, '-p', String(plan.dump.port), ...args], {
    env: { ...process.env, PGPASSWORD: input.password ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: input.signal,
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-65536);
  });
  // 'error' (pg_dump missing, or the abort killing it) must have a listener, or it would end the process.
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const [, exitCode] = await Promise.all([pipeline(child.stdout, input.writer), exited]);
  return { exitCode, stderr };
}
