import type { StepEvent } from '../execute/step';

export interface ProgressPrinterOptions {
  /** Where lines go. */
  write(text: string): void;
  /** Redraw the running step in place (a terminal); otherwise one line per finished step. */
  tty: boolean;
  columns?: number;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Turns runner events into what a person wants to follow: a line per finished step with its time, the
 * step's own messages, and on a terminal the running step with its progress, redrawn in place.
 */
export function progressPrinter(o: ProgressPrinterOptions): (e: StepEvent) => void {
  const width = Math.max(40, (o.columns ?? 100) - 1);
  let lastProgress = 0;
  const redraw = (text: string) => {
    if (o.tty) o.write(`\r${text.slice(0, width).padEnd(width)}`);
  };
  const done = (text: string) => o.write(o.tty ? `\r${text.padEnd(width)}\n` : `${text}\n`);
  return (e) => {
    if (e.type === 'step' && e.status === 'started') redraw(`  ▸ ${e.step}`);
    else if (e.type === 'step' && e.status === 'finished')
      done(`  ✓ ${e.step.padEnd(18)} ${((e.ms ?? 0) / 1000).toFixed(1)} s`);
    else if (e.type === 'step' && e.status === 'skipped') done(`  · ${e.step} (finished before)`);
    else if (e.type === 'step' && e.status === 'failed') done(`  ✗ ${e.step.padEnd(18)} ${e.detail ?? ''}`);
    else if (e.type === 'undo') done(`  ↶ undo ${e.step}: ${e.status}${e.detail ? ` (${e.detail})` : ''}`);
    else if (e.type === 'log') done(`    ${e.message}`);
    else if (e.type === 'progress' && (e.phase === 'migrate' || Date.now() - lastProgress > 200)) {
      lastProgress = Date.now();
      const what =
        e.phase === 'migrate'
          ? `${e.current}/${e.total} ${e.detail ?? ''}`
          : e.total
            ? `${mb(e.current)} of ${mb(e.total)}`
            : mb(e.current);
      redraw(`  ▸ ${e.step.padEnd(18)} ${e.phase} ${what}`);
      if (!o.tty && e.phase === 'migrate') o.write(`    ${e.detail ?? ''}\n`);
    }
  };
}
