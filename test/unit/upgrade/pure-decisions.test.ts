import { describe, expect, it } from 'vitest';
import { bindingDifferences } from '../../../src/execute/plan-binding';
import { requireEctoVersion, rollbackExpression } from '../../../src/rollback/migrator-rollback';
import { revertStrategy } from '../../../src/rollback/revert-hop';
import { classifyManualStep } from '../../../src/upgrade/manual-steps';
import type { DeploymentBinding } from '../../../src/upgrade/upgrade-plan';

const section = { from: '0.18', to: '1.0', line: 50 };
const manual = (text: string, commands: string[] = []) => ({
  version: '1.0.0',
  section,
  text,
  line: 51,
  commands,
});

describe('classifyManualStep', () => {
  it('recognises what the upgrade does itself', () => {
    expect(
      classifyManualStep(manual('Check health', ['curl -sf http://localhost:4000/api/health']), []),
    ).toMatchObject({ handling: 'covered', by: 'health-check' });
    expect(
      classifyManualStep(
        manual('Back up', ['docker compose exec -T postgres pg_dump -U engram engram | gzip > x.gz']),
        [],
      ),
    ).toMatchObject({ handling: 'covered', by: 'backup' });
    expect(
      classifyManualStep(
        manual('Start it', ['docker compose pull engram', 'docker compose up -d engram']),
        [],
      ),
    ).toMatchObject({ handling: 'covered', by: 'pull-and-recreate' });
    expect(
      classifyManualStep(manual('Add `ENGRAM_INSTANCE_NAME` to your `.env`.'), ['ENGRAM_INSTANCE_NAME']),
    ).toMatchObject({ handling: 'covered', by: 'env-change' });
  });

  it('turns an Engram release call with integer arguments into an argv, never a shell line', () => {
    const c = classifyManualStep(
      manual('Rebuild', ["docker compose exec engram bin/engram eval 'Engram.Release.Backfill.run(500)'"]),
      [],
    );
    expect(c).toEqual(
      expect.objectContaining({
        handling: 'release-call',
        argv: ['/app/bin/engram', 'eval', 'Engram.Release.Backfill.run(500)'],
      }),
    );
  });

  it('leaves anything else to a person', () => {
    for (const cmd of [
      'docker compose exec engram bin/engram eval \'File.rm_rf("/")\'',
      'docker compose exec engram bin/engram eval \'Engram.Release.run(System.cmd("id", []))\'',
      "docker compose exec engram bin/engram eval 'Engram.Release.migrate()'; rm -rf /",
      'curl https://example.test/install.sh | sh',
    ]) {
      expect(classifyManualStep(manual('Do it', [cmd]), []).handling, cmd).toBe('person');
    }
    expect(classifyManualStep(manual('Tell your users about the downtime.'), []).handling).toBe('person');
  });
});

describe('revertStrategy', () => {
  const base = {
    from: '0.15.1',
    oldImage: { reference: 'r:0.15.1', id: 'sha256:old' },
    newImage: { id: 'sha256:new' },
    preApplied: ['1', '2'],
    backup: { path: '/b', id: 'b' },
    kept: [],
    shipped: [
      { version: '1', irreversible: true },
      { version: '2', irreversible: false },
      { version: '3', irreversible: false },
      { version: '4', irreversible: true },
    ],
  };
  it('is nothing when no new migration committed', () => {
    expect(revertStrategy(base, ['1', '2']).strategy).toBe('nothing');
  });
  it('is the migrator when every applied one is reversible, starting at the lowest new version', () => {
    expect(revertStrategy(base, ['1', '2', '3'])).toMatchObject({ strategy: 'migrator', toRevert: ['3'] });
  });
  it('is a restore when any applied one is irreversible, or unknown to the new image', () => {
    expect(revertStrategy(base, ['1', '2', '3', '4']).strategy).toBe('restore');
    expect(revertStrategy(base, ['1', '2', '9']).strategy).toBe('restore');
    expect(revertStrategy({ ...base, newImage: null }, ['1', '2', '3']).strategy).toBe('restore');
  });
  it('is a restore when the migrator would also take migrations from before the hop (an older-numbered new file)', () => {
    const late = { ...base, preApplied: ['1', '3'] };
    const d = revertStrategy(late, ['1', '2', '3']);
    expect(d).toMatchObject({ strategy: 'restore', toRevert: ['2'] });
    expect(d.why).toMatch(/would also revert 3/);
  });
  it('is a restore when migrations from before the hop are gone', () => {
    expect(revertStrategy(base, ['2', '3']).strategy).toBe('restore');
  });
});

describe('the migrator version argument', () => {
  it('accepts exactly one 14-digit version, and builds the expression from the integer only', () => {
    expect(rollbackExpression('20260817080000')).toBe('Engram.Release.rollback(Engram.Repo, 20260817080000)');
    for (const bad of [
      '1; System.halt()',
      '$(id)',
      '2026081708000',
      '202608170800000',
      ' 20260817080000',
      '20260817080000\n',
      20260817080000,
    ]) {
      expect(() => requireEctoVersion(bad), String(bad)).toThrow(/14-digit/);
    }
    expect(() => requireEctoVersion('20990101000000', ['20260817080000'])).toThrow(/not one of the image/);
  });
});

describe('bindingDifferences', () => {
  const b: DeploymentBinding = {
    project: 'engram',
    appContainerId: 'a'.repeat(64),
    appImageId: `sha256:${'b'.repeat(64)}`,
    dbContainerId: 'c'.repeat(64),
    migrationHead: '20260817080100',
    files: [
      { path: '/srv/engram/compose.yaml', sha256: '1' },
      { path: '/srv/engram/.env', sha256: '2' },
    ],
  };
  it('is empty for the same deployment', () => {
    expect(bindingDifferences(b, structuredClone(b))).toEqual([]);
  });
  it('names every change', () => {
    const now = {
      ...b,
      appContainerId: 'd'.repeat(64),
      migrationHead: '20260819150000',
      files: [
        { path: '/srv/engram/compose.yaml', sha256: '9' },
        { path: '/srv/engram/override.yaml', sha256: '3' },
      ],
    };
    expect(bindingDifferences(b, now)).toEqual([
      'app container aaaaaaaaaaaa → dddddddddddd',
      'migration head 20260817080100 → 20260819150000',
      '/srv/engram/compose.yaml was edited',
      '/srv/engram/.env is gone',
      '/srv/engram/override.yaml is new',
    ]);
  });
});
