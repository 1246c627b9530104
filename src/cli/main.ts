#!/usr/bin/env node
/**
 * engram-upgrade command line: a thin shell over the library. Every command that changes something
 * prints its plan and asks first (or takes --yes); `plan --save` and `apply --plan` split review from
 * execution.
 */
import { createInterface } from 'node:readline/promises';
import { backupCommand, restoreCommand, verifyCommand } from './backup-commands';
import { type CliIo, EXIT, reportError } from './cli-output';
import { applyCommand, planCommand, recoverCommand, rollbackCommand, statusCommand } from './commands';
import { notesCommand } from './notes-command';
import { rehearseCommand } from './rehearse-command';
import { testbedCommand } from './testbed-command';

const USAGE = `engram-upgrade — safe upgrades of a self-hosted Engram deployment

Usage:
  engram-upgrade status   --project P [--state-dir D] [--json]
  engram-upgrade notes    --releases-json FILE | --changelog FILE [--json]
  engram-upgrade rehearse --project P --releases-json FILE | --changelog FILE [--to VERSION|latest]
                          [--backup BACKUP_DIR] [--env NAME]... [--save FILE] [--json]
  engram-upgrade plan     --project P --releases-json FILE | --changelog FILE [--to VERSION|latest]
                          [--backup-dir D] [--state-dir D] [--env NAME]... [--offline] [--save FILE] [--json]
  engram-upgrade apply    --project P --plan FILE [--env NAME]... [--resume continue|rollback]
                          [--allow-manual-steps] [--yes] [--json]
  engram-upgrade rollback --project P [--hops N | --to-version V] [--state-dir D] [--accept-data-loss]
                          [--dry-run] [--yes] [--json]
  engram-upgrade recover  --project P [--resume continue|rollback] [--state-dir D] [--env NAME]...
                          [--accept-data-loss] [--dry-run] [--yes] [--json]
  engram-upgrade backup   --project P --dir D [--mode online|quiesced] [--verify-level 1|2] [KEY]
                          [--dry-run] [--yes] [--json]
  engram-upgrade verify   --dir BACKUP (--project P | --postgres-image IMAGE) [--level 1|2] [KEY] [--json]
  engram-upgrade restore  --project P --dir BACKUP [KEY] [--keep-app-stopped] [--drop-previous]
                          [--migrate-forward] [--dry-run] [--yes] [--json]
  engram-upgrade testbed  [--pull VERSION]... [--json]

  --env NAME     a value a release newly requires, read from this process's environment (never argv)
  --offline      never migrate ahead while the old version serves
  --pull VERSION testbed: pull these Engram versions (ENGRAM_UPGRADE_REGISTRY) instead of building
                 the test bed (engine, loopback registry, Postgres and Engram stand-in images)
  KEY            --signing-key-file F (a file only you can read) or --signing-key-env NAME: backup signs
                 manifest.json with HMAC-SHA256; verify and restore refuse an unsigned or changed
                 backup. Without one, verify and restore warn that the backup is unauthenticated
  --debug        print stack traces with errors

Example:
  engram-upgrade plan --project engram --releases-json releases.json --to 1.0.0 \\
      --backup-dir /var/backups/engram --save plan.json
  engram-upgrade apply --project engram --plan plan.json

Exit codes: 0 done; 1 failed (the message says what state the deployment is in); 2 bad input, nothing
changed; 3 refused before any change (stale plan, lock held, no image to pin, nothing to roll back, a
backup unsigned or changed since it was signed);
4 not confirmed (a no at the prompt, no terminal and no --yes, a data-losing rollback without
--accept-data-loss): nothing changed.
`;

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
  if (first === undefined || first === '--help' || first === '-h' || rest.includes('--help')) {
    process.stdout.write(USAGE);
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
  const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  const io: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    tty,
    columns: process.stdout.columns,
    env: process.env,
    ask: tty
      ? async (q) => {
          const rl = createInterface({ input: process.stdin, output: process.stdout });
          try {
            return await rl.question(q);
          } finally {
            rl.close();
          }
        }
      : undefined,
  };
  try {
    return await command(rest, io);
  } catch (err) {
    return reportError(io, err, rest.includes('--debug'));
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
