import { describe, expect, it } from 'vitest';
import { terminalStyle } from '../../../src/cli/terminal-style';

const tty = (env: NodeJS.ProcessEnv, machineOutput = false) =>
  terminalStyle({ stdoutTty: true, env, machineOutput });
const pipe = (env: NodeJS.ProcessEnv) => terminalStyle({ stdoutTty: false, env });

describe('terminalStyle: bars and colour only where a person reads a terminal', () => {
  it('a terminal gets both; a pipe or a file gets neither', () => {
    expect(tty({ TERM: 'xterm-256color' })).toEqual({ bars: true, colour: true });
    expect(pipe({ TERM: 'xterm-256color' })).toEqual({ bars: false, colour: false });
  });

  it('NO_COLOR with any non-empty value turns both off, whatever FORCE_COLOR says; empty is unset', () => {
    for (const value of ['1', '0', 'false', 'yes', ' ']) {
      expect(tty({ NO_COLOR: value })).toEqual({ bars: false, colour: false });
      expect(tty({ NO_COLOR: value, FORCE_COLOR: '1' })).toEqual({ bars: false, colour: false });
      expect(pipe({ NO_COLOR: value, FORCE_COLOR: '3' })).toEqual({ bars: false, colour: false });
    }
    expect(tty({ NO_COLOR: '' })).toEqual({ bars: true, colour: true });
  });

  it('TERM=dumb cannot redraw a line or show colour', () => {
    expect(tty({ TERM: 'dumb' })).toEqual({ bars: false, colour: false });
    expect(tty({ TERM: 'dumb', FORCE_COLOR: '1' })).toEqual({ bars: false, colour: false });
  });

  it('FORCE_COLOR turns colour on without a terminal (never bars), and 0 or false turns it off on one', () => {
    for (const value of ['1', '2', '3', 'true', '']) {
      expect(pipe({ FORCE_COLOR: value })).toEqual({ bars: false, colour: true });
    }
    expect(tty({ FORCE_COLOR: '0' })).toEqual({ bars: true, colour: false });
    expect(tty({ FORCE_COLOR: 'false' })).toEqual({ bars: true, colour: false });
    expect(pipe({ FORCE_COLOR: '0' })).toEqual({ bars: false, colour: false });
  });

  it('--json and --events output is never decorated, even on a terminal with FORCE_COLOR', () => {
    expect(tty({ FORCE_COLOR: '1' }, true)).toEqual({ bars: false, colour: false });
  });
});
