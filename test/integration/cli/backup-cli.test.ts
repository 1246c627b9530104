import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_OUTPUT_SCHEMAS } from '../../../src/index';
import { startEngramStack } from '../../../src/testing';
import { CmdlineWatch } from '../backup/cmdline-watch';
import { tempDir } from '../temp-dir';
import { cli } from './run-cli';

const KEY = randomBytes(32).toString('hex');

describe('engram-upgrade backup / verify / restore with a signing key', () => {
  it('signs with a key file, verifies with the same key from a variable, refuses a changed backup; the key is never printed or in argv', async () => {
    await using stack = await startEngramStack({ version: '0.15.0' });
    await using watch = CmdlineWatch.start(KEY);
    const keyFile = join(tempDir('engram-cli-key-'), 'backup.key');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });
    const p = ['--project', stack.projectName];
    const outputs: string[] = [];
    const run = (args: string[], env: Record<string, string> = {}) => {
      const r = cli(args, env);
      outputs.push(r.out, r.err);
      return r;
    };

    const taken = run([
      'backup',
      ...p,
      '--dir',
      tempDir('engram-cli-backups-'),
      '--signing-key-file',
      keyFile,
      '--json',
    ]);
    expect(taken.code, taken.err).toBe(0);
    const { plan, result } = CLI_OUTPUT_SCHEMAS.backup.parse(JSON.parse(taken.out));
    if (!result || !plan.signing) throw new Error('backup --json printed no result or no signing key');
    expect(plan.signing).toMatchObject({ from: 'file', path: keyFile });
    const keyId = plan.signing.keyId as string;

    const verified = run(['verify', ...p, '--dir', result.path, '--signing-key-env', 'BACKUP_KEY'], {
      BACKUP_KEY: KEY,
    });
    expect(verified.code, verified.err).toBe(0);
    expect(verified.out).toContain(`signature good (key id ${keyId})`);

    const unchecked = run(['verify', ...p, '--dir', result.path]);
    expect(unchecked.code, unchecked.err).toBe(0);
    expect(unchecked.out).toContain(`warning: Backup ${plan.id} is unauthenticated`);
    const report = run(['verify', ...p, '--dir', result.path, '--json']);
    expect(report.code, report.err).toBe(0);
    expect(CLI_OUTPUT_SCHEMAS.verify.parse(JSON.parse(report.out)).authenticity).toEqual({
      authenticated: false,
      signature: 'not-checked',
    });

    // Someone with write access to the backup changes what it restores.
    const manifestPath = join(result.path, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.roleSpecs = [];
    manifest.roles = [];
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    const before = await stack.query('SELECT count(*) FROM users');
    const refused = run(['restore', ...p, '--dir', result.path, '--signing-key-file', keyFile, '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.err).toContain('changed after it was signed');
    expect(refused.err).toContain('Nothing was restored or changed');
    expect(await stack.query('SELECT count(*) FROM users')).toEqual(before);

    // Without the key, the plan says plainly that the backup is unauthenticated.
    const dry = run(['restore', ...p, '--dir', result.path, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain('is unauthenticated');
    const dryJson = run(['restore', ...p, '--dir', result.path, '--dry-run', '--json']);
    expect(dryJson.code, dryJson.err).toBe(0);
    const restorePlan = CLI_OUTPUT_SCHEMAS.restore.parse(JSON.parse(dryJson.out));
    expect(restorePlan.result).toBeUndefined();
    expect(restorePlan.plan.backup.id).toBe(plan.id);

    const open = join(tempDir('engram-cli-key-'), 'open.key');
    writeFileSync(open, `${KEY}\n`, { mode: 0o644 });
    const badKey = run(['verify', ...p, '--dir', result.path, '--signing-key-file', open]);
    expect(badKey.code).toBe(2);
    expect(badKey.err).toContain('chmod 600');
    const both = run([
      'verify',
      ...p,
      '--dir',
      result.path,
      '--signing-key-file',
      keyFile,
      '--signing-key-env',
      'X',
    ]);
    expect(both.code).toBe(2);

    // --events: the backup's own events, one JSON object per line, the result last.
    const streamed = run([
      'backup',
      ...p,
      '--dir',
      tempDir('engram-cli-backups-'),
      '--signing-key-file',
      keyFile,
      '--events',
    ]);
    expect(streamed.code, streamed.err).toBe(0);
    const events = streamed.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step?: string; status?: string; result?: unknown });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'step', step: 'dump', status: 'finished' }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'dump-written' }));
    expect(events.at(-1)?.type).toBe('result');
    expect(CLI_OUTPUT_SCHEMAS.backup.parse(events.at(-1)?.result).result?.manifest.id).toBeDefined();
    for (const secret of Object.values(stack.secrets)) expect(streamed.out).not.toContain(secret);

    for (const text of outputs) expect(text).not.toContain(KEY);
    expect(watch.hits()).toEqual([]);
  }, 600_000);
});
