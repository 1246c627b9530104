import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngramStack } from '../../../src/testing';
import { startEngramStack } from '../../../src/testing';
import { executeUpgrade, UpgradeFailedError } from '../../../src/upgrade/execute-upgrade';
import { planFor, runningApps, snapshot, tempDirs } from './helpers';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());
const docker = new Docker();

/** Polls /api/health every 50 ms and keeps every answer with its time. */
function pollHealth(stack: EngramStack) {
  const seen: { at: number; ok: boolean; version: string | null }[] = [];
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      const at = Date.now();
      try {
        const r = await fetch(`${stack.httpUrl}/api/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await r.json()) as { version?: string };
        seen.push({ at, ok: r.status === 200, version: body.version ?? null });
      } catch {
        seen.push({ at, ok: false, version: null });
      }
      await new Promise((res) => setTimeout(res, Math.max(0, 50 - (Date.now() - at))));
    }
  })();
  return {
    seen,
    async stop() {
      stop = true;
      await loop;
    },
  };
}

describe('expand-only hops migrate while the old version serves', () => {
  it("runs 0.15.0's two expand migrations (4 s each) ahead; the old version answers and takes writes throughout", async () => {
    await using stack = await startEngramStack({
      version: '0.14.1',
      faults: { migrationDelayMs: 4000, onlyVersion: '0.15.0' },
    });
    const { dep, plan } = await planFor(stack, dirs, '0.14.1', '0.15.0');
    expect(plan.hops[0]!.online).toMatchObject({ qualifies: true });
    expect(plan.hops[0]!.online.pending.map((m) => m.version)).toEqual(['20260808100000', '20260808100100']);
    expect(plan.steps.map((s) => s.kind)).toContain('pre-migrate');
    const poll = pollHealth(stack);
    let recreateAt = 0;
    let writes = 0;
    const writer = setInterval(() => {
      if (recreateAt) return;
      stack.query(`INSERT INTO users (email) VALUES ('during-${Date.now()}-${writes}@example.test')`).then(
        () => {
          writes++;
        },
        () => undefined,
      );
    }, 500);
    try {
      await executeUpgrade(dep, plan, {
        onEvent: (e) => {
          if (e.type === 'step' && e.step === 'hop1.recreate' && e.status === 'started')
            recreateAt = Date.now();
        },
      });
      // The health gate answered through the container; let the outside poll see the new version too.
      for (let i = 0; i < 100 && !poll.seen.some((x) => x.ok && x.version === '0.15.0'); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      clearInterval(writer);
      await poll.stop();
    }
    expect((await stack.health()).body).toMatchObject({ version: '0.15.0' });
    const beforeRecreate = poll.seen.filter((s) => s.at < recreateAt);
    expect(beforeRecreate.length).toBeGreaterThan(100); // ≥ 8 s of 50 ms polls while migrating
    expect(beforeRecreate.every((s) => s.ok && s.version === '0.14.1')).toBe(true);
    expect(writes).toBeGreaterThan(10);
    const lastOld = Math.max(...poll.seen.filter((s) => s.ok && s.version === '0.14.1').map((s) => s.at));
    const firstNew = Math.min(...poll.seen.filter((s) => s.ok && s.version === '0.15.0').map((s) => s.at));
    // The 8 s of migrations are not downtime: only the new container's own boot is.
    expect(firstNew - lastOld).toBeLessThan(8000);
    const logs = await stack.logs('engram');
    expect(logs).toContain('Migrations already up');
  });

  it('keeps the stop-then-migrate path for a hop with contract, irreversible or blocking migrations, and says which', async () => {
    await using stack = await startEngramStack({ version: '0.15.1' });
    const { plan } = await planFor(stack, dirs, '0.15.1', '0.17.0');
    const online = plan.hops[0]!.online;
    expect(online.qualifies).toBe(false);
    const reasons = online.reasons.join('\n');
    expect(reasons).toMatch(/one-way/);
    expect(reasons).toMatch(/20260817080100 drop_notes_legacy_body_contract is phase contract/);
    expect(reasons).toMatch(/20260817080100 .* cannot be reverted/);
    expect(reasons).toMatch(/20260817080000 add_notes_checksum_expand has lock risk high/);
    expect(plan.steps.map((s) => s.kind)).not.toContain('pre-migrate');
  });

  it('a failed migration ahead is reverted while the old version keeps serving: nothing was stopped', async () => {
    await using stack = await startEngramStack({
      version: '0.14.1',
      faults: { failAtMigration: '20260808100100', onlyVersion: '0.15.0' },
    });
    const before = await snapshot(stack);
    const started = (await docker.getContainer(await stack.containerId('engram')).inspect()).State.StartedAt;
    const { dep, plan } = await planFor(stack, dirs, '0.14.1', '0.15.0');
    const err = (await executeUpgrade(dep, plan).catch((e: unknown) => e)) as UpgradeFailedError;
    expect(err).toBeInstanceOf(UpgradeFailedError);
    expect(err.step).toBe('hop1.premigrate');
    expect(err.message).toContain('20260808100100');
    expect(await snapshot(stack)).toEqual(before);
    const after = (await docker.getContainer(await stack.containerId('engram')).inspect()).State.StartedAt;
    expect(after).toBe(started); // the same run of the same container: never stopped
    expect(await runningApps(stack)).toBe(1);
  });
});
