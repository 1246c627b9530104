import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executeRollback } from '../../../src/rollback/execute-rollback';
import { rollback } from '../../../src/rollback/plan-rollback';
import { startEngramStack } from '../../../src/testing';
import { executeUpgrade } from '../../../src/upgrade/execute-upgrade';
import { planFor, snapshot, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('signed hop backups', () => {
  it('an upgrade with a signing key signs its hop backup; the rollback that restores it checks the signature', async () => {
    const keyPath = join(dirs.make('engram-signing-key-'), 'backup.key');
    writeFileSync(keyPath, `${'5e'.repeat(32)}\n`, { mode: 0o600 });
    await using stack = await startEngramStack({ version: '0.15.0' });
    const before = await snapshot(stack);
    const { dep, plan, stateDir } = await planFor(stack, dirs, '0.15.0', '0.17.0', {
      signingKey: { file: keyPath },
    });
    const backupStep = plan.steps.find((s) => s.kind === 'backup')!;
    expect(backupStep.input.signing).toMatchObject({ from: 'file', path: keyPath });
    expect(JSON.stringify(plan)).not.toContain('5e5e5e');
    const result = await executeUpgrade(dep, plan);
    const taken = result.hops[0]!.backup!;
    expect(existsSync(join(taken.path, 'manifest.sig'))).toBe(true);

    const back = await rollback(dep, { stateDir, acceptDataLoss: true, signingKey: { file: keyPath } });
    expect(back.hops.map((h) => h.strategy)).toEqual(['restore']);
    await executeRollback(dep, back, { acceptDataLoss: true });
    expect((await stack.health()).body).toMatchObject({ version: '0.15.0' });
    const after = await snapshot(stack);
    expect(after.migrations).toEqual(before.migrations);
    expect(after.users).toEqual(before.users);
    expect(readdirSync(taken.path).sort()).toEqual(['db.dump', 'manifest.json', 'manifest.sig']);
  });
});
