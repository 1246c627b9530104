import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupEvent, backup, executeBackup, restore, verifyBackup } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import type { UpgradeError } from '../../../src/errors';
import { type EngramStack, postgresImage, startEngramStack } from '../../../src/testing';
import { upgradeFailure as failure } from '../../upgrade-failure';
import { tempDir } from '../temp-dir';
import { CmdlineWatch } from './cmdline-watch';

const CANARY = 'canaryPw-5d1e7a9c3b';

function everythingSaid(err: UpgradeError, events: BackupEvent[]): string {
  return [err.message, JSON.stringify(err), JSON.stringify(events), String(err.cause)].join('\n');
}

const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync('umount', [m]);
});

describe('backup faults', () => {
  it('fault 1 + 18: Postgres stopped mid-dump → failed, nothing at the final path, no secret anywhere', async () => {
    await using stack = await startEngramStack({
      version: '0.15.0',
      seed: false,
      secrets: { postgresPassword: CANARY },
    });
    await stack.query(
      "INSERT INTO users (email) VALUES ('bulk@example.test'); INSERT INTO notes (user_id, title, body) " +
        "SELECT (SELECT id FROM users LIMIT 1), 'n' || g, repeat(md5(random()::text), 16) FROM generate_series(1, 200000) g",
    );
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const plan = await backup(dep, { dir });
    expect(JSON.stringify(plan)).not.toContain(CANARY);
    const events: BackupEvent[] = [];
    const pgId = await stack.containerId('postgres');
    let stopping: Promise<unknown> | undefined;
    await using watch = CmdlineWatch.start(CANARY);
    const err = await failure(
      executeBackup(dep, plan, {
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'progress' && e.bytes > 0 && !stopping) stopping = stack.docker.stop(pgId, 0);
        },
      }),
    );
    await stopping;
    expect(err.code).toBe('BACKUP_FAILED');
    expect(err.message).toContain('Nothing was left at');
    expect(readdirSync(dir)).toEqual([]);
    expect(everythingSaid(err, events)).not.toContain(CANARY);
    expect(watch.hits()).toEqual([]);
  });

  // Faults 3, 3b and 2 leave the database as they found it (2 only adds rows, so it runs last): one
  // stack serves all three.
  describe('on one 0.15.0 stack', () => {
    let stack: EngramStack;
    beforeAll(async () => {
      stack = await startEngramStack({ version: '0.15.0' });
    });
    afterAll(async () => {
      await stack?.dispose();
    });

    it('fault 3: bytes flipped between write and verify → verification fails, no backup', async () => {
      const dep = await openDeployment({ project: stack.projectName });
      const dir = tempDir('engram-backups-');
      const err = await failure(
        executeBackup(dep, await backup(dep, { dir }), {
          onEvent: (e) => {
            if (e.type !== 'dump-written') return;
            const buf = readFileSync(e.path);
            const at = Math.floor(buf.length / 2);
            buf[at] = (buf[at] ?? 0) ^ 0xff;
            writeFileSync(e.path, buf);
          },
        }),
      );
      expect(err.code).toBe('BACKUP_CORRUPT');
      expect(readdirSync(dir)).toEqual([]);
    });

    it('fault 3b: a finished backup truncated later is refused by verifyBackup and by restore', async () => {
      const dep = await openDeployment({ project: stack.projectName });
      const dir = tempDir('engram-backups-');
      const taken = await executeBackup(dep, await backup(dep, { dir }));
      const dump = join(taken.path, 'db.dump');
      writeFileSync(dump, readFileSync(dump).subarray(0, 1000));
      expect((await failure(verifyBackup(taken.path, { deployment: dep }))).code).toBe('BACKUP_CORRUPT');
      expect((await failure(restore(taken.path, dep))).code).toBe('BACKUP_CORRUPT');
      const noManifest = join(dir, 'not-a-backup');
      mkdirSync(noManifest);
      const missing = await failure(restore(noManifest, dep));
      expect(missing.code).toBe('BACKUP_CORRUPT');
      expect(missing.message).toContain('no manifest.json');
    });

    it('fault 2: a 5 MB backup dir → refused up front, and with the check off the partial file is removed', async () => {
      await stack.query(
        "INSERT INTO users (email) VALUES ('bulk@example.test'); INSERT INTO notes (user_id, title, body) " +
          "SELECT (SELECT id FROM users LIMIT 1), 'n' || g, repeat(md5(random()::text), 8) FROM generate_series(1, 200000) g",
      );
      const dir = tempDir('engram-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', dir]);
      mounts.push(dir);
      const dep = await openDeployment({ project: stack.projectName });
      const refused = await failure(backup(dep, { dir }));
      expect(refused.code).toBe('BACKUP_NO_SPACE');
      expect(refused.message).toContain('Nothing was changed');

      const plan = await backup(dep, { dir, requiredFreeBytes: 0 });
      const err = await failure(executeBackup(dep, plan));
      expect(err.code).toBe('BACKUP_NO_SPACE');
      expect(readdirSync(dir)).toEqual([]);
    });
  });

  it('fault 4 + 18: host pg_dump 15 against a Postgres 17 server is refused; the in-container dump works', async () => {
    await using stack = await startEngramStack({
      version: '0.15.0',
      postgresImage: postgresImage(17),
      secrets: { postgresPassword: CANARY },
    });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const refused = await failure(
      backup(dep, { dir, dump: { where: 'host', host: '127.0.0.1', port: stack.postgresPort! } }),
    );
    expect(refused.code).toBe('BACKUP_CLIENT_TOO_OLD');
    expect(refused.message).toMatch(/version 15, older than the server \(17\./);
    expect(JSON.stringify(refused)).not.toContain(CANARY);
    const taken = await executeBackup(dep, await backup(dep, { dir, verifyLevel: 2 }));
    expect(taken.manifest.database.serverMajor).toBe(17);
    expect(taken.manifest.tables['public.notes']).toBe(30);
  });

  it('fault 18: a host dump passes the password by environment only and it appears nowhere', async () => {
    // The host's pg_dump is 15: a server of the same major, so the dump is not refused as too new.
    await using stack = await startEngramStack({
      version: '0.15.0',
      postgresImage: postgresImage(15),
      secrets: { postgresPassword: CANARY },
    });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const events: BackupEvent[] = [];
    await using watch = CmdlineWatch.start(CANARY);
    const plan = await backup(dep, {
      dir,
      dump: { where: 'host', host: '127.0.0.1', port: stack.postgresPort! },
    });
    const taken = await executeBackup(dep, plan, { onEvent: (e) => events.push(e) });
    expect(watch.hits()).toEqual([]);
    expect(watch.scans()).toBeGreaterThan(0);
    const written = readdirSync(taken.path).map((f) => readFileSync(join(taken.path, f), 'latin1'));
    for (const text of [JSON.stringify(plan), JSON.stringify(events), ...written])
      expect(text).not.toContain(CANARY);
    expect(taken.manifest.masterKeyFingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(JSON.stringify(taken.manifest)).not.toContain(stack.secrets.masterKey);
  });
});
