import { isAbsolute } from 'node:path';
import { InvalidInputError } from '../errors';

/** Accepts an absolute path without control characters; anything else is refused before any I/O. */
export function requireAbsolutePath(value: unknown, what: string, hint: string): string {
  if (typeof value !== 'string' || !isAbsolute(value) || /[\0\n\r]/.test(value) || value.length > 1024) {
    throw new InvalidInputError({
      message: `${what} ${JSON.stringify(String(value).slice(0, 100))} is not an absolute path`,
      hint,
    });
  }
  return value;
}
