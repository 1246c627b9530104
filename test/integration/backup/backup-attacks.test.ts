import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BackupManifest,
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

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

let stack: EngramStack;
let dep: Deployment;
let taken: BackupResult;
const temps: string[] = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

/** A copy of the good backup whose manifest `edit` may rewrite: what someone with write access to backups could do. */
function tampered(edit: (m: Record<string, unknown>, dir: string) => void): string {
  const dir = join(tempDir('engram-tampered-'), 'backup');
  cpSync(taken.path, dir, { recursive: true });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(m, dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}

async function superuser(role: string): Promise<string | undefined> {
  return (await stack.query(`SELECT rolsuper::text FROM pg_roles WHERE rolname = '${role}'`))[0]?.[0];
}

async function userCount(): Promise<number> {
  return Number((await stack.query('SELECT count(*) FROM users'))[0]![0]);
}

beforeAll(async () => {
  stack = await startEngramStack({ version: '0.15.0' });
  dep = await openDeployment({ project: stack.projectName });
  // Roles beyond Engram's own: a group, a member of it, and a privileged role the backup must not carry.
  await stack.query(
    'CREATE ROLE engram_readers NOLOGIN; CREATE ROLE engram_report LOGIN IN ROLE engram_readers; ' +
      'CREATE ROLE engram_dba SUPERUSER CREATEROLE REPLICATION BYPASSRLS NOLOGIN',
  );
  taken = await executeBackup(dep, await backup(dep, { dir: tempDir('engram-backups-') }));
}, 120_000);

afterAll(async () => {
  try {
    await stack?.dispose();
  } finally {
    for (const d of temps) {
      chmodSync(d, 0o700);
      rmSync(d, { recursive: true, force: true });
    }
  }
});

describe('backups under attack', () => {
  it('1: roles are data: a format-1 roles.sql with \\! and ALTER ROLE … SUPERUSER is refused, nothing runs', async () => {
    const script = '\\! touch /tmp/pwned-by-roles\nALTER ROLE engram_app SUPERUSER;\n';
    const old = tampered((m, dir) => {
      writeFileSync(join(dir, 'roles.sql'), script);
      m.formatVersion = 1;
      delete m.roleSpecs;
      m.files = [...(m.files as object[]), { name: 'roles.sql', bytes: script.length, sha256: sha(script) }];
    });
    for (const attempt of [() => restore(old, dep), () => verifyBackup(old, { level: 2, deployment: dep })]) {
      const err = await failure(attempt());
      expect(err.code).toBe('BACKUP_FORMAT_UNSUPPORTED');
      expect(err.message).toContain('roles.sql');
    }
    const escalate = tampered((m) => {
      m.roleSpecs = (m.roleSpecs as { name: string }[]).map((r) =>
        r.name === 'engram_app' ? { ...r, superuser: true } : r,
      );
    });
    const joinOwner = tampered((m) => {
      m.roleSpecs = (m.roleSpecs as { name: string }[]).map((r) =>
        r.name === 'engram_app' ? { ...r, memberOf: ['engram'] } : r,
      );
    });
    const inject = tampered((m) => {
      const name = 'x"; ALTER ROLE engram_app SUPERUSER; --';
      m.roleSpecs = [...(m.roleSpecs as object[]), { name, login: true, inherit: true, memberOf: [] }];
      m.roles = [...(m.roles as string[]), name];
    });
    for (const dir of [escalate, joinOwner, inject]) {
      expect((await failure(restore(dir, dep))).code).toBe('BACKUP_CORRUPT');
      expect((await failure(verifyBackup(dir, { level: 2, deployment: dep }))).code).toBe('BACKUP_CORRUPT');
    }
    expect((await stack.exec('postgres', ['test', '-e', '/tmp/pwned-by-roles'])).exitCode).not.toBe(0);
    expect(await superuser('engram_app')).toBe('false');
  });

  it('1: the manifest records login, inherit and memberships only; no privilege of the source is recorded', () => {
    const m: BackupManifest = taken.manifest;
    expect(m.files.map((f) => f.name)).toEqual(['db.dump']);
    expect(existsSync(join(taken.path, 'roles.sql'))).toBe(false);
    expect(m.roleSpecs.find((r) => r.name === 'engram_report')).toEqual({
      name: 'engram_report',
      login: true,
      inherit: true,
      memberOf: ['engram_readers'],
    });
    expect(JSON.stringify(m.roleSpecs)).not.toMatch(/super|replication|bypass|createrole/i);
  });

  it('2: the image a manifest names is never run; verify level 2 needs the caller to name one', async () => {
    // If this image were run, the pull would fail and so would the verification.
    const dir = tampered((m) => {
      (m.database as Record<string, unknown>).image = '127.0.0.1:9/attacker/postgres:15';
    });
    const refused = await failure(verifyBackup(dir, { level: 2 } as never));
    expect(refused.code).toBe('INVALID_INPUT');
    expect(refused.message).toContain('never run');
    const report = await verifyBackup(dir, { level: 2, deployment: dep });
    expect(report.tablesCompared).toBeGreaterThan(4);
    const images = execFileSync('docker', ['ps', '-a', '--format', '{{.Image}}'], { encoding: 'utf8' });
    expect(images).not.toContain('attacker/postgres');
  }, 120_000);

  it('3: a manifest listing no files (or extra ones) is refused, so a replaced dump is never trusted', async () => {
    const before = await userCount();
    const noFiles = tampered((m, dir) => {
      m.files = [];
      writeFileSync(join(dir, 'db.dump'), 'not an archive');
    });
    const extra = tampered((m, dir) => {
      writeFileSync(join(dir, 'extra.sql'), 'x');
      m.files = [...(m.files as object[]), { name: 'extra.sql', bytes: 1, sha256: sha('x') }];
    });
    for (const dir of [noFiles, extra]) {
      const err = await failure(verifyBackup(dir, { deployment: dep }));
      expect(err.code).toBe('BACKUP_CORRUPT');
      expect(err.message).toContain('files');
      expect((await failure(restore(dir, dep))).code).toBe('BACKUP_CORRUPT');
    }
    expect(await userCount()).toBe(before);
  });

  it('4: links, devices and pipes are not read; refusals say nothing about the file outside', async () => {
    const shadow = readFileSync('/etc/shadow');
    const cases = [
      ['db.dump', (p: string) => symlinkSync('/dev/zero', p)],
      ['db.dump', (p: string) => symlinkSync('/etc/shadow', p)],
      ['db.dump', (p: string) => execFileSync('mkfifo', [p])],
      ['manifest.json', (p: string) => symlinkSync('/dev/zero', p)],
      ['manifest.json', (p: string) => writeFileSync(p, Buffer.alloc(2 << 20, 0x20))],
    ] as const;
    for (const [file, make] of cases) {
      const dir = tampered(() => undefined);
      rmSync(join(dir, file));
      make(join(dir, file));
      const started = Date.now();
      // One at a time: a second call started early could reject before anything awaits it.
      for (const attempt of [() => verifyBackup(dir, { deployment: dep }), () => restore(dir, dep)]) {
        const err = await failure(attempt());
        expect(err.code).toBe('BACKUP_CORRUPT');
        const said = `${err.message} ${JSON.stringify(err)}`;
        expect(said).not.toContain('/etc/shadow');
        expect(said).not.toContain(sha(shadow).slice(0, 12));
        expect(said).not.toContain(String(shadow.length));
      }
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  }, 120_000);

  it('5: a world-writable (no sticky bit) or foreign-owned backup dir, or one under such a parent, is refused', async () => {
    const open = tempDir('engram-open-');
    chmodSync(open, 0o777);
    const foreign = tempDir('engram-foreign-');
    chownSync(foreign, 12345, 12345);
    const under = join(open, 'nested', 'backups');
    for (const dir of [open, foreign, under]) {
      const err = await failure(backup(dep, { dir }));
      expect(err.code).toBe('BACKUP_DIR_UNSAFE');
      expect(err.message).toContain('another user');
    }
    expect(readdirSync(open)).toEqual([]);
    expect(readdirSync(foreign)).toEqual([]);

    // Planned while safe, made unsafe before it runs: the executor checks again.
    const later = tempDir('engram-later-');
    const plan = await backup(dep, { dir: later });
    chmodSync(later, 0o777);
    expect((await failure(executeBackup(dep, plan))).code).toBe('BACKUP_DIR_UNSAFE');
    expect(readdirSync(later)).toEqual([]);
  });

  it('5: a working dir swapped for a link mid-backup is noticed; nothing is published, nothing lands in the other dir', async () => {
    const dir = tempDir('engram-swap-');
    const attacker = tempDir('engram-attacker-');
    const plan = await backup(dep, { dir });
    const err = await failure(
      executeBackup(dep, plan, {
        onEvent: (e) => {
          if (e.type !== 'dump-written') return;
          const work = dirname(e.path);
          renameSync(work, join(attacker, 'stolen'));
          symlinkSync(join(attacker, 'stolen'), work);
        },
      }),
    );
    expect(err.code).toBe('BACKUP_DIR_UNSAFE');
    expect(existsSync(plan.destination.path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // the link was removed, not followed
    expect(readdirSync(join(attacker, 'stolen'))).not.toContain('manifest.json');
    expect(readdirSync(attacker)).toEqual(['stolen']);
  }, 120_000);

  it('1: a restore creates the roles from data: members and logins back, no privilege granted', async () => {
    await stack.query('DROP ROLE engram_report; DROP ROLE engram_readers; DROP ROLE engram_dba');
    const plan = await restore(taken.path, dep, { startApp: false });
    await executeRestore(dep, plan);
    const rows = await stack.query(
      "SELECT rolname, rolcanlogin::text, rolsuper::text, rolcreaterole::text, rolreplication::text, rolbypassrls::text FROM pg_roles WHERE rolname IN ('engram_report', 'engram_readers', 'engram_dba') ORDER BY 1",
    );
    expect(rows).toEqual([
      ['engram_dba', 'false', 'false', 'false', 'false', 'false'],
      ['engram_readers', 'false', 'false', 'false', 'false', 'false'],
      ['engram_report', 'true', 'false', 'false', 'false', 'false'],
    ]);
    const member = await stack.query("SELECT pg_has_role('engram_report', 'engram_readers', 'MEMBER')::text");
    expect(member).toEqual([['true']]);
    expect(statSync(taken.path).isDirectory()).toBe(true);
  }, 120_000);
});
