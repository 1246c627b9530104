import { isAbsolute, resolve } from 'node:path';
import { InvalidInputError } from '../errors';
import type { CliIo } from './cli-output';

/** Options every command that acts on a deployment takes. */
export const common = {
  project: { type: 'string', short: 'p' },
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  debug: { type: 'boolean' },
} as const;

/**
 * Where release notes come from: a saved GitHub releases API response or a CHANGELOG.md, else the
 * GitHub releases API (`--releases-repo`, `--github-api-url`, a token from `GITHUB_TOKEN`/`GH_TOKEN`
 * or `--github-token-file`); `--offline` refuses the network.
 */
export const notesOptions = {
  'releases-json': { type: 'string' },
  changelog: { type: 'string' },
  offline: { type: 'boolean' },
  'releases-repo': { type: 'string' },
  'github-api-url': { type: 'string' },
  'github-token-file': { type: 'string' },
} as const;

/** Runs node's argument parser; its complaints become INVALID_INPUT (exit 2). */
export function parsed<R>(parse: () => R): R {
  try {
    return parse();
  } catch (err) {
    throw new InvalidInputError({ message: (err as Error).message, hint: 'Run engram-upgrade --help' });
  }
}

/** The value of a required option, or INVALID_INPUT naming it. */
export function need(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidInputError({ message: `${flag} is required`, hint: 'Run engram-upgrade --help' });
  }
  return value;
}

/** A path as given, made absolute against the working directory. */
export function abs(p: string): string;
export function abs(p: string | undefined): string | undefined;
export function abs(p: string | undefined): string | undefined {
  return p === undefined ? undefined : isAbsolute(p) ? p : resolve(p);
}

/** `--env NAME`: the value is read from this process's environment, so it never appears in argv. */
export function envValues(names: string[] | undefined, io: CliIo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names ?? []) {
    const value = io.env[name];
    if (value === undefined) {
      throw new InvalidInputError({
        message: `--env ${name}: ${name} is not set in the environment`,
        hint: `Export it first (read -s ${name}; export ${name}); values are never taken from the command line`,
      });
    }
    out[name] = value;
  }
  return out;
}
