import { createHash, randomBytes } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackupResult,
  backup,
  executeBackup,
  executeRestore,
  restore,
  verifyBackup,
} from '../../../src/backup';
import { type Deployment, openDeployment } from '../../../src/deployment/deployment';
import { type EngramStack, startEngramStack } from '../../../src/testing';
import { upgradeFailure as failure } from '../../upgrade-failure';
import { tempDir } from '../temp-dir';
import { dumpCopies } from './dump-copies';

/** The directory-format backup is signed with this key (an environment variable of this process). */
const KEY_VAR = 'ENGRAM_UPGRADE_FORMATS_TEST_KEY';

/** Every format and compression the default bed (Postgres 18) supports. */
const CASES = [
  { format: 'custom', compression: 'gzip' },
  { format: 'custom', compression: 'zstd' },
  { format: 'custom', compression: 'lz4' },
  { format: 'directory', compression: 'zstd' },
] as const;
type Case = (typeof CASES)[number];
const label = (c: Case) => `${c.format} ${c.compression}`;

// One stack for the whole file: every backup, verification and restore below runs on it in turn.
let stack: EngramStack;
let dep: Deployment;
const taken = new Map<string, BackupResult>();

beforeAll(async () => {
  process.env[KEY_VAR] = randomBytes(32).toString('hex');
  stack = await startEngramStack({ version: '0.15.0' });
  dep = await openDeployment({ project: stack.projectName });
  // The app stays stopped: restores then neither stop nor start it, which keeps the file's CPU low.
  await stack.compose(['stop', 'engram']);
});

afterAll(async () => {
  delete process.env[KEY_VAR];
  await stack?.[Symbol.asyncDispose]();
});

async function count(table: string): Promise<number> {
  return Number((await stack.query(`SELECT count(*) FROM ${table}`))[0]![0]);
}

async function databaseOid(): Promise<string> {
  return (await stack.query("SELECT oid::text FROM pg_database WHERE datname = 'engram'"))[0]![0]!;
}

/** Copies of a backup left in the Postgres container's /tmp, joined (empty: none). */
async function copiesInContainer(): Promise<string> {
  return (await dumpCopies(stack)).join(' ');
}

/** A copy of the directory-format backup, to change without touching the original. */
function copyOfDirectoryBackup(): string {
  const copy = join(tempDir('engram-formats-copy-'), 'backup');
  cpSync(taken.get('directory zstd')!.path, copy, { recursive: true });
  return copy;
}

describe('backup formats', () => {
  it.each(CASES)('backs up as $format with $compression, verified at level 2 while taken', async (c) => {
    const dir = tempDir('engram-formats-');
    if (c.format === 'directory') {
      // What a killed directory dump leaves in the container: the next one removes it first.
      const hash = createHash('sha256').update('pg_dump of engram').digest('hex').slice(0, 12);
      const leftover = `/tmp/engram-upgrade-${hash}.killedRun`;
      const made = await stack.exec('postgres', [
        'sh',
        '-c',
        'mkdir -p "$1/db.dir" && echo x > "$1/db.dir/toc.dat"',
        'sh',
        leftover,
      ]);
      expect(made.exitCode).toBe(0);
      expect(await copiesInContainer()).toBe(leftover);
    }
    const plan = await backup(dep, {
      dir,
      verifyLevel: 2,
      format: c.format,
      compression: c.compression,
      // Signed: the signature covers the manifest, whose checksums cover every file of the dump directory.
      signingKey: c.format === 'directory' ? { env: KEY_VAR } : undefined,
    });
    expect(plan).toMatchObject({ format: c.format, compression: c.compression });
    expect(plan.formatReason).toContain(`the ${c.format} format was asked for`);
    const result = await executeBackup(dep, plan);
    taken.set(label(c), result);

    const m = result.manifest;
    expect(m).toMatchObject({ format: c.format, compression: c.compression, verifiedLevel: 2 });
    expect(m.tables['public.notes']).toBe(30);
    expect(JSON.parse(readFileSync(join(result.path, 'manifest.json'), 'utf8'))).toEqual(m);
    if (c.format === 'custom') {
      expect(m.jobs).toBe(1);
      expect(m.files.map((f) => f.name)).toEqual(['db.dump']);
    } else {
      expect(m.jobs).toBe(plan.jobs);
      expect(plan.jobs).toBeGreaterThanOrEqual(1);
      // Every file of the dump directory is listed, and nothing else is there.
      const onDisk = readdirSync(join(result.path, 'db.dir')).sort();
      expect(m.files.map((f) => f.name)).toEqual(onDisk.map((n) => `db.dir/${n}`));
      expect(onDisk).toContain('toc.dat');
      expect(onDisk.filter((n) => /^\d+\.dat\.zst$/.test(n)).length).toBeGreaterThan(4);
      expect(statSync(join(result.path, 'db.dir')).mode & 0o777).toBe(0o700);
      for (const n of onDisk) expect(statSync(join(result.path, 'db.dir', n)).mode & 0o777).toBe(0o600);
      for (const f of m.files) expect(statSync(join(result.path, f.name)).size).toBe(f.bytes);
    }
    expect(readdirSync(result.path).sort()).toEqual(
      c.format === 'custom' ? ['db.dump', 'manifest.json'] : ['db.dir', 'manifest.json', 'manifest.sig'],
    );
    // The dump's copy in the Postgres container (and the listed toc) are gone.
    expect(await copiesInContainer()).toBe('');
  });

  it('verifies the directory-format backup at level 2 on its own', async () => {
    const report = await verifyBackup(taken.get('directory zstd')!.path, {
      level: 2,
      deployment: dep,
      signingKey: { env: KEY_VAR },
    });
    expect(report.authenticity).toMatchObject({ authenticated: true });
    expect(report.archiveEntries).toBeGreaterThan(10);
    expect(report.tablesCompared).toBeGreaterThan(4);
    expect(await copiesInContainer()).toBe('');
  });

  it('restores every backup: the row counts are the ones its manifest records', async () => {
    // A row the backups do not have: each restore must take it away again.
    await stack.query("INSERT INTO users (email) VALUES ('after-the-backups@example.test')");
    for (const c of CASES) {
      const result = taken.get(label(c))!;
      const plan = await restore(result.path, dep, { keepPrevious: false });
      await executeRestore(dep, plan);
      for (const [table, rows] of Object.entries(result.manifest.tables)) {
        expect(await count(table), `${label(c)}: ${table}`).toBe(rows);
      }
      await stack.query("INSERT INTO users (email) VALUES ('after-the-backups@example.test')");
    }
    expect(await copiesInContainer()).toBe('');
  });

  it('refuses a directory backup whose table file changed, before or after the restore was planned', async () => {
    const users = await count('users');
    const oid = await databaseOid();
    const tamper = (dir: string) => {
      const m = taken.get('directory zstd')!.manifest;
      // The largest table file: the notes' data.
      const largest = [...m.files].sort((a, b) => b.bytes - a.bytes)[0]!;
      const path = join(dir, largest.name);
      const bytes = readFileSync(path);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
      writeFileSync(path, bytes);
    };

    const before = copyOfDirectoryBackup();
    tamper(before);
    expect((await failure(verifyBackup(before, { level: 1, deployment: dep }))).code).toBe('BACKUP_CORRUPT');
    expect((await failure(restore(before, dep))).code).toBe('BACKUP_CORRUPT');

    const after = copyOfDirectoryBackup();
    const plan = await restore(after, dep, { keepPrevious: false });
    tamper(after);
    const err = await failure(executeRestore(dep, plan));
    expect(err.code).toBe('RESTORE_FAILED');
    expect(err.causeCode).toBe('BACKUP_CORRUPT');
    expect(err.message).toContain('BACKUP_CORRUPT');

    expect(await count('users')).toBe(users);
    expect(await databaseOid()).toBe(oid);
    const left = await stack.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'engram\\_%'");
    expect(left[0]![0]).toBe('0');
    expect(await copiesInContainer()).toBe('');
  });

  it('refuses a directory backup with a file its manifest does not list, or without one it lists', async () => {
    const users = await count('users');
    const extra = copyOfDirectoryBackup();
    const toc = readFileSync(join(extra, 'db.dir', 'toc.dat'));
    writeFileSync(join(extra, 'db.dir', '99999.dat.zst'), toc, { mode: 0o600 });
    const renamed = copyOfDirectoryBackup();
    const victim = taken.get('directory zstd')!.manifest.files.find((f) => /\d+\.dat\.zst$/.test(f.name))!;
    renameSync(join(renamed, victim.name), join(renamed, 'db.dir', '88888.dat.zst'));
    for (const [dir, said] of [
      [extra, 'does not list ("99999.dat.zst")'],
      [renamed, 'does not list ("88888.dat.zst")'],
    ] as const) {
      for (const attempt of [() => verifyBackup(dir, { deployment: dep }), () => restore(dir, dep)]) {
        const err = await failure(attempt());
        expect(err.code).toBe('BACKUP_CORRUPT');
        expect(err.message).toContain(said);
      }
    }
    expect(await count('users')).toBe(users);
  });

  it('aborting a directory backup while it is copied out, or its restore while it is copied in, leaves no copy behind', async () => {
    // Enough data that the copies report progress (every 8 MiB) before they end.
    await stack.query(
      "INSERT INTO notes (user_id, title, body) SELECT (SELECT id FROM users LIMIT 1), 'n' || g, repeat(md5(random()::text), 16) FROM generate_series(1, 150000) g",
    );
    const dir = tempDir('engram-formats-abort-');
    const controller = new AbortController();
    const err = await failure(
      executeBackup(dep, await backup(dep, { dir, format: 'directory' }), {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.phase === 'dump') controller.abort();
        },
      }),
    );
    expect(err.code).toBe('ABORTED');
    expect(readdirSync(dir)).toEqual([]);
    expect(await copiesInContainer()).toBe('');

    const full = await executeBackup(dep, await backup(dep, { dir, format: 'directory' }));
    await stack.query("INSERT INTO users (email) VALUES ('after-the-bulk-backup@example.test')");
    const users = await count('users');
    const oid = await databaseOid();
    const restoring = new AbortController();
    const refused = await failure(
      executeRestore(dep, await restore(full.path, dep, { keepPrevious: false }), {
        signal: restoring.signal,
        onEvent: (e) => {
          if (e.type === 'progress' && e.phase === 'restore') restoring.abort();
        },
      }),
    );
    expect(refused.code).toBe('ABORTED');
    expect(await count('users')).toBe(users);
    expect(await databaseOid()).toBe(oid);
    expect(await copiesInContainer()).toBe('');
  });
});
