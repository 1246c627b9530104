/**
 * The command line's answer to Ctrl-C and SIGTERM. The first asks the running command to stop the way
 * the library stops on an aborted signal (the unfinished part is undone, and the error says what was
 * left as it was); the second leaves at once, and `engram-upgrade recover` then finishes or undoes the
 * interrupted run.
 */
export function interruptOnSignals(
  say: (text: string) => void,
  leave: (code: number) => void = (code) => process.exit(code),
  target: Pick<NodeJS.Process, 'on' | 'off'> = process,
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      say(
        `\n${name} again: leaving now. Run engram-upgrade recover to finish or undo the interrupted run.\n`,
      );
      leave(130);
      return;
    }
    say(
      `\n${name}: stopping; what was started is being undone. Press Ctrl-C again to leave at once (engram-upgrade recover then finishes or undoes it).\n`,
    );
    controller.abort(new Error(`interrupted by ${name}`));
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      target.off('SIGINT', onSignal);
      target.off('SIGTERM', onSignal);
    },
  };
}
