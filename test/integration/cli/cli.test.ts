import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_OUTPUT_SCHEMAS, UpgradePlanSchema } from '../../../src/index';
import { startEngramStack } from '../../../src/testing';
import { tempDirs } from '../upgrade/helpers';
import { cli, ROOT } from './run-cli';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const RELEASES = join(ROOT, 'test/fixtures/releases/github-releases.json');

describe('engram-upgrade command line', () => {
  it('status, plan --save, apply --plan, rollback: the same values the library returns', async () => {
    await using stack = await startEngramStack({ version: '0.14.1' });
    const state = dirs.make('engram-test-state-');
    const backups = dirs.make('engram-backups-');
    const p = ['--project', stack.projectName, '--state-dir', state];

    const status = cli(['status', ...p, '--json']);
    expect(status.code).toBe(0);
    expect(CLI_OUTPUT_SCHEMAS.status.parse(JSON.parse(status.out))).toMatchObject({
      version: '0.14.1',
      migrations: { applied: 2 },
    });

    const planFile = join(dirs.make('engram-test-plan-'), 'plan.json');
    const plan = cli([
      'plan',
      ...p,
      '--releases-json',
      RELEASES,
      '--to',
      '0.15.0',
      '--backup-dir',
      backups,
      '--save',
      planFile,
    ]);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toContain('hop1.pull');
    expect(plan.out).toContain('migrates ahead while the old version serves');
    const saved = UpgradePlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));
    expect(saved.to).toBe('0.15.0');

    // No terminal and no --yes: refused, nothing changed.
    const unconfirmed = cli(['apply', ...p, '--plan', planFile]);
    expect(unconfirmed.code).toBe(4);
    expect(unconfirmed.err).toContain('Nothing was changed');
    expect((await stack.health()).body).toMatchObject({ version: '0.14.1' });

    // --events: every line one JSON event, as the run goes, the last one the result; no secret.
    const apply = cli(['apply', ...p, '--plan', planFile, '--yes', '--events']);
    expect(apply.code, apply.err).toBe(0);
    const lines = apply.out.trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { type: string; step?: string; status?: string });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'step', step: 'hop1.pull', status: 'started' }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'step', step: 'hop1.health', status: 'finished' }),
    );
    const last = events.at(-1) as { type: string; result: unknown };
    expect(last.type).toBe('result');
    const applied = CLI_OUTPUT_SCHEMAS.apply.parse(last.result);
    expect(applied.summary).toContain('Upgraded');
    expect(applied.to).toBe('0.15.0');
    for (const secret of Object.values(stack.secrets)) expect(apply.out).not.toContain(secret);
    expect((await stack.health()).body).toMatchObject({ version: '0.15.0' });

    // Executing the same plan again is refused: the deployment changed since it was made.
    const again = cli(['apply', ...p, '--plan', planFile, '--yes']);
    expect(again.code).toBe(3);
    expect(again.err).toContain('stale');
    expect(again.err).not.toMatch(/\n\s+at /);

    const dry = cli(['rollback', ...p, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/0\.14\.1 ← 0\.15\.0: migrator/);
    const back = cli(['rollback', ...p, '--yes', '--json']);
    expect(back.code, back.err).toBe(0);
    expect(CLI_OUTPUT_SCHEMAS.rollback.parse(JSON.parse(back.out))).toMatchObject({
      result: { from: '0.15.0', to: '0.14.1' },
    });
    expect((await stack.health()).body).toMatchObject({ version: '0.14.1' });
    expect(existsSync(planFile)).toBe(true);
  }, 600_000);

  it('says what is wrong with bad input in one paragraph, exit 2, no stack trace', () => {
    const unknown = cli(['plan', '--project', 'engram', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^engram-upgrade: .*frobnicate/);
    expect(unknown.err).not.toMatch(/\n\s+at /);
    const env = cli(
      ['plan', '--project', 'does-not-matter', '--releases-json', RELEASES, '--env', 'ENGRAM_TEST_UNSET_VAR'],
      {},
    );
    expect(env.code).toBe(2);
    expect(env.err).toContain('ENGRAM_TEST_UNSET_VAR is not set in the environment');
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Exit codes');
    const backupHelp = cli(['backup', '--help']);
    expect(backupHelp.code).toBe(0);
    expect(backupHelp.out).toMatch(/Example:\n {2}engram-upgrade backup --project/);
    const both = cli(['backup', '--project', 'engram', '--dir', '/tmp', '--json', '--events']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--json and --events exclude each other');
  });

  it('notes --json: the releases, valid against the exported schema', () => {
    const notes = cli(['notes', '--releases-json', RELEASES, '--json']);
    expect(notes.code, notes.err).toBe(0);
    const releases = CLI_OUTPUT_SCHEMAS.notes.parse(JSON.parse(notes.out));
    expect(releases.map((r) => r.version)).toContain('0.15.0');
  });
});
