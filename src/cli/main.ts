#!/usr/bin/env node
/**
 * engram-upgrade command line: a thin shell over the library. Every command that changes something
 * prints its plan and asks first (or takes --yes); `plan --save` and `apply --plan` split review from
 * execution.
 */
import { createInterface } from 'node:readline/promises';
import { backupCommand, restoreCommand, verifyCommand } from './backup-commands';
import { type CliIo, EXIT, reportError } from './cli-output';
import { HELP, USAGE } from './command-help';
import { applyCommand, planCommand, recoverCommand, rollbackCommand, statusCommand } from './commands';
import { interruptOnSignals } from './interrupt';
import { notesCommand } from './notes-command';
import { rehearseCommand } from './rehearse-command';
import { testbedCommand } from './testbed-command';

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  status: statusCommand,
  notes: notesCommand,
  rehearse: rehearseCommand,
  plan: planCommand,
  apply: applyCommand,
  rollback: rollbackCommand,
  recover: recoverCommand,
  backup: backupCommand,
  verify: verifyCommand,
  restore: restoreCommand,
  testbed: testbedCommand,
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP[first] ?? USAGE);
    return EXIT.ok;
  }
  if (first === '--version') {
    process.stdout.write(`${process.env.npm_package_version ?? '0.1.0'}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[first];
  if (!command) {
    process.stderr.write(
      `engram-upgrade: unknown command '${first.slice(0, 40)}'. Nothing was changed. Run engram-upgrade --help for the commands.\n`,
    );
    return EXIT.usage;
  }
  const stdoutTty = process.stdout.isTTY === true;
  const tty = stdoutTty && process.stdin.isTTY === true;
  const io: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    tty,
    stdoutTty,
    terminal: stdoutTty ? process.stdout : undefined,
    env: process.env,
    ask: tty
      ? async (q) => {
          // On stderr: stdout may be a --json document or --events being read by a program.
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(q);
          } finally {
            rl.close();
          }
        }
      : undefined,
  };
  const interrupt = interruptOnSignals(io.err);
  io.signal = interrupt.signal;
  try {
    return await command(rest, io);
  } catch (err) {
    return reportError(io, err, rest.includes('--debug'));
  } finally {
    interrupt.dispose();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
