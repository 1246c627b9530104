/** `engram-upgrade --help` and `engram-upgrade <command> --help`: what each command takes, with an example. */

const OUTPUT = `  --json         print one JSON document (its schema: CLI_OUTPUT_SCHEMAS in the library)
  --debug        print stack traces with errors`;

const EVENTS = `  --events       print the run's events as NDJSON, one JSON object per line as they happen, the
                 last one {"type":"result","result":…}; nothing else goes to stdout`;

const KEY = `  --signing-key-file F | --signing-key-env NAME
                 the HMAC-SHA256 key for manifest.json: a file only you can read, or a variable`;

const NOTES = `  Release notes: Engram's GitHub releases by default (--releases-repo OWNER/NAME, --github-api-url
  URL, a token from GITHUB_TOKEN or GH_TOKEN, or --github-token-file F), or from a file:
  --changelog FILE (a release-please CHANGELOG.md) or --releases-json FILE (a saved releases API
  response); --offline refuses the network.`;

const EXIT_CODES = `Exit codes: 0 done; 1 failed (the message says what state the deployment is in); 2 bad input, nothing
changed; 3 refused before any change (stale plan, lock held, no image to pin, nothing to roll back, a
backup unsigned or changed since it was signed); 4 not confirmed (a no at the prompt, no terminal and
no --yes, a data-losing rollback without --accept-data-loss): nothing changed.`;

export const HELP: Record<string, string> = {
  status: `engram-upgrade status --project P [--state-dir D] [--json]

The running version, its image, where the compose files write it, applied migrations and the
upgrades recorded for rollback. Changes nothing.

${OUTPUT}

Example:
  engram-upgrade status --project engram --json
`,
  notes: `engram-upgrade notes [--changelog FILE | --releases-json FILE | --releases-repo OWNER/NAME] [--offline] [--json]

The release notes as the library reads them: breaking changes, env changes, version floors, upgrade
steps and what needs review.

${NOTES}
${OUTPUT}

Example:
  engram-upgrade notes --changelog CHANGELOG.md --json
`,
  plan: `engram-upgrade plan --project P [--changelog FILE | --releases-json FILE] [--to VERSION|latest]
                    [--backup-dir D] [--state-dir D] [--env NAME]... [--no-migrate-ahead] [--save FILE] [--json]

The dry run: the path from the running version, each hop's steps and how its migrations run.
Changes nothing; --save writes the plan for apply --plan.

  --env NAME     a value a release newly requires, read from this process's environment (never argv)
  --no-migrate-ahead  stop, then migrate, for every hop (never migrate ahead while the old version serves)
${NOTES}
${OUTPUT}

Example:
  engram-upgrade plan --project engram --releases-json releases.json --to 1.0.0 \\
      --backup-dir /var/backups/engram --save plan.json
`,
  apply: `engram-upgrade apply --project P --plan FILE [--env NAME]... [--resume continue|rollback]
                     [--allow-manual-steps] [--yes] [--json | --events]

Executes a reviewed plan (refused if the deployment changed since it was made), with a progress bar
per pull, backup and migration on a terminal.

${EVENTS}
${OUTPUT}

Example:
  engram-upgrade apply --project engram --plan plan.json --yes --events > upgrade.ndjson
`,
  rollback: `engram-upgrade rollback --project P [--hops N | --to-version V] [--state-dir D] [--accept-data-loss]
                        [--dry-run] [--yes] [--json | --events]

Undoes the newest recorded upgrades: an older image where the schema allows it, else a restore of
the backup taken before the hop (which loses later writes: --accept-data-loss).

${EVENTS}
${OUTPUT}

Example:
  engram-upgrade rollback --project engram --dry-run
`,
  recover: `engram-upgrade recover --project P [--resume continue|rollback] [--state-dir D] [--env NAME]...
                       [--accept-data-loss] [--dry-run] [--yes] [--json | --events]

Finds a run that was interrupted (killed, machine lost) and finishes or undoes it with the plan it
saved. Without --resume it only says what it found.

${EVENTS}
${OUTPUT}

Example:
  engram-upgrade recover --project engram --resume rollback --yes
`,
  backup: `engram-upgrade backup --project P --dir D [--mode online|quiesced] [--verify-level 1|2] [KEY]
                      [--dry-run] [--yes] [--json | --events]

Plans a backup, prints it and takes it (a quiesced one stops the app, after confirmation), then
verifies it.

${KEY}
${EVENTS}
${OUTPUT}

Example:
  engram-upgrade backup --project engram --dir /var/backups/engram --signing-key-file ~/.engram-backup.key
`,
  verify: `engram-upgrade verify --dir BACKUP (--project P | --postgres-image IMAGE) [--level 1|2] [KEY] [--json]

Checks a backup: checksums and archive (level 1), and a test restore compared table by table
(level 2); with a key, its signature.

${KEY}
${OUTPUT}

Example:
  engram-upgrade verify --project engram --dir /var/backups/engram/20260101T000000Z-ab12 --level 2
`,
  restore: `engram-upgrade restore --project P --dir BACKUP [KEY] [--keep-app-stopped] [--drop-previous]
                       [--migrate-forward] [--dry-run] [--yes] [--json | --events]

Replaces the deployment's database with a backup (restored beside it, then swapped in; the
replaced one is kept unless --drop-previous).

${KEY}
${EVENTS}
${OUTPUT}

Example:
  engram-upgrade restore --project engram --dir /var/backups/engram/20260101T000000Z-ab12 --dry-run
`,
  rehearse: `engram-upgrade rehearse --project P [--changelog FILE | --releases-json FILE] [--to VERSION|latest]
                        [--backup BACKUP_DIR] [--env NAME]... [--save FILE] [--json | --events]

Runs the path on a throwaway copy of the deployment (a fresh backup, or --backup, restored into
it), times every hop, tries each hop's rollback and removes the copy. The real deployment does not
change.

${NOTES}
${EVENTS}
${OUTPUT}

Example:
  engram-upgrade rehearse --project engram --changelog CHANGELOG.md --to latest --save rehearsal.json
`,
  testbed: `engram-upgrade testbed [--pull VERSION]... [--json]

Builds the test bed a downstream suite uses (engine, loopback registry, Postgres and Engram stand-in
images), or with --pull VERSION pulls those Engram versions from ENGRAM_UPGRADE_REGISTRY instead.

${OUTPUT}

Example:
  engram-upgrade testbed --pull 0.14.1 --pull 0.15.0
`,
};

export const USAGE = `engram-upgrade — safe upgrades of a self-hosted Engram deployment

Usage: engram-upgrade <command> [options]     (engram-upgrade <command> --help for one command)

  status    the running version, image, migrations and recorded upgrades
  notes     the release notes as read
  plan      the dry run: the path and its steps (--save for apply --plan)
  rehearse  the path on a throwaway copy, timed and rolled back
  apply     execute a saved plan
  rollback  undo the newest recorded upgrades
  recover   finish or undo an interrupted run
  backup    take a verified (optionally signed) backup
  verify    check a backup
  restore   replace the database with a backup
  testbed   prepare the test bed for a downstream test suite

Output: progress bars and colour on a terminal only, never with NO_COLOR set (TERM=dumb: none,
FORCE_COLOR=1: colour without a terminal); --json for one JSON document; --events for NDJSON events.
Secrets are never taken from the command line: --env NAME and --signing-key-env NAME read variables.

Example:
  engram-upgrade plan --project engram --releases-json releases.json --to 1.0.0 \\
      --backup-dir /var/backups/engram --save plan.json
  engram-upgrade apply --project engram --plan plan.json

${EXIT_CODES}
`;
