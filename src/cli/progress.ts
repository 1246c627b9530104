import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { BackupEvent } from '../backup/backup-events';
import type { StepEvent } from '../execute/step';
import type { RehearsalEvent } from '../rehearse/rehearse';
import type { TerminalStyle } from './terminal-style';

/** Every event a long command can report: the step runner's, a backup's or restore's, a rehearsal's. */
export type ProgressEvent = StepEvent | BackupEvent | RehearsalEvent;

export interface ProgressViewOptions {
  /** Lines, where there are no bars. */
  write(text: string): void;
  style: TerminalStyle;
  /** The terminal the bars are drawn on (used only when `style.bars`). */
  terminal?: NodeJS.WritableStream;
  /** What runs, before the overall bar: `backup`, `upgrade`… */
  title: string;
  /**
   * The plan's step ids: the overall bar counts those finished (a backup also reports steps within
   * its steps, which it does not count). With `unit: 'phases'`, the phases expected.
   */
  steps: readonly string[];
  /** What the overall bar counts: finished steps, or (a rehearsal, several runs) phases begun. @default 'steps' */
  unit?: 'steps' | 'phases';
  /** Sizes of phases whose progress carries no total (a restore: the bytes of the dump). */
  totals?: Partial<Record<string, number>>;
}

export interface ProgressView {
  /** Shows one event. */
  (event: ProgressEvent): void;
  /** Ends the bars (the last state stays on screen); call it before printing anything else. */
  stop(): void;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const seconds = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);

/**
 * What a person follows while a long command runs. On a terminal (`style.bars`): an overall bar of the
 * plan's steps and, under it, a bar for the running step when its size is known (image pull, dump
 * restore, migrations), drawn by cli-progress, with a line above them per finished step. Elsewhere:
 * the same lines and nothing redrawn, so a log file or a pipe reads the same every time.
 */
export function progressView(o: ProgressViewOptions): ProgressView {
  const c = pc.createColors(o.style.colour);
  const lineOf = (e: ProgressEvent): string | undefined => {
    if (e.type === 'step') {
      const ms = 'ms' in e ? e.ms : undefined;
      const detail = e.detail ? ` (${e.detail})` : '';
      if (e.status === 'finished')
        return `  ${c.green('✓')} ${e.step.padEnd(18)} ${seconds(ms)}${detail}`.trimEnd();
      if (e.status === 'skipped') return `  ${c.dim('·')} ${e.step} (finished before)`;
      if (e.status === 'failed') return `  ${c.red('✗')} ${e.step.padEnd(18)} ${e.detail ?? ''}`.trimEnd();
      return undefined;
    }
    if (e.type === 'undo')
      return `  ${c.yellow('↶')} undo ${e.step}: ${e.status}${e.detail ? ` (${e.detail})` : ''}`;
    if (e.type === 'log') return e.level === 'warn' ? `    ${c.yellow(e.message)}` : `    ${e.message}`;
    if (e.type === 'warning') return `  ${c.yellow('warning:')} ${e.message}`;
    if (e.type === 'dump-written') return `    dump written: ${mb(e.bytes)}`;
    if (e.type === 'phase') return `${c.bold(e.phase)}${e.detail ? `: ${e.detail}` : ''}`;
    return undefined;
  };

  if (!o.style.bars) {
    const view = ((e: ProgressEvent) => {
      const line = lineOf(e);
      if (line !== undefined) o.write(`${line}\n`);
      // Migrations are few and each matters: one line each, even without a terminal.
      else if (e.type === 'progress' && 'phase' in e && e.phase === 'migrate' && 'detail' in e && e.detail)
        o.write(`    ${e.detail}\n`);
    }) as ProgressView;
    view.stop = () => undefined;
    return view;
  }

  const multi = new cliProgress.MultiBar(
    {
      stream: o.terminal ?? process.stdout,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      barsize: 28,
      fps: 10,
      // Ctrl-C: the bars end and the cursor comes back before the process goes.
      gracefulExit: true,
      format: `{label} ${c.cyan('{bar}')} {value}/{total} {detail}`,
    },
    cliProgress.Presets.shades_classic,
  );
  const unit = o.unit ?? 'steps';
  const total = Math.max(1, o.steps.length);
  const overall = multi.create(total, 0, { label: c.bold(o.title), detail: unit });
  const counted = new Set<string>();
  let phases = 0;
  const stepBars = new Map<string, cliProgress.SingleBar>();
  // A backup's verification restores the dump it just wrote: its size is the restore's total.
  const totals = { ...o.totals };
  let running = '';
  const endStepBar = (step: string) => {
    const bar = stepBars.get(step);
    if (bar) multi.remove(bar);
    stepBars.delete(step);
  };

  const view = ((e: ProgressEvent) => {
    const line = lineOf(e);
    if (line !== undefined) multi.log(`${line}\n`);
    if (e.type === 'dump-written') totals.restore = e.bytes;
    if (e.type === 'phase') {
      // The phase before it is over.
      overall.update(Math.min(phases++, total), { detail: `${unit} · ${e.phase}` });
    } else if (e.type === 'step') {
      if (e.status === 'started') {
        running = e.step;
        overall.update({ detail: `${unit} · ${e.step}` });
      } else {
        endStepBar(e.step);
        if (unit === 'steps' && o.steps.includes(e.step) && e.status !== 'failed') {
          counted.add(e.step);
          overall.update(counted.size, { detail: unit });
        }
      }
    } else if (e.type === 'progress') {
      const step = 'step' in e ? e.step : running;
      const current = 'bytes' in e ? e.bytes : e.current;
      const total = ('total' in e ? e.total : undefined) ?? totals[e.phase];
      const bytes = e.phase !== 'migrate';
      const said = bytes ? mb(current) : String(current);
      if (!total) {
        overall.update({ detail: `${unit} · ${step} ${e.phase} ${said}` });
        return;
      }
      const detail = bytes ? `of ${mb(total)}` : ('detail' in e && e.detail) || '';
      let bar = stepBars.get(step);
      if (!bar) {
        bar = multi.create(
          total,
          0,
          { label: `  ${step} ${e.phase}`, detail },
          {
            format: `{label} ${c.cyan('{bar}')} {percentage}% {detail}`,
          },
        );
        stepBars.set(step, bar);
      }
      if (bar.getTotal() !== total) bar.setTotal(total);
      bar.update(Math.min(current, total), { detail: bytes ? `${said} ${detail}` : detail });
    }
  }) as ProgressView;
  let stopped = false;
  view.stop = () => {
    if (!stopped) {
      // Lines logged since the last redraw are written by a redraw, which stop() does not do.
      multi.update();
      multi.stop();
    }
    stopped = true;
  };
  return view;
}
