/**
 * Reading an Engram container's log one line at a time. The stream mixes LoggerJSON lines
 * (`{"time":…,"severity":…,"message":…,"metadata":{…}}`) with plain text: the entrypoint's echo, the
 * `rel/env.sh` warning, `** (Exception) …` crash output with an indented stack trace, and, in
 * development builds, Logger's text format (`12:00:00.123 [info] message`).
 */

/** One log line, read. */
export type LogEvent =
  /** `== Running <version> <Module>.<op>/0[ forward|backward]`: the migrator started one migration. */
  | {
      kind: 'running';
      version: string;
      module: string;
      op: 'up' | 'down' | 'change';
      /** `up` for `up/0` and `change/0 forward`, `down` for `down/0` and `change/0 backward`. */
      direction: 'up' | 'down';
    }
  /** `== Migrated <version> in <n.n>s`: that migration committed (in either direction). */
  | { kind: 'migrated'; version: string; seconds: number }
  /** `Migrations already up`: nothing was pending. */
  | { kind: 'already-up' }
  /** `Migrations already down`: nothing to roll back. */
  | { kind: 'already-down' }
  /** `** (Postgrex.Error) ERROR 42P07 (duplicate_table) …`: an uncaught exception ended the command. */
  | { kind: 'crash'; exception: string; message: string }
  /** `Access EngramWeb.Endpoint at <url>`: the application finished booting. */
  | { kind: 'endpoint'; url: string }
  /** Any other Logger line (JSON or text format). */
  | { kind: 'log'; severity: string; message: string }
  /** Anything else, as written: echo output, warnings, stack trace lines, blank lines. */
  | { kind: 'text'; text: string };

const RUNNING = /^== Running (\d+) ([\w.]+)\.(up|down|change)\/0(?: (forward|backward))?$/;
const MIGRATED = /^== Migrated (\d+) in (\d+(?:\.\d+)?)s$/;
const ALREADY = /^Migrations already (up|down)$/;
const ENDPOINT = /^Access [\w.]*Endpoint at (\S+)$/;
const CRASH = /^\*\* \((.+?)\) ?(.*)$/;
const LEVELS = 'debug|info|notice|warning|warn|error|critical|alert|emergency';
// `$time $metadata[$level] $message`; metadata is `key=value ` pairs, possibly none.
const TEXT_FORMAT = new RegExp(String.raw`^(\d{2}:\d{2}:\d{2}\.\d{3}) (.*?)\[(${LEVELS})\] ?(.*)$`);

/** The migrator's and the endpoint's own messages; null for any other message. */
function known(message: string): LogEvent | null {
  let m = RUNNING.exec(message);
  if (m) {
    const op = m[3] as 'up' | 'down' | 'change';
    const direction = op === 'change' ? (m[4] === 'backward' ? 'down' : 'up') : op;
    return { kind: 'running', version: m[1]!, module: m[2]!, op, direction };
  }
  m = MIGRATED.exec(message);
  if (m) return { kind: 'migrated', version: m[1]!, seconds: Number(m[2]) };
  m = ALREADY.exec(message);
  if (m) return { kind: m[1] === 'up' ? 'already-up' : 'already-down' };
  m = ENDPOINT.exec(message);
  if (m) return { kind: 'endpoint', url: m[1]! };
  return null;
}

function readJson(line: string): { severity: string; message: string } | null {
  if (!line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('message' in value)) return null;
  const record = value as Record<string, unknown>;
  const level = record.severity ?? record.level;
  const message = record.message;
  return {
    severity: typeof level === 'string' ? level.toLowerCase() : 'unknown',
    message: typeof message === 'string' ? message : JSON.stringify(message),
  };
}

/**
 * Reads one line of an Engram container log. Never throws: a line it does not recognise is `text`.
 * A trailing newline or carriage return is ignored.
 */
export function parseLogLine(line: string): LogEvent {
  const raw = line.replace(/\r?\n$/, '').replace(/\r$/, '');
  const json = readJson(raw);
  if (json) return known(json.message) ?? { kind: 'log', ...json };
  const text = TEXT_FORMAT.exec(raw);
  if (text) {
    const message = text[4]!;
    return known(message) ?? { kind: 'log', severity: text[3]!, message };
  }
  const crash = CRASH.exec(raw);
  if (crash) return { kind: 'crash', exception: crash[1]!, message: crash[2]! };
  return known(raw) ?? { kind: 'text', text: raw };
}

/** What a {@link MigrationLogWatcher} has seen so far. */
export interface MigrationLogState {
  /** The version whose `== Running` has no `== Migrated` (and no crash) yet. */
  running: string | null;
  /** Versions migrated up, in the order they finished, each once. */
  migrated: string[];
  /** Versions migrated down (rolled back), in the order they finished, each once. */
  reverted: string[];
  /**
   * The migration that was running when a crash was printed, and the crash. Cleared if that version
   * later finishes (after a restart, say).
   */
  failed: { version: string; exception: string; message: string } | null;
  /** A `** (…)` crash was printed at any point, during a migration or not. */
  crashed: boolean;
}

/**
 * Follows migrations through a container's log. Feed it lines as they arrive with `push`; it returns
 * the events those lines are, and `state()` says which migration runs, which finished, and which one
 * failed (a `== Running` followed by a crash before its `== Migrated`). Pure: it only reads the text
 * it is given.
 */
export class MigrationLogWatcher {
  #running: string | null = null;
  #migrated: string[] = [];
  #reverted: string[] = [];
  #direction: 'up' | 'down' = 'up';
  #failed: MigrationLogState['failed'] = null;
  #crashed = false;

  /** Reads one line, or several separated by newlines; a chunk must end at a line boundary. */
  push(line: string): LogEvent[] {
    const lines = line.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    return lines.map((l) => {
      const event = parseLogLine(l);
      this.#apply(event);
      return event;
    });
  }

  /** A snapshot: later lines do not change an object already returned. */
  state(): MigrationLogState {
    return {
      running: this.#running,
      migrated: [...this.#migrated],
      reverted: [...this.#reverted],
      failed: this.#failed === null ? null : { ...this.#failed },
      crashed: this.#crashed,
    };
  }

  #apply(event: LogEvent): void {
    switch (event.kind) {
      case 'running':
        this.#running = event.version;
        this.#direction = event.direction;
        return;
      case 'migrated': {
        const done = this.#direction === 'up' ? this.#migrated : this.#reverted;
        if (!done.includes(event.version)) done.push(event.version);
        if (this.#running === event.version) this.#running = null;
        if (this.#failed?.version === event.version) this.#failed = null;
        return;
      }
      case 'crash':
        this.#crashed = true;
        if (this.#running !== null) {
          this.#failed = { version: this.#running, exception: event.exception, message: event.message };
          this.#running = null;
        }
        return;
      default:
        return;
    }
  }
}
