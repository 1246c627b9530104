/** What the person's terminal gets: redrawn progress bars, colour, both or neither. */
export interface TerminalStyle {
  /** Progress bars redrawn in place; otherwise one stable line per event worth a line. */
  bars: boolean;
  /** ANSI colour in what the command prints. */
  colour: boolean;
}

export interface TerminalFacts {
  /** Standard output is a terminal. */
  stdoutTty: boolean;
  env: NodeJS.ProcessEnv;
  /** `--json` or `--events`: standard output is data for a program, never decorated. */
  machineOutput?: boolean;
}

/**
 * Decides the style the common way (https://no-color.org, FORCE_COLOR as Node and most tools read
 * it): `NO_COLOR` with any non-empty value turns colour and bars off whatever else is set; `TERM=dumb`
 * turns both off (such a terminal cannot redraw a line); `FORCE_COLOR` (unset, `0` or `false` mean
 * no) turns colour on where stdout is not a terminal, and `FORCE_COLOR=0` turns it off on one. Bars
 * need a terminal whatever `FORCE_COLOR` says: a file or a pipe gets lines it can keep.
 */
export function terminalStyle(facts: TerminalFacts): TerminalStyle {
  const { env } = facts;
  if (facts.machineOutput || (env.NO_COLOR ?? '') !== '' || env.TERM === 'dumb') {
    return { bars: false, colour: false };
  }
  const force = env.FORCE_COLOR;
  const forced = force === undefined ? undefined : !(force === '0' || force.toLowerCase() === 'false');
  return { bars: facts.stdoutTty, colour: forced ?? facts.stdoutTty };
}
