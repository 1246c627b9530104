import { createHash, randomBytes } from 'node:crypto';
import { link, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { syncDir, writeDurable } from '../backup/fs-durable';
import { UpgradeError } from '../errors';
import {
  currentBootId,
  garbledError,
  heldError,
  ownerIsGone,
  RUN_PURPOSES,
  type RunLockOwner,
  type RunPurpose,
  readLockFile,
} from './run-lock-owner';
import { assertProjectName, assertRunId, ensureStateDir } from './state-dir';

export interface AcquireRunLockOptions {
  /** The state directory (`defaultStateDir()` unless the caller has its own). */
  stateDir: string;
  /** The compose project: one lock per deployment. */
  project: string;
  /** The run taking the lock; `release()` removes the lock only while it still names this run. */
  run: string;
  purpose: RunPurpose;
  /** @default () => new Date() */
  now?: () => Date;
}

/** `<stateDir>/<project>.lock`. */
export function runLockPath(stateDir: string, project: string): string {
  return join(stateDir, `${assertProjectName(project)}.lock`);
}

// A takeover takes milliseconds; a claim still there after ~1 s of retries was left by a process that
// died mid-takeover, which only a person can safely clear.
const ATTEMPTS = 50;
const RETRY_MS = 20;

/**
 * Takes the project's run lock, so only one upgrade, rollback, backup or restore drives a deployment at
 * a time. A lock whose holder is certainly gone (same host, pid no longer running or the machine
 * rebooted) is taken over; any other lock, or a lock file that cannot be read, refuses with `LOCKED`.
 *
 * The lock file is written in full to a private file and hard-linked into place, so it appears
 * complete or not at all, and only one of several concurrent callers can create it.
 */
export async function acquireRunLock(options: AcquireRunLockOptions): Promise<RunLock> {
  const { stateDir, project, run, purpose } = options;
  const path = runLockPath(stateDir, project);
  assertRunId(run);
  if (!RUN_PURPOSES.includes(purpose)) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `'${String(purpose)}' is not a run purpose (${RUN_PURPOSES.join(', ')})`,
      unchanged: 'Nothing was changed',
    });
  }
  await ensureStateDir(stateDir);
  const bootId = currentBootId();
  const owner: RunLockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
    run,
    purpose,
    ...(bootId ? { bootId } : {}),
  };
  const content = `${JSON.stringify(owner)}\n`;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (await createExclusive(path, content)) {
      await syncDir(stateDir);
      return new RunLock(path, owner);
    }
    const seen = await readLockFile(path);
    if (seen.kind === 'absent') continue; // released between our attempt and the read
    if (seen.kind === 'garbled') throw garbledError(path, project, seen.reason);
    if (!ownerIsGone(seen.owner)) throw heldError(path, project, seen.owner);
    if ((await removeStale(path, seen.bytes)) === 'contended') await sleep(RETRY_MS);
  }
  throw new UpgradeError('LOCKED', {
    message: `Could not take over the stale lock ${path} of project '${project}': another process kept claiming it`,
    unchanged: 'Nothing was changed',
    hint: `If no other run of '${project}' is starting, a takeover was interrupted: remove ${path} and ${path}.takeover-* by hand and try again`,
  });
}

/** Links a complete lock file into place; false when a lock is already there. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.new-${randomBytes(6).toString('hex')}`;
  try {
    await writeDurable(temp, content);
    await link(temp, path);
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UpgradeError('LOCKED', {
      message: `Could not create the lock file ${path}: ${(cause as Error).message}`,
      unchanged: 'Nothing was changed',
      hint: 'The state directory must be on a local file system that supports hard links, with free space',
      cause,
    });
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
}

/**
 * Removes the stale lock whose bytes were read as `stale`, unless it has been replaced meanwhile.
 * Contenders for the same stale lock race to hard-link it to a claim named after its content; only the
 * one whose link succeeds and still holds those bytes may delete the lock. A contender that read the
 * stale lock long ago and links a fresh lock instead sees different bytes and deletes nothing.
 */
async function removeStale(path: string, stale: Buffer): Promise<'removed' | 'retry' | 'contended'> {
  const claim = `${path}.takeover-${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  try {
    await link(path, claim);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'contended';
    if (code === 'ENOENT') return 'retry';
    throw takeoverError(path, cause);
  }
  try {
    if (!(await readFile(claim)).equals(stale)) return 'retry';
    await rm(path, { force: true });
    return 'removed';
  } catch (cause) {
    throw takeoverError(path, cause);
  } finally {
    await rm(claim, { force: true }).catch(() => {});
  }
}

function takeoverError(path: string, cause: unknown): UpgradeError {
  return new UpgradeError('LOCKED', {
    message: `Could not take over the stale lock ${path}: ${(cause as Error).message}`,
    unchanged: 'Nothing was changed',
    hint: 'Check the state directory is writable by this user, then try again',
    cause,
  });
}

/** A held run lock. Release it (or `await using` it) when the run ends. */
export class RunLock {
  readonly path: string;
  readonly owner: RunLockOwner;
  #released = false;

  constructor(path: string, owner: RunLockOwner) {
    this.path = path;
    this.owner = owner;
  }

  /** Removes the lock file if it still names this run; a lock taken over since is left alone. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const seen = await readLockFile(this.path);
    if (seen.kind === 'held' && seen.owner.run === this.owner.run && seen.owner.pid === this.owner.pid) {
      await rm(this.path, { force: true });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

/** The current holder of a project's run lock, or null when there is none. An unreadable lock is `LOCKED`. */
export async function readRunLock(stateDir: string, project: string): Promise<RunLockOwner | null> {
  const path = runLockPath(stateDir, project);
  const seen = await readLockFile(path);
  if (seen.kind === 'garbled') throw garbledError(path, project, seen.reason);
  return seen.kind === 'held' ? seen.owner : null;
}
