import { describe, expect, it } from 'vitest';
import { type LogEvent, MigrationLogWatcher, parseLogLine } from '../../../src/migrations';

/** A line as LoggerJSON's Basic formatter writes it. */
function json(message: string, severity = 'info', metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({
    time: '2026-09-03T10:15:02.417Z',
    severity,
    message,
    metadata: {
      domain: ['elixir'],
      application: 'ecto_sql',
      mfa: 'Ecto.Migration.Runner.log/2',
      ...metadata,
    },
  });
}

const ADD_SLUG = 'Engram.Repo.Migrations.AddWorkspacesSlugExpand';
const SEARCH = 'Engram.Repo.Migrations.CreateNotesSearchExpand';

describe('parseLogLine', () => {
  it.each<[string, string, LogEvent]>([
    [
      'running up/0',
      json(`== Running 20260902100000 ${ADD_SLUG}.up/0`),
      { kind: 'running', version: '20260902100000', module: ADD_SLUG, op: 'up', direction: 'up' },
    ],
    [
      'running change/0 forward',
      json(`== Running 20260902100000 ${ADD_SLUG}.change/0 forward`),
      { kind: 'running', version: '20260902100000', module: ADD_SLUG, op: 'change', direction: 'up' },
    ],
    [
      'running change/0 backward',
      json(`== Running 20260902100000 ${ADD_SLUG}.change/0 backward`),
      { kind: 'running', version: '20260902100000', module: ADD_SLUG, op: 'change', direction: 'down' },
    ],
    [
      'running down/0',
      json(`== Running 20260817080100 Engram.Repo.Migrations.DropNotesLegacyBodyContract.down/0`),
      {
        kind: 'running',
        version: '20260817080100',
        module: 'Engram.Repo.Migrations.DropNotesLegacyBodyContract',
        op: 'down',
        direction: 'down',
      },
    ],
    [
      'migrated',
      json('== Migrated 20260902100000 in 0.0s'),
      { kind: 'migrated', version: '20260902100000', seconds: 0 },
    ],
    [
      'migrated, slow',
      json('== Migrated 20260817080000 in 12.4s'),
      { kind: 'migrated', version: '20260817080000', seconds: 12.4 },
    ],
    [
      'already up',
      json('Migrations already up', 'info', { mfa: 'Ecto.Migrator.run/4' }),
      { kind: 'already-up' },
    ],
    ['already down', json('Migrations already down'), { kind: 'already-down' }],
    [
      'endpoint',
      json('Access EngramWeb.Endpoint at http://localhost:4000', 'info', { application: 'engram' }),
      { kind: 'endpoint', url: 'http://localhost:4000' },
    ],
    [
      'a DDL line of the migrator',
      json('execute "ALTER TABLE workspaces ADD COLUMN slug text"'),
      { kind: 'log', severity: 'info', message: 'execute "ALTER TABLE workspaces ADD COLUMN slug text"' },
    ],
    [
      'an application warning',
      json('BootCanaryGuard: no canary found; provisioned one', 'warning', { application: 'engram' }),
      { kind: 'log', severity: 'warning', message: 'BootCanaryGuard: no canary found; provisioned one' },
    ],
    [
      'a Postgres crash',
      '** (Postgrex.Error) ERROR 42P07 (duplicate_table) relation "notes" already exists',
      {
        kind: 'crash',
        exception: 'Postgrex.Error',
        message: 'ERROR 42P07 (duplicate_table) relation "notes" already exists',
      },
    ],
    [
      'a raise from a down/0',
      '** (RuntimeError) drop_notes_legacy_body_contract is irreversible: restore the backup taken before upgrading',
      {
        kind: 'crash',
        exception: 'RuntimeError',
        message: 'drop_notes_legacy_body_contract is irreversible: restore the backup taken before upgrading',
      },
    ],
    [
      'an exit',
      '** (EXIT from #PID<0.94.0>) shutdown',
      { kind: 'crash', exception: 'EXIT from #PID<0.94.0>', message: 'shutdown' },
    ],
    [
      'a stack frame',
      '    (ecto_sql 3.14.0) lib/ecto/migration/runner.ex:370: Ecto.Migration.Runner.run/8',
      {
        kind: 'text',
        text: '    (ecto_sql 3.14.0) lib/ecto/migration/runner.ex:370: Ecto.Migration.Runner.run/8',
      },
    ],
    [
      'the entrypoint echo',
      '[entrypoint] ENGRAM_DB_RESET_BASELINE=true — running one-shot baseline reset',
      { kind: 'text', text: '[entrypoint] ENGRAM_DB_RESET_BASELINE=true — running one-shot baseline reset' },
    ],
    [
      'the env.sh warning',
      'rel/env.sh: WARNING no CPU quota readable; set BEAM_SCHEDULERS',
      { kind: 'text', text: 'rel/env.sh: WARNING no CPU quota readable; set BEAM_SCHEDULERS' },
    ],
    [
      'the dev text format',
      `10:15:02.417 [info] == Running 20260902100100 ${SEARCH}.change/0 forward`,
      { kind: 'running', version: '20260902100100', module: SEARCH, op: 'change', direction: 'up' },
    ],
    [
      'the dev text format with metadata',
      '10:15:03.001 request_id=F9x2 [info] GET /api/health',
      { kind: 'log', severity: 'info', message: 'GET /api/health' },
    ],
    [
      'the dev text format, migrated',
      '10:15:02.420 [info] == Migrated 20260902100100 in 0.1s',
      { kind: 'migrated', version: '20260902100100', seconds: 0.1 },
    ],
    ['a blank line', '', { kind: 'text', text: '' }],
    ['a brace that is not JSON', '{not json', { kind: 'text', text: '{not json' }],
    ['JSON that is not a log line', '{"status":"ok"}', { kind: 'text', text: '{"status":"ok"}' }],
  ])('%s', (_name, line, event) => {
    expect(parseLogLine(line)).toEqual(event);
  });

  it('ignores a trailing newline or carriage return', () => {
    expect(parseLogLine(`${json('Migrations already up')}\r\n`)).toEqual({ kind: 'already-up' });
    expect(parseLogLine('** (RuntimeError) boom\r')).toEqual({
      kind: 'crash',
      exception: 'RuntimeError',
      message: 'boom',
    });
  });

  it('keeps a structured message as JSON text', () => {
    const line = JSON.stringify({ time: 't', severity: 'error', message: { report: 'x' }, metadata: {} });
    expect(parseLogLine(line)).toEqual({ kind: 'log', severity: 'error', message: '{"report":"x"}' });
  });

  it('never throws on arbitrary input', () => {
    for (const line of ['\u0000', '** ', '** ()', '== Running', '{"message":', '🙂'.repeat(1000)]) {
      expect(() => parseLogLine(line)).not.toThrow();
    }
  });
});

/** One boot of the 1.0.1 image against a 1.0.0 database: the second new migration collides. */
const FAILED_BOOT = [
  'rel/env.sh: WARNING no CPU quota readable; set BEAM_SCHEDULERS',
  'rel/env.sh: WARNING no CPU quota readable; set BEAM_SCHEDULERS',
  json(`== Running 20260902100000 ${ADD_SLUG}.change/0 forward`),
  json('execute "ALTER TABLE workspaces ADD COLUMN slug text"'),
  json('== Migrated 20260902100000 in 0.0s'),
  json(`== Running 20260902100100 ${SEARCH}.change/0 forward`),
  json('execute "CREATE TABLE notes (id bigserial PRIMARY KEY)"'),
  '** (Postgrex.Error) ERROR 42P07 (duplicate_table) relation "notes" already exists',
  '    (ecto_sql 3.14.0) lib/ecto/migration/runner.ex: Ecto.Migration.Runner.run/8',
  '    (ecto_sql 3.14.0) lib/ecto/migrator.ex: Ecto.Migrator.run_maybe_in_transaction/5',
  '    (engram 1.0.1) lib/engram/release.ex: Engram.Release.migrate/0',
  '    (stdlib 6.2.2) erl_eval.erl:919: :erl_eval.do_apply/7',
];

describe('MigrationLogWatcher', () => {
  it('follows a successful boot: migrations, then the endpoint', () => {
    const w = new MigrationLogWatcher();
    const kinds = [
      json(`== Running 20260909100000 Engram.Repo.Migrations.AddNotesArchivedAtExpand.change/0 forward`),
      json('execute "ALTER TABLE notes ADD COLUMN archived_at timestamp(0)"'),
    ].flatMap((l) => w.push(l).map((e) => e.kind));
    expect(kinds).toEqual(['running', 'log']);
    expect(w.state()).toEqual({
      running: '20260909100000',
      migrated: [],
      reverted: [],
      failed: null,
      crashed: false,
    });
    w.push(json('== Migrated 20260909100000 in 0.0s'));
    w.push(json('Access EngramWeb.Endpoint at http://localhost:4000', 'info', { application: 'engram' }));
    expect(w.state()).toEqual({
      running: null,
      migrated: ['20260909100000'],
      reverted: [],
      failed: null,
      crashed: false,
    });
  });

  it('names the migration that was running when the crash was printed', () => {
    const w = new MigrationLogWatcher();
    for (const l of FAILED_BOOT) w.push(l);
    expect(w.state()).toEqual({
      running: null,
      migrated: ['20260902100000'],
      reverted: [],
      failed: {
        version: '20260902100100',
        exception: 'Postgrex.Error',
        message: 'ERROR 42P07 (duplicate_table) relation "notes" already exists',
      },
      crashed: true,
    });
  });

  it('keeps naming it through a crash loop, and clears it once that migration finishes', () => {
    const w = new MigrationLogWatcher();
    w.push(FAILED_BOOT.join('\n'));
    // restart: unless-stopped runs the entrypoint again; the first migration is already applied.
    w.push(FAILED_BOOT.slice(5).join('\n'));
    expect(w.state().failed?.version).toBe('20260902100100');
    expect(w.state().migrated).toEqual(['20260902100000']);
    w.push(
      `${json(`== Running 20260902100100 ${SEARCH}.change/0 forward`)}\n${json('== Migrated 20260902100100 in 0.0s')}\n`,
    );
    expect(w.state()).toMatchObject({ running: null, failed: null, crashed: true });
    expect(w.state().migrated).toEqual(['20260902100000', '20260902100100']);
  });

  it('records a crash outside any migration without blaming one', () => {
    const w = new MigrationLogWatcher();
    w.push(json('Migrations already up', 'info', { mfa: 'Ecto.Migrator.run/4' }));
    w.push('** (RuntimeError) Schema baseline check FAILED: terms_versions.id is integer, expected uuid.');
    w.push('    (engram 0.18.1) lib/engram/release.ex: Engram.Release.verify_schema_baseline/0');
    expect(w.state()).toEqual({ running: null, migrated: [], reverted: [], failed: null, crashed: true });
  });

  it('counts a rollback as reverted, and a raising down/0 as the failure', () => {
    const w = new MigrationLogWatcher();
    const events = w.push(
      [
        json(`== Running 20260902100100 ${SEARCH}.change/0 backward`),
        json('execute "DROP TABLE note_search"'),
        json('== Migrated 20260902100100 in 0.0s'),
        json('== Running 20260817080100 Engram.Repo.Migrations.DropNotesLegacyBodyContract.down/0'),
        '** (RuntimeError) drop_notes_legacy_body_contract is irreversible: restore the backup taken before upgrading',
      ].join('\n'),
    );
    expect(events.map((e) => e.kind)).toEqual(['running', 'log', 'migrated', 'running', 'crash']);
    expect(w.state()).toMatchObject({
      migrated: [],
      reverted: ['20260902100100'],
      failed: { version: '20260817080100', exception: 'RuntimeError' },
    });
  });

  it('hands out snapshots that later lines do not change', () => {
    const w = new MigrationLogWatcher();
    const before = w.state();
    w.push(FAILED_BOOT.join('\n'));
    expect(before).toEqual({ running: null, migrated: [], reverted: [], failed: null, crashed: false });
    const after = w.state();
    after.migrated.push('x');
    expect(w.state().migrated).toEqual(['20260902100000']);
  });

  it('returns one event per line of a chunk, and one for a single line without a newline', () => {
    const w = new MigrationLogWatcher();
    expect(w.push('a\nb\n')).toEqual([
      { kind: 'text', text: 'a' },
      { kind: 'text', text: 'b' },
    ]);
    expect(w.push('')).toEqual([{ kind: 'text', text: '' }]);
  });
});
