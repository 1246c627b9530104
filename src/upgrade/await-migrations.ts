import type { Deployment } from '../deployment/deployment';
import { UpgradeError } from '../errors';
import { throwIfAborted } from '../errors/abort';
import { type MigrationLogState, MigrationLogWatcher } from '../migrations/ecto-log';
import type { SecretSet } from '../secrets';
import { crashed, followLog, logTail, readLog } from './await-app';
import { AppliedReader } from './deployment-state';
import { PollWake } from './poll-wake';

export type MigrationWatchEvent =
  | { type: 'progress'; phase: 'migrate'; current: number; total: number; detail: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export interface AwaitMigrationsInput {
  containerId: string;
  /** Every version the new image ships: all must be applied. */
  expected: string[];
  /** How many of them this database lacks (for progress). */
  pending: number;
  deadlineMs: number;
  signal: AbortSignal;
  secrets: SecretSet;
  onEvent?: (e: MigrationWatchEvent) => void;
}

/**
 * Watches a freshly started app container migrate: its log line by line (JSON and plain text) for
 * per-migration progress and crash traces, its state for exits and restarts, and `schema_migrations`
 * for the truth. Done when every migration the image ships is applied; a crash or a restart before
 * that fails at once, naming the migration that failed when the log says which.
 */
export async function awaitMigrations(dep: Deployment, input: AwaitMigrationsInput): Promise<string[]> {
  const watcher = new MigrationLogWatcher();
  // Each log line may mean a migration finished: the database is read then, and at least every second.
  const wake = new PollWake();
  const total = input.pending;
  const stopFollowing = followLog(dep, input.containerId, wake, (line) => {
    for (const e of watcher.push(line)) {
      const detail =
        e.kind === 'running'
          ? `running ${e.version} ${e.module}`
          : e.kind === 'migrated'
            ? `migrated ${e.version} in ${e.seconds}s`
            : null;
      if (detail === null) continue;
      input.onEvent?.({
        type: 'progress',
        phase: 'migrate',
        current: watcher.state().migrated.length,
        total,
        detail,
      });
    }
  });
  const start = await dep.docker.inspect(input.containerId);
  const db = await dep.db();
  const deadline = Date.now() + input.deadlineMs;
  const appliedNow = new AppliedReader(dep, db, input.secrets);
  try {
    while (true) {
      throwIfAborted(input.signal, { message: 'The wait for migrations to finish was aborted' });
      const applied = await appliedNow.read();
      const missing = input.expected.filter((v) => !applied.includes(v));
      if (missing.length === 0) return applied;
      const c = await dep.docker.inspect(input.containerId);
      const dead = crashed(c, start.restartCount);
      // The engine can report the exit before the followed log has delivered the crash that explains it
      // (and a restart ends that stream): the whole log, read again, names the failed migration.
      const failed = watcher.state().failed ?? (dead ? await failedInLog(dep, c.id) : null);
      if (dead || failed) {
        const where = failed
          ? `migration ${failed.version} failed: ${input.secrets.redact(failed.message)}`
          : dead;
        throw new UpgradeError('MIGRATION_FAILED', {
          message: `The new version did not finish migrating (${missing.length} of ${total} not applied): ${where}. Log: ${await logTail(dep, c.id, input.secrets, 4)}`,
          version: failed?.version,
        });
      }
      if (Date.now() > deadline) {
        throw new UpgradeError('MIGRATION_FAILED', {
          message: `Migrations did not finish within ${Math.round(input.deadlineMs / 1000)} s: ${missing.length} of ${total} not applied (${watcher.state().running ? `running ${watcher.state().running}` : 'none running'})`,
        });
      }
      await wake.wait(250, 1000, input.signal);
    }
  } finally {
    await stopFollowing();
    await appliedNow.close();
  }
}

/** The failed migration the container's whole log names, if it names one (read for at most `limitMs`). */
async function failedInLog(
  dep: Deployment,
  containerId: string,
  limitMs = 3000,
): Promise<MigrationLogState['failed']> {
  const watcher = new MigrationLogWatcher();
  await readLog(dep, containerId, limitMs, (line) => {
    watcher.push(line);
    return watcher.state().failed !== null;
  });
  return watcher.state().failed;
}
