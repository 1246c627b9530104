import type { SecretSet } from '../secrets';

/**
 * `--events`: the library's typed events (step, undo, progress, log, backup and rehearsal events) as
 * NDJSON, one JSON object per line, each written the moment it happens, with the time it was seen
 * (`at`). Every string in an event (keys included) goes through the deployment's secrets once more:
 * the library already never puts a secret in an event, and a tool reading the stream must not have to
 * trust that alone.
 */
export function eventLine(event: object, secrets: SecretSet, at: Date = new Date()): string {
  return `${JSON.stringify({ at: at.toISOString(), ...(redacted(event, secrets) as object) })}\n`;
}

/** Writes each event as one line; `write` must not buffer (process.stdout on a pipe or file does not). */
export function eventStream(write: (text: string) => void, secrets: SecretSet): (event: object) => void {
  return (event) => write(eventLine(event, secrets));
}

function redacted(value: unknown, secrets: SecretSet): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (Array.isArray(value)) return value.map((v) => redacted(v, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [secrets.redact(k), redacted(v, secrets)]),
    );
  }
  return value;
}
