import { isUpgradeError, UpgradeError } from '../errors';

/** How a command talks to the person (or the tool) that ran it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Standard input and output are a terminal: a person can be asked. */
  tty: boolean;
  /** Standard output is a terminal (bars and colour possible; see terminalStyle). */
  stdoutTty?: boolean;
  /** The terminal bars are drawn on, when standard output is one. */
  terminal?: NodeJS.WritableStream;
  /** Reads one answer from the person; undefined when nobody can answer (no terminal). */
  ask?(question: string): Promise<string | undefined>;
  env: NodeJS.ProcessEnv;
  /** Aborted by the first Ctrl-C or SIGTERM: long operations stop and undo their unfinished part. */
  signal?: AbortSignal;
}

/** Exit codes, documented in `--help`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, declined: 4 } as const;

/**
 * An error as one paragraph (what happened, what was left as it was, what to do) and its exit code:
 * 2 for bad input, 3 for a refusal before any change (stale plan, lock held, precondition), 1 for a
 * failure during the run. A stack trace only with `--debug`.
 */
export function reportError(io: CliIo, err: unknown, debug: boolean): number {
  if (isUpgradeError(err)) {
    io.err(`engram-upgrade: ${err.message}\n`);
    if (debug && err.stack) io.err(`${err.stack}\n`);
    // DOCKER_ENDPOINT: the setting that names the engine (DOCKER_HOST, a context, TLS files) is wrong.
    if (err.code === 'INVALID_INPUT' || err.code === 'SIGNING_KEY_UNUSABLE' || err.code === 'DOCKER_ENDPOINT')
      return EXIT.usage;
    if (err.code === 'CONSENT_REQUIRED') return EXIT.declined;
    if (
      [
        'PLAN_STALE',
        'LOCKED',
        'COMPOSE_NO_IMAGE',
        'ROLLBACK_UNAVAILABLE',
        'BACKUP_UNSIGNED',
        'BACKUP_SIGNATURE_INVALID',
        'REMOTE_UNSUPPORTED',
      ].includes(err.code)
    )
      return EXIT.refused;
    return EXIT.failed;
  }
  io.err(`engram-upgrade: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
  if (debug && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
  return EXIT.failed;
}

/**
 * Asks before a change, or takes `--yes`. With no terminal to ask on and no `--yes`, nothing can be
 * agreed: `CONSENT_REQUIRED` (exit 4, like a "no").
 */
export async function confirm(io: CliIo, yes: boolean | undefined, question: string): Promise<boolean> {
  if (yes) return true;
  if (!io.ask) {
    throw new UpgradeError('CONSENT_REQUIRED', {
      message: 'This changes the deployment and there is no terminal to confirm it on',
      unchanged: 'Nothing was changed',
      hint: 'Review the plan (--dry-run, or plan --save), then run again with --yes',
    });
  }
  const answer = await io.ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer?.trim() ?? '');
}

/** A "no" at the prompt: said on stderr, nothing changed, exit 4. */
export function declined(io: CliIo): number {
  io.err('engram-upgrade: not confirmed. Nothing was changed.\n');
  return EXIT.declined;
}
