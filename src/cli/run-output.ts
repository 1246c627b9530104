import pc from 'picocolors';
import type { Deployment } from '../deployment/deployment';
import { InvalidInputError } from '../errors';
import { SecretSet } from '../secrets';
import type { CliIo } from './cli-output';
import { eventStream } from './event-stream';
import { type ProgressEvent, progressView } from './progress';
import { terminalStyle } from './terminal-style';

/** `--events`: the run's events as NDJSON (commands that run a plan). */
export const streamed = {
  events: { type: 'boolean' },
} as const;

/** How a command reports: to a person, one JSON document (`--json`), or NDJSON events (`--events`). */
export type OutputMode = 'human' | 'json' | 'events';

export function outputMode(values: { json?: boolean; events?: boolean }): OutputMode {
  if (values.json && values.events) {
    throw new InvalidInputError({
      message: '--json and --events exclude each other',
      hint: 'Pass --events for a line per event ending in the result, or --json for the result alone',
    });
  }
  return values.events ? 'events' : values.json ? 'json' : 'human';
}

/** Colour for what a command prints to a person (none for machine output, NO_COLOR, a pipe…). */
export function paint(io: CliIo, mode: OutputMode = 'human') {
  return pc.createColors(
    terminalStyle({ stdoutTty: io.stdoutTty === true, env: io.env, machineOutput: mode !== 'human' }).colour,
  );
}

export interface RunOutput {
  mode: OutputMode;
  /** For the library's `onEvent`. */
  onEvent(event: ProgressEvent): void;
  /** Text for a person (the plan, before it runs); nothing in the other modes. */
  say(text: string): void;
  /** Ends the progress; prints the result: a document, the last event line, or a person's text. */
  done(result: unknown, human: string): void;
  /** Ends the progress without a result (a failure is reported on stderr). */
  stop(): void;
}

export interface RunOutputOptions {
  title: string;
  /** The plan's step ids (or, with `unit: 'phases'`, the phases expected). */
  steps: readonly string[];
  unit?: 'steps' | 'phases';
  totals?: Partial<Record<string, number>>;
  /** Taken out of every event line once more (the deployment's secrets, values passed with --env). */
  secrets?: SecretSet;
}

/**
 * One place that decides what a long command writes to stdout: bars and lines for a person; with
 * `--json` only the result document; with `--events` only event lines, the last one
 * `{"type":"result","result":…}`, each written as it happens.
 */
export function runOutput(io: CliIo, mode: OutputMode, o: RunOutputOptions): RunOutput {
  const secrets = o.secrets ?? new SecretSet();
  if (mode === 'events') {
    const line = eventStream(io.out, secrets);
    return {
      mode,
      onEvent: line,
      say: () => undefined,
      done: (result) => line({ type: 'result', result }),
      stop: () => undefined,
    };
  }
  if (mode === 'json') {
    return {
      mode,
      onEvent: () => undefined,
      say: () => undefined,
      done: (result) => io.out(`${JSON.stringify(result, null, 2)}\n`),
      stop: () => undefined,
    };
  }
  let view: ReturnType<typeof progressView> | undefined;
  const started = () => {
    view ??= progressView({
      write: io.out,
      style: terminalStyle({ stdoutTty: io.stdoutTty === true, env: io.env }),
      terminal: io.terminal,
      title: o.title,
      steps: o.steps,
      unit: o.unit,
      totals: o.totals,
    });
    return view;
  };
  return {
    mode,
    onEvent: (e) => started()(e),
    say: (text) => io.out(text),
    done: (_result, human) => {
      view?.stop();
      io.out(human);
    },
    stop: () => view?.stop(),
  };
}

/** The secrets an event line must never carry: the deployment's, and the values passed with --env. */
export async function knownSecrets(dep: Deployment, env: Record<string, string> = {}): Promise<SecretSet> {
  const secrets = await dep.secrets();
  for (const value of Object.values(env)) secrets.add(value);
  return secrets;
}
