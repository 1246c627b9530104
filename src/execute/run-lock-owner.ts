import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { z } from 'zod';
import { UpgradeError } from '../errors';
import { isRunId } from './state-dir';

export const RUN_PURPOSES = ['upgrade', 'rollback', 'backup', 'restore'] as const;
export type RunPurpose = (typeof RUN_PURPOSES)[number];

/** Who holds a project's run lock, as written in the lock file. */
export interface RunLockOwner {
  pid: number;
  /** `os.hostname()` of the holder's machine. */
  host: string;
  /** ISO 8601, UTC. */
  startedAt: string;
  run: string;
  purpose: RunPurpose;
  /** The Linux boot id when the lock was taken: a lock from before a reboot is stale whatever its pid. */
  bootId?: string;
}

const printable = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'not a printable name');

export const runLockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  host: printable,
  startedAt: printable,
  run: z.string().refine(isRunId, 'not a run id'),
  purpose: z.enum(RUN_PURPOSES),
  bootId: printable.optional(),
});

export type LockFileState =
  | { kind: 'absent' }
  | { kind: 'held'; owner: RunLockOwner; bytes: Buffer }
  | { kind: 'garbled'; reason: string; bytes: Buffer };

/** Reads a lock file; a file that is not a lock we wrote is `garbled`, never guessed at. */
export async function readLockFile(path: string): Promise<LockFileState> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    return {
      kind: 'garbled',
      reason: `it could not be read (${code ?? (cause as Error).message})`,
      bytes: Buffer.alloc(0),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { kind: 'garbled', reason: 'it is not JSON', bytes };
  }
  const parsed = runLockOwnerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'garbled', reason: `${issue?.path.join('.') || 'its content'}: ${issue?.message}`, bytes };
  }
  return { kind: 'held', owner: parsed.data, bytes };
}

let bootIdCache: string | null | undefined;

/** This machine's boot id (Linux), or undefined where there is none. */
export function currentBootId(): string | undefined {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache ?? undefined;
}

/**
 * True only when the holder is certainly gone: it ran on this machine and either the machine has
 * rebooted since or its pid no longer exists. A holder on another host is never judged gone.
 */
export function ownerIsGone(owner: RunLockOwner): boolean {
  if (owner.host !== hostname()) return false;
  const boot = currentBootId();
  if (owner.bootId && boot && owner.bootId !== boot) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    // EPERM: the pid exists but belongs to another user — alive.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function heldError(path: string, project: string, owner: RunLockOwner): UpgradeError {
  const sameHost = owner.host === hostname();
  return new UpgradeError('LOCKED', {
    message: `Project '${project}' is locked by a ${owner.purpose} run (run ${owner.run}, pid ${owner.pid} on host ${owner.host}, started ${owner.startedAt})`,
    unchanged: 'Nothing was changed',
    hint: sameHost
      ? `Wait for it to finish: pid ${owner.pid} is still running on this machine`
      : `Wait for it to finish. If that process is gone (this machine cannot see processes on ${owner.host}), remove ${path} by hand and try again`,
  });
}

export function garbledError(path: string, project: string, reason: string): UpgradeError {
  return new UpgradeError('LOCKED', {
    message: `The lock file ${path} of project '${project}' is not a readable lock (${reason}), so the project is treated as locked`,
    unchanged: 'Nothing was changed',
    hint: `If no upgrade, rollback, backup or restore of '${project}' is running, remove ${path} by hand and try again`,
  });
}
