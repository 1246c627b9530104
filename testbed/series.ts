/**
 * The test series: every Engram stand-in version the test bed builds, declared in one place.
 * Each image contains the migrations of its own release and of every earlier one, like a real release.
 * Release-notes fixtures (test/fixtures/releases/) describe the same series in the real formats.
 */

export type Phase = 'expand' | 'migrate-data' | 'contract';

export interface MigrationDecl {
  /** 14-digit Ecto version. */
  version: string;
  /** File slug; the module name is its CamelCase form. */
  slug: string;
  /** How the file annotates its phase (real files do it in several ways; see ENGRAM.md §3). */
  phase?: { name: Phase; style: 'dash' | 'colon' | 'moduledoc'; note: string };
  /** `# rollback-irreversible` at the top of the file and a `down/0` that raises. */
  irreversible?: boolean;
  disableDdlTransaction?: boolean;
  up: string[];
  /** Statements of `down/0`; omitted when irreversible. */
  down?: string[];
  /** The statements later releases ship after the file was fixed (a migration that failed in its release). */
  fixedUp?: string[];
}

export interface ReleaseDecl {
  version: string;
  /** Short commit sha the release was built from; the image is also tagged with it. */
  sha: string;
  date: string;
  /** What this release is in the series for. */
  purpose: string;
  migrations: MigrationDecl[];
  /** Variables this version refuses to boot without (checked while runtime config loads, before migrations). */
  requiredEnv?: string[];
  /** Variables this version no longer reads. */
  renamedEnv?: { from: string; to: string }[];
  /** An error raised while the application starts, after migrations succeeded (a crash loop). */
  startFailure?: string;
  /** `Engram.Release.Preflight.run()` works over rpc from this release on. */
  preflightRpc: boolean;
  /**
   * A migration an existing database must already have before this release migrates it: the release
   * is only reachable through an earlier one (a required intermediate stop). A fresh database is fine.
   */
  requiresApplied?: { version: string; message: string };
}

const baseline: MigrationDecl = {
  version: '20260602000000',
  slug: 'baseline',
  irreversible: true,
  up: [
    'CREATE TABLE terms_versions (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), label text NOT NULL, inserted_at timestamp(0) NOT NULL DEFAULT now())',
    'CREATE TABLE users (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text NOT NULL UNIQUE, inserted_at timestamp(0) NOT NULL DEFAULT now())',
    "CREATE TABLE notes (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE, title text NOT NULL, body text NOT NULL DEFAULT '', legacy_body text, inserted_at timestamp(0) NOT NULL DEFAULT now())",
    'ALTER TABLE notes ENABLE ROW LEVEL SECURITY',
    'ALTER TABLE notes FORCE ROW LEVEL SECURITY',
    "CREATE POLICY notes_tenant ON notes USING (user_id::text = current_setting('app.current_tenant', true))",
    'CREATE TABLE system_canaries (id bigserial PRIMARY KEY, nonce text NOT NULL, check_value text NOT NULL, inserted_at timestamp(0) NOT NULL DEFAULT now())',
  ],
};

export const SERIES: ReleaseDecl[] = [
  {
    version: '0.14.0',
    sha: '3f1c2a9',
    date: '2026-08-06',
    purpose: 'starting point: baseline schema',
    preflightRpc: false,
    migrations: [
      baseline,
      {
        version: '20260715090000',
        slug: 'add_notes_tags_expand',
        phase: { name: 'expand', style: 'dash', note: 'nullable column, no backfill' },
        up: ['ALTER TABLE notes ADD COLUMN tags text[]'],
        down: ['ALTER TABLE notes DROP COLUMN tags'],
      },
    ],
  },
  {
    version: '0.14.1',
    sha: '8d04e71',
    date: '2026-08-08',
    purpose: 'plain patch: no migrations',
    preflightRpc: false,
    migrations: [],
  },
  {
    version: '0.15.0',
    sha: 'b7e9f30',
    date: '2026-08-09',
    purpose: 'reversible schema change: two migrations, both with a down',
    preflightRpc: false,
    migrations: [
      {
        version: '20260808100000',
        slug: 'create_note_links_expand',
        phase: { name: 'expand', style: 'colon', note: 'new table, nothing reads it yet' },
        up: [
          'CREATE TABLE note_links (id bigserial PRIMARY KEY, source_id uuid NOT NULL REFERENCES notes(id) ON DELETE CASCADE, target_id uuid NOT NULL REFERENCES notes(id) ON DELETE CASCADE)',
          'CREATE INDEX note_links_source_id_index ON note_links (source_id)',
        ],
        down: ['DROP INDEX note_links_source_id_index', 'DROP TABLE note_links'],
      },
      {
        version: '20260808100100',
        slug: 'add_notes_pinned_expand',
        phase: { name: 'expand', style: 'moduledoc', note: 'adds the pinned flag with a default' },
        disableDdlTransaction: true,
        up: ['ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false'],
        down: ['ALTER TABLE notes DROP COLUMN pinned'],
      },
    ],
  },
  {
    version: '0.15.1',
    sha: 'c2a5d18',
    date: '2026-08-12',
    purpose: 'plain patch; Preflight works over rpc from here on',
    preflightRpc: true,
    migrations: [],
  },
  {
    version: '0.16.0',
    sha: '5e6f0b2',
    date: '2026-08-15',
    purpose:
      'env var rename: REGISTRATION_ENABLED is no longer read; ENGRAM_DEFAULT_REGISTRATION_MODE is required',
    preflightRpc: true,
    requiredEnv: ['ENGRAM_DEFAULT_REGISTRATION_MODE'],
    renamedEnv: [{ from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE' }],
    migrations: [
      {
        version: '20260814120000',
        slug: 'add_users_registration_mode_expand',
        phase: { name: 'expand', style: 'dash', note: 'per-user registration mode' },
        up: ["ALTER TABLE users ADD COLUMN registration_mode text NOT NULL DEFAULT 'invite_only'"],
        down: ['ALTER TABLE users DROP COLUMN registration_mode'],
      },
    ],
  },
  {
    version: '0.17.0',
    sha: '91ab4c7',
    date: '2026-08-18',
    purpose: 'one-way migration: drops notes.legacy_body (down raises)',
    preflightRpc: true,
    migrations: [
      {
        version: '20260817080000',
        slug: 'add_notes_checksum_expand',
        phase: { name: 'expand', style: 'dash', note: 'checksum column for sync' },
        up: ['ALTER TABLE notes ADD COLUMN checksum text', 'UPDATE notes SET checksum = md5(body)'],
        down: ['ALTER TABLE notes DROP COLUMN checksum'],
      },
      {
        version: '20260817080100',
        slug: 'drop_notes_legacy_body_contract',
        phase: { name: 'contract', style: 'dash', note: 'the v1 body copy is gone for good' },
        irreversible: true,
        up: ['ALTER TABLE notes DROP COLUMN legacy_body'],
      },
    ],
  },
  {
    version: '0.18.0',
    sha: 'e03d7a5',
    date: '2026-08-20',
    purpose: 'required intermediate stop: only from the 0.17 line',
    preflightRpc: true,
    requiresApplied: {
      version: '20260817080100',
      message:
        'this release upgrades databases from the 0.17 schema only (migration 20260817080100 is not applied); upgrade to 0.17.x first',
    },
    migrations: [
      {
        version: '20260819150000',
        slug: 'create_note_revisions_expand',
        phase: { name: 'expand', style: 'colon', note: 'revision history table' },
        up: [
          'CREATE TABLE note_revisions (id bigserial PRIMARY KEY, note_id uuid NOT NULL REFERENCES notes(id) ON DELETE CASCADE, body text NOT NULL, inserted_at timestamp(0) NOT NULL DEFAULT now())',
        ],
        down: ['DROP TABLE note_revisions'],
      },
    ],
  },
  {
    version: '0.18.1',
    sha: '4b8e2f6',
    date: '2026-08-21',
    purpose: 'plain patch: the last of the 0.18 line',
    preflightRpc: true,
    migrations: [],
  },
  {
    version: '1.0.0',
    sha: 'a61f9d3',
    date: '2026-09-01',
    purpose: 'major with an "Upgrade from 0.18 to 1.0" section; requires ENGRAM_INSTANCE_NAME',
    preflightRpc: true,
    requiresApplied: {
      version: '20260819150000',
      message:
        'Engram 1.0 upgrades databases from the 0.18 schema only (migration 20260819150000 is not applied); upgrade to 0.18.x first',
    },
    requiredEnv: ['ENGRAM_DEFAULT_REGISTRATION_MODE', 'ENGRAM_INSTANCE_NAME'],
    migrations: [
      {
        version: '20260830100000',
        slug: 'create_workspaces_expand',
        phase: { name: 'expand', style: 'dash', note: 'workspaces own notes from 1.0' },
        up: [
          'CREATE TABLE workspaces (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL, inserted_at timestamp(0) NOT NULL DEFAULT now())',
          'ALTER TABLE notes ADD COLUMN workspace_id uuid REFERENCES workspaces(id)',
        ],
        down: ['ALTER TABLE notes DROP COLUMN workspace_id', 'DROP TABLE workspaces'],
      },
    ],
  },
  {
    version: '1.0.1',
    sha: 'd95c0e8',
    date: '2026-09-03',
    purpose: 'a migration fails on boot: the first new one commits, the second hits duplicate_table',
    preflightRpc: true,
    requiredEnv: ['ENGRAM_DEFAULT_REGISTRATION_MODE', 'ENGRAM_INSTANCE_NAME'],
    migrations: [
      {
        version: '20260902100000',
        slug: 'add_workspaces_slug_expand',
        phase: { name: 'expand', style: 'dash', note: 'slug for workspace URLs' },
        up: ['ALTER TABLE workspaces ADD COLUMN slug text'],
        down: ['ALTER TABLE workspaces DROP COLUMN slug'],
      },
      {
        version: '20260902100100',
        slug: 'create_notes_search_expand',
        phase: { name: 'expand', style: 'dash', note: 'search table (collides with an existing name)' },
        up: ['CREATE TABLE notes (id bigserial PRIMARY KEY)'],
        fixedUp: ['CREATE TABLE note_search (id bigserial PRIMARY KEY, note_id uuid NOT NULL)'],
        down: ['DROP TABLE note_search'],
      },
    ],
  },
  {
    version: '1.1.0',
    sha: '7c3b5a1',
    date: '2026-09-10',
    purpose: 'never becomes healthy: migrations succeed, then the application fails to start',
    preflightRpc: true,
    requiredEnv: ['ENGRAM_DEFAULT_REGISTRATION_MODE', 'ENGRAM_INSTANCE_NAME'],
    startFailure: 'could not start Engram.Search.Supervisor: shutdown: failed_to_start_child',
    migrations: [
      {
        version: '20260909100000',
        slug: 'add_notes_archived_at_expand',
        phase: { name: 'expand', style: 'dash', note: 'soft archive' },
        up: ['ALTER TABLE notes ADD COLUMN archived_at timestamp(0)'],
        down: ['ALTER TABLE notes DROP COLUMN archived_at'],
      },
    ],
  },
];

/** The stop requirement an image enforces: the newest one declared by its release or an earlier one. */
export function effectiveRequirement(version: string): ReleaseDecl['requiresApplied'] {
  const idx = SERIES.findIndex((r) => r.version === version);
  return SERIES.slice(0, idx + 1)
    .reverse()
    .find((r) => r.requiresApplied)?.requiresApplied;
}

export function releaseDecl(version: string): ReleaseDecl {
  const found = SERIES.find((r) => r.version === version);
  if (!found)
    throw new Error(
      `version ${version} is not in the test series (${SERIES.map((r) => r.version).join(', ')})`,
    );
  return found;
}

/**
 * Every migration shipped in `version` or earlier, in version order, as that release's image has them:
 * a migration fixed after its own release carries the fixed statements in later images.
 */
export function migrationsUpTo(version: string): MigrationDecl[] {
  const idx = SERIES.findIndex((r) => r.version === version);
  if (idx < 0) throw new Error(`version ${version} is not in the test series`);
  return SERIES.slice(0, idx + 1)
    .flatMap((r, i) => r.migrations.map((m) => (i < idx && m.fixedUp ? { ...m, up: m.fixedUp } : m)))
    .sort((a, b) => a.version.localeCompare(b.version));
}
