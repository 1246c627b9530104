import { randomBytes } from 'node:crypto';
import { lstat, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UpgradeError } from '../errors';

/**
 * Where journals and run locks live: `$ENGRAM_UPGRADE_STATE_DIR`, else `$XDG_STATE_HOME/engram-upgrade`,
 * else `~/.local/state/engram-upgrade`. A relative `XDG_STATE_HOME` is ignored, as the XDG spec asks.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.ENGRAM_UPGRADE_STATE_DIR;
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'engram-upgrade');
  return join(homedir(), '.local', 'state', 'engram-upgrade');
}

/**
 * Creates `dir` (and missing parents) with mode 0700, then checks that it is ours to trust: a real
 * directory, not a symlink, owned by this user, and not writable by everyone unless it has the sticky
 * bit. Another user able to swap files in here could forge a journal or a lock. Returns `dir`.
 */
export async function ensureStateDir(dir: string): Promise<string> {
  if (!isAbsolute(dir)) {
    throw refuse(dir, `is not an absolute path`, 'Pass an absolute path for the state directory');
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `Could not create the state directory ${dir}: ${(cause as Error).message}`,
      unchanged: 'Nothing was changed',
      hint: 'Check that the parent directory exists and is writable, or set ENGRAM_UPGRADE_STATE_DIR',
      cause,
    });
  }
  const st = await lstat(dir);
  if (st.isSymbolicLink()) {
    throw refuse(dir, 'is a symbolic link', 'Point ENGRAM_UPGRADE_STATE_DIR at the real directory instead');
  }
  if (!st.isDirectory()) {
    throw refuse(
      dir,
      'exists but is not a directory',
      'Move that file away or choose another state directory',
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw refuse(
      dir,
      `is owned by uid ${st.uid}, not by this user (uid ${uid})`,
      'Run as the owner of that directory, or choose a state directory of your own',
    );
  }
  if ((st.mode & 0o002) !== 0 && (st.mode & 0o1000) === 0) {
    throw refuse(
      dir,
      'is writable by every user and has no sticky bit',
      `Restrict it with 'chmod 700 ${dir}' and try again`,
    );
  }
  return dir;
}

function refuse(dir: string, problem: string, hint: string): UpgradeError {
  return new UpgradeError('INVALID_INPUT', {
    message: `The state directory ${dir} ${problem}`,
    unchanged: 'Nothing was changed',
    hint,
  });
}

// Compose's own rule for project names; it also keeps a name from escaping the state directory.
const PROJECT = /^[a-z0-9][a-z0-9_-]{0,199}$/;

export function isProjectName(value: string): boolean {
  return PROJECT.test(value);
}

/** Refuses a project name that compose would not accept (and so could never name a deployment). */
export function assertProjectName(project: string): string {
  if (!isProjectName(project)) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `${JSON.stringify(project.slice(0, 80))} is not a compose project name`,
      unchanged: 'Nothing was changed',
      hint: 'Use the name `docker compose ls` shows: lower-case letters, digits, - and _',
    });
  }
  return project;
}

const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8,32}$/;

/** A new run id: the UTC time to the second, then random hex, e.g. `20261129T023554Z-9f3a61c2`. */
export function newRunId(
  now: Date = new Date(),
  random: () => string = () => randomBytes(4).toString('hex'),
) {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return assertRunId(`${stamp}-${random()}`);
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value);
}

/** Refuses anything but a run id, so a run id taken from a file can never name a path elsewhere. */
export function assertRunId(value: string): string {
  if (!isRunId(value)) {
    throw new UpgradeError('INVALID_INPUT', {
      message: `${JSON.stringify(value.slice(0, 80))} is not a run id`,
      unchanged: 'Nothing was changed',
      hint: 'A run id looks like 20261129T023554Z-9f3a61c2 (the start of a journal file name)',
    });
  }
  return value;
}
