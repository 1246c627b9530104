#!/usr/bin/env node
/**
 * engram-upgrade command line. A thin shell over the library: every command prints a plan first.
 */
const USAGE = `engram-upgrade — safe upgrades of a self-hosted Engram deployment

Usage:
  engram-upgrade --help       show this help
  engram-upgrade --version    print the version

Commands (plan, backup, upgrade, rollback) arrive with the library primitives they wrap.
`;

function main(argv: string[]): number {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '--version') {
    process.stdout.write(`${process.env.npm_package_version ?? '0.1.0'}\n`);
    return 0;
  }
  process.stderr.write(
    `engram-upgrade: unknown command '${first.slice(0, 40)}'. Nothing was changed. Run engram-upgrade --help for the commands.\n`,
  );
  return 2;
}

process.exitCode = main(process.argv.slice(2));
