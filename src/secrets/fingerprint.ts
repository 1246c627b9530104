import { createHash } from 'node:crypto';

/**
 * A short, one-way fingerprint of a secret (`sha256:` + 16 hex digits), so two places can tell whether
 * they hold the same key without either ever storing or printing it.
 */
export function secretFingerprint(value: string | undefined): string | null {
  return value ? `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}` : null;
}
