import { join } from 'node:path';
import type { DockerPort } from '../docker/docker-port';
import { UpgradeError } from '../errors';
import { type SecretSet, tailOf } from '../secrets';
import type { BackupPlan } from './backup-plan';
import { ContainerDir, dumpKey } from './container-dir';
import { DUMP_DIR, TOC_FILE } from './dump-layout';
import type { BackupFile } from './manifest';
import { pgDumpSourceArgs } from './pg-dump-args';
import { receiveDumpDir } from './receive-dump-dir';

export interface DumpDirectoryInput {
  docker: DockerPort;
  dbContainerId: string;
  plan: BackupPlan;
  snapshot: string;
  /** The backup's working directory; the dump goes to `db.dir` in it, which must not exist yet. */
  workDir: string;
  secrets?: SecretSet;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** The copy in the container could not be removed after a good dump: reported, not failed over. */
  onLeftover?: (err: UpgradeError) => void;
}

/**
 * `pg_dump -Fd -j N` of the planned snapshot into a private directory of the Postgres container
 * (pg_dump's jobs each write their own files there, which a stream cannot take), then copied out as
 * a tar stream into the working directory, each file hashed as it is written. The copy in the
 * container is removed whatever happens; one a killed run left is removed first.
 */
export async function dumpDirectory(input: DumpDirectoryInput): Promise<BackupFile[]> {
  const { docker, dbContainerId, plan, secrets, signal } = input;
  const key = dumpKey(plan.source.database);
  const dir = await ContainerDir.create(docker, dbContainerId, key, {
    secrets,
    signal,
    failure: 'BACKUP_FAILED',
  });
  let files: BackupFile[];
  try {
    const dumped = await docker.exec(dbContainerId, {
      cmd: [
        'pg_dump',
        '-Fd',
        `--jobs=${plan.jobs}`,
        ...pgDumpSourceArgs(plan, input.snapshot),
        '-f',
        `${dir.path}/${DUMP_DIR}`,
      ],
      signal,
    });
    if (dumped.exitCode !== 0) {
      throw new UpgradeError('BACKUP_FAILED', {
        message: `pg_dump ${dumped.exitCode === null ? 'was cut off' : `exited ${dumped.exitCode}`}: ${tailOf(dumped.stderr, secrets, 2) || 'no message'}`,
      });
    }
    const { sink, files: received } = await receiveDumpDir(
      join(input.workDir, DUMP_DIR),
      plan.compression,
      input.onProgress,
    );
    const [copied, written] = await Promise.allSettled([
      dir.archive(DUMP_DIR, sink, { secrets, signal, failure: 'BACKUP_FAILED' }),
      received,
    ]);
    // What refused the copy says more than the broken stream it caused.
    if (written.status === 'rejected') throw written.reason;
    if (copied.status === 'rejected') throw copied.reason;
    files = written.value;
  } catch (err) {
    await dir.dispose().catch(() => undefined);
    throw err;
  }
  await dir.dispose().catch((err: unknown) => {
    if (!(err instanceof UpgradeError) || !input.onLeftover) throw err;
    input.onLeftover(err);
  });
  if (!files.some((f) => f.name === `${DUMP_DIR}/${TOC_FILE}`)) {
    throw new UpgradeError('BACKUP_FAILED', {
      message: `pg_dump wrote no ${TOC_FILE}: the directory-format dump is empty`,
    });
  }
  return files;
}
