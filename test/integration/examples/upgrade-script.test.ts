import { afterAll, describe, expect, it } from 'vitest';
import { upgradeScript } from '../../../examples/upgrade-script';
import { startEngramStack } from '../../../src/testing';
import { inspectDeployment } from '../../../src/upgrade';
import { seriesReleases, snapshot, tempDirs } from '../upgrade/helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('examples/upgrade-script', () => {
  it('prints the plan and changes nothing when not confirmed; rolls every hop back when its own check fails', async () => {
    await using stack = await startEngramStack({ version: '0.14.1' });
    const before = await snapshot(stack);
    const lines: string[] = [];
    const base = {
      project: stack.projectName,
      releases: seriesReleases(),
      to: '0.15.0',
      backupDir: dirs.make('engram-backups-'),
      stateDir: dirs.make('engram-test-state-'),
      print: (line: string) => lines.push(line),
    };

    const declined = await upgradeScript({ ...base, confirm: async () => false });
    expect(declined).toEqual({ status: 'declined', version: '0.14.1' });
    expect(lines.join('\n')).toMatch(/0\.14\.1 → 0\.15\.0[\s\S]*hop1\.recreate/);
    expect(await snapshot(stack)).toEqual(before);

    const seen: string[] = [];
    const rolled = await upgradeScript({
      ...base,
      confirm: async () => true,
      accept: async (deployment) => {
        seen.push(String((await inspectDeployment(deployment)).version));
        throw new Error('our smoke test failed');
      },
    });
    expect(seen).toEqual(['0.15.0']);
    expect(rolled).toMatchObject({ status: 'rolled-back', version: '0.14.1' });
    expect(lines.join('\n')).toMatch(/0\.14\.1 ← 0\.15\.0: migrator/);
    expect((await stack.health()).body).toMatchObject({ version: '0.14.1' });
    expect(await snapshot(stack)).toEqual(before);
  });
});
