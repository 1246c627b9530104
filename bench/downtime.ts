/**
 * Downtime of one upgrade hop (0.15.1 → 0.16.0: one expand migration, slowed to 10 s): from the last
 * good `/api/health` of the old version to the first good one of the new, polled every 50 ms. Measured
 * in the same run, on fresh stacks of the same version, for:
 *   online   applyUpgrade + executeUpgrade; the expand-only hop migrates ahead while the old serves
 *   offline  the same with online: false (stop, then the new container migrates on boot)
 *   online-engine, offline-engine  the same two with driver: 'engine' (the container recreated over the
 *            Engine API: created while the old one serves, then swapped); the two above use 'compose'
 *   runbook  docker compose pull engram && docker compose up -d engram
 *   down-up  docker compose down && docker compose pull && docker compose up -d (SCHEMA-IMPACT notes)
 * and two floors, each the new container's StartedAt to its first good answer: boot + migrations (as
 * the runbook's container does it) and boot alone (as the online container does it, migrations done).
 * Goals: offline ≤ 1.2 × boot+migrations, ≤ runbook, ≤ 0.5 × down-up; online ≤ 1.2 × boot alone; the
 * same for each driver.
 * Run: npx tsx bench/downtime.ts [--rounds N]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { openDeployment } from '../src/deployment/deployment';
import { parseGitHubReleases } from '../src/notes';
import { planUpgradePath } from '../src/plan';
import { type EngramStack, startEngramStack } from '../src/testing';
import { applyUpgrade, executeUpgrade } from '../src/upgrade';
import { ensureTestbed } from '../testbed/ensure-testbed';

const FROM = '0.15.1';
const TO = '0.16.0';
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const METHODS = ['online', 'offline', 'online-engine', 'offline-engine', 'runbook', 'down-up'] as const;
type Method = (typeof METHODS)[number];
const docker = new Docker();

/** Polls /api/health every 50 ms; knows the last good answer of `from` and the first of `to`. */
function watchHealth(stack: EngramStack) {
  let lastOld = 0;
  let firstNew = 0;
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const at = Date.now();
      try {
        const r = await fetch(`${stack.httpUrl}/api/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await r.json()) as { version?: string };
        if (r.status === 200 && body.version === FROM) lastOld = at;
        if (r.status === 200 && body.version === TO && !firstNew) firstNew = at;
      } catch {
        // down: that is what is measured
      }
      if (firstNew) break;
      await new Promise((res) => setTimeout(res, Math.max(0, 50 - (Date.now() - at))));
    }
  })();
  return {
    async result() {
      const deadline = Date.now() + 180_000;
      while (!firstNew && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await done;
      if (!firstNew) throw new Error(`${TO} never answered`);
      return { lastOld, firstNew };
    },
  };
}

async function once(method: Method, releases: ReturnType<typeof parseGitHubReleases>) {
  const stack = await startEngramStack({
    version: FROM,
    faults: { migrationDelayMs: 10_000, onlyVersion: TO },
    seed: { users: 20, notesPerUser: 50 },
  });
  const state = mkdtempSync(join(tmpdir(), 'engram-bench-state-'));
  const backups = mkdtempSync(join(tmpdir(), 'engram-backups-'));
  try {
    let plan: Awaited<ReturnType<typeof applyUpgrade>> | undefined;
    const dep = await openDeployment({ project: stack.projectName });
    const library = method !== 'runbook' && method !== 'down-up';
    const online = method.startsWith('online');
    if (library) {
      const path = planUpgradePath({ from: FROM, to: TO, releases });
      plan = await applyUpgrade(dep, path, {
        stateDir: state,
        backupDir: backups,
        online,
        driver: method.endsWith('-engine') ? 'engine' : 'compose',
      });
      if (plan.hops[0]!.online.qualifies !== online) throw new Error(`${method}: unexpected plan`);
    } else {
      stack.useVersion(TO);
    }
    const watch = watchHealth(stack);
    const t0 = Date.now();
    if (library) await executeUpgrade(dep, plan!);
    else if (method === 'runbook') {
      await stack.compose(['pull', 'engram']);
      await stack.compose(['up', '-d', 'engram']);
    } else {
      await stack.compose(['down']);
      await stack.compose(['pull']);
      await stack.compose(['up', '-d']);
    }
    const { lastOld, firstNew } = await watch.result();
    const info = await docker.getContainer(await stack.containerId('engram')).inspect();
    const started = Date.parse(info.State.StartedAt);
    return { downtime: firstNew - lastOld, floor: firstNew - started, total: firstNew - t0 };
  } finally {
    await stack.dispose();
    rmSync(state, { recursive: true, force: true });
    rmSync(backups, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  await ensureTestbed();
  const json = readFileSync(
    join(import.meta.dirname, '../test/fixtures/releases/github-releases.json'),
    'utf8',
  );
  const releases = parseGitHubReleases(JSON.parse(json));
  const runs: Record<Method, { downtime: number; floor: number; total: number }[]> = {
    online: [],
    offline: [],
    'online-engine': [],
    'offline-engine': [],
    runbook: [],
    'down-up': [],
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const m of METHODS) {
      const x = await once(m, releases);
      runs[m].push(x);
      process.stdout.write(
        `round ${r + 1} ${m.padEnd(8)} downtime ${x.downtime} ms, floor ${x.floor} ms, whole ${x.total} ms\n`,
      );
    }
  }
  const med = Object.fromEntries(
    METHODS.map((m) => [
      m,
      { downtime: median(runs[m].map((x) => x.downtime)), floor: median(runs[m].map((x) => x.floor)) },
    ]),
  ) as Record<Method, { downtime: number; floor: number }>;
  const withMigrations = med.runbook.floor;
  const bootAlone = med.online.floor;
  const ratios = {
    offlineToFloor: med.offline.downtime / withMigrations,
    offlineToRunbook: med.offline.downtime / med.runbook.downtime,
    offlineToDownUp: med.offline.downtime / med['down-up'].downtime,
    onlineToBootAlone: med.online.downtime / bootAlone,
    onlineToRunbook: med.online.downtime / med.runbook.downtime,
    offlineEngineToFloor: med['offline-engine'].downtime / withMigrations,
    offlineEngineToRunbook: med['offline-engine'].downtime / med.runbook.downtime,
    onlineEngineToBootAlone: med['online-engine'].downtime / bootAlone,
  };
  process.stdout.write(
    `\nmedian of ${ROUNDS} (ms)   online ${med.online.downtime}   offline ${med.offline.downtime}   online-engine ${med['online-engine'].downtime}   offline-engine ${med['offline-engine'].downtime}   runbook ${med.runbook.downtime}   down-up ${med['down-up'].downtime}\n` +
      `floors (ms)   boot + migrations ${withMigrations}   boot alone ${bootAlone}\n` +
      `ratios   offline/floor ${ratios.offlineToFloor.toFixed(2)} (goal ≤ 1.2)   offline/runbook ${ratios.offlineToRunbook.toFixed(2)} (≤ 1)   offline/down-up ${ratios.offlineToDownUp.toFixed(2)} (≤ 0.5)\n` +
      `         online/boot alone ${ratios.onlineToBootAlone.toFixed(2)} (goal ≤ 1.2)   online/runbook ${ratios.onlineToRunbook.toFixed(2)}\n` +
      `   engine driver   offline/floor ${ratios.offlineEngineToFloor.toFixed(2)} (goal ≤ 1.2)   offline/runbook ${ratios.offlineEngineToRunbook.toFixed(2)} (≤ 1)   online/boot alone ${ratios.onlineEngineToBootAlone.toFixed(2)} (goal ≤ 1.2)\n`,
  );
  const floor = { withMigrations, bootAlone };
  process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, medians: med, floor, ratios })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`downtime bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
