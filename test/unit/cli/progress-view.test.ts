import { describe, expect, it } from 'vitest';
import { progressView } from '../../../src/cli/progress';

const ESC = '\u001b';

function lines(colour: boolean) {
  const written: string[] = [];
  const view = progressView({
    write: (t) => written.push(t),
    style: { bars: false, colour },
    title: 'upgrade',
    steps: ['hop1.pull', 'hop1.watch', 'hop1.health'],
  });
  view({ type: 'step', step: 'hop1.pull', kind: 'pull', group: 'hop1', status: 'started' });
  view({ type: 'progress', step: 'hop1.pull', phase: 'pull', current: 5e6, total: 1e7 });
  view({ type: 'step', step: 'hop1.pull', kind: 'pull', group: 'hop1', status: 'finished', ms: 1234 });
  view({
    type: 'progress',
    step: 'hop1.watch',
    phase: 'migrate',
    current: 1,
    total: 2,
    detail: 'migrated 20240101000000 in 0.1s',
  });
  view({ type: 'log', step: 'hop1.watch', level: 'warn', message: 'slow' });
  view({ type: 'step', step: 'dump', status: 'finished', detail: '3.2 MB' });
  view({ type: 'progress', phase: 'dump', bytes: 100 });
  view({ type: 'warning', message: 'left behind' });
  view({
    type: 'step',
    step: 'hop1.health',
    kind: 'health',
    group: 'hop1',
    status: 'failed',
    detail: 'no answer',
  });
  view.stop();
  return written.join('');
}

describe('progressView without a terminal: stable lines, nothing redrawn', () => {
  it('a line per finished step, warning and migration; no carriage returns, no escape codes', () => {
    expect(lines(false)).toBe(
      [
        '  ✓ hop1.pull          1.2 s',
        '    migrated 20240101000000 in 0.1s',
        '    slow',
        '  ✓ dump                (3.2 MB)',
        '  warning: left behind',
        '  ✗ hop1.health        no answer',
        '',
      ].join('\n'),
    );
  });

  it('colour only when asked for (FORCE_COLOR on a pipe), the same lines otherwise', () => {
    const coloured = lines(true);
    expect(coloured).toContain(ESC);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequence is what is removed
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(lines(false));
  });
});
