import type { SecretSet } from './redact';

/** The last lines of a command's error output, redacted and joined on one line for a message. */
export function tailOf(stderr: string, secrets: SecretSet | undefined, lines = 3, joiner = ' '): string {
  return (secrets?.redact(stderr) ?? stderr).trim().split('\n').slice(-lines).join(joiner);
}
