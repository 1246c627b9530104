import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BackupEvent, backup, executeBackup, verifyBackup } from '../../../src/backup';
import { openDeployment } from '../../../src/deployment/deployment';
import { startEngramStack } from '../../../src/testing';
import { tempDir } from '../temp-dir';

describe('backup', () => {
  it('online backup: manifest written last, files 0600, dir 0700, level-2 verification matches', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    const dep = await openDeployment({ project: stack.projectName });
    const dir = tempDir('engram-backups-');
    const plan = await backup(dep, { dir, verifyLevel: 2 });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.source.serverMajor).toBe(18);
    const events: BackupEvent[] = [];
    const result = await executeBackup(dep, plan, { onEvent: (e) => events.push(e) });

    expect(readdirSync(dir)).toEqual([plan.id]);
    expect(statSync(result.path).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(result.path)) expect(statSync(join(result.path, f)).mode & 0o777).toBe(0o600);
    const m = result.manifest;
    expect(m.engram.version).toBe('0.15.0');
    expect(m.engram.buildSha).toBe('b7e9f30');
    expect(m.migrations.head).toBe('20260808100100');
    expect(m.tables['public.notes']).toBe(30);
    expect(m.tables['public.users']).toBe(3);
    expect(m.roles).toContain('engram_app');
    expect(m.files.map((f) => f.name)).toEqual(['db.dump']);
    expect(m.roleSpecs.find((r) => r.name === 'engram_app')?.login).toBe(true);
    expect(m.verifiedLevel).toBe(2);
    // Postgres 18 dumps with zstd: the archive says so, and pg_restore reads it (the level-2 check restored it).
    expect(plan.compression).toBe('zstd');
    expect(m.compression).toBe('zstd');
    const toc = await dep.docker.exec((await dep.db()).id, {
      cmd: ['pg_restore', '--list'],
      stdin: createReadStream(join(result.path, 'db.dump')),
    });
    expect(toc.stdout).toMatch(/Compression: zstd/);
    expect(JSON.parse(readFileSync(join(result.path, 'manifest.json'), 'utf8'))).toEqual(m);
    expect(events.some((e) => e.type === 'dump-written')).toBe(true);

    const report = await verifyBackup(result.path, { level: 2, deployment: dep });
    expect(report.tablesCompared).toBeGreaterThan(4);
    expect(report.head).toBe('20260808100100');
  });
});
