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
 * the runbook's container does it) and boot alone (as the online container does it, migrations done;
 * each online row is divided by its own runs' boot, which varies by half from run to run here).
 * Goals: offline ≤ 1.2 × boot+migrations, ≤ runbook, ≤ 0.5 × down-up; online ≤ 1.2 × boot alone; the
 * same for each driver.
 * Each downtime is also split by the engine's own events for the app containers (`docker events`):
 *   signal     last good answer of the old version → the old container is sent its stop signal
 *   old exits  stop signal → the old container died (the app's graceful shutdown, then the engine's)
 *   swap       the old one died → the engine begins starting the new one (it connects it to its network)
 *   start      → the new container's start event (network, port, runc: the engine alone)
 *   boot       → the first good answer of the new version (migrations included where it runs them)
 * so what the library adds shows apart from what the app and the engine take whoever recreates it.
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

const PHASES = ['signal', 'oldExits', 'swap', 'start', 'boot'] as const;
type Phases = Record<(typeof PHASES)[number], number>;

/**
 * Collects the engine's events for the app containers of one project: the stop signal and death of the
 * old container, the network connect and start of the new one, in the engine's own clock (ms).
 */
async function watchEngine(project: string) {
  const stream = (await docker.getEvents({
    filters: { type: ['container', 'network'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  const seen: { at: number; type: string; action: string; id: string; container?: string }[] = [];
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const e = JSON.parse(buf.slice(0, i)) as {
        Type: string;
        Action: string;
        timeNano: number;
        Actor: { ID: string; Attributes: Record<string, string> };
      };
      buf = buf.slice(i + 1);
      const a = e.Actor.Attributes;
      if (e.Type === 'container' && a['com.docker.compose.project'] !== project) continue;
      if (e.Type === 'container' && a['com.docker.compose.service'] !== 'engram') continue;
      seen.push({
        at: e.timeNano / 1e6,
        type: e.Type,
        action: e.Action,
        id: e.Actor.ID,
        container: a.container,
      });
    }
  });
  return {
    /** The phases between `lastOld` and `firstNew`, given the new container's id. */
    phases(newId: string, lastOld: number, firstNew: number): Phases {
      stream.destroy();
      const at = (pred: (x: (typeof seen)[number]) => boolean) => seen.find(pred)?.at ?? Number.NaN;
      const kill = at(
        (x) => x.type === 'container' && x.action.startsWith('kill') && x.id !== newId && x.at >= lastOld,
      );
      const die = at((x) => x.type === 'container' && x.action === 'die' && x.id !== newId && x.at >= kill);
      const connect = at(
        (x) => x.type === 'network' && x.action === 'connect' && x.container === newId && x.at >= die,
      );
      const start = at(
        (x) => x.type === 'container' && x.action === 'start' && x.id === newId && x.at >= die,
      );
      return {
        signal: kill - lastOld,
        oldExits: die - kill,
        swap: connect - die,
        start: start - connect,
        boot: firstNew - start,
      };
    },
  };
}

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
    const engine = await watchEngine(stack.projectName);
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
    const phases = engine.phases(info.Id, lastOld, firstNew);
    return { downtime: firstNew - lastOld, floor: firstNew - started, total: firstNew - t0, phases };
  } finally {
    await stack.dispose();
    rmSync(state, { recursive: true, force: true });
    rmSync(backups, { recursive: true, force: true });
  }
}

/** A run's downtime over the part of it that is not the recreating tool's: old exits + start + boot. */
const toSwapFloor = (x: { downtime: number; phases: Phases }) =>
  x.downtime / (x.phases.oldExits + x.phases.start + x.phases.boot);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  await ensureTestbed();
  const json = readFileSync(
    join(import.meta.dirname, '../test/fixtures/releases/github-releases.json'),
    'utf8',
  );
  const releases = parseGitHubReleases(JSON.parse(json));
  const runs: Record<Method, { downtime: number; floor: number; total: number; phases: Phases }[]> = {
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
      const split = PHASES.map((p) => `${p} ${Math.round(x.phases[p])}`).join(' + ');
      process.stdout.write(
        `round ${r + 1} ${m.padEnd(14)} downtime ${x.downtime} ms (${split}), floor ${x.floor} ms, whole ${x.total} ms\n`,
      );
    }
  }
  const med = Object.fromEntries(
    METHODS.map((m) => [
      m,
      {
        downtime: median(runs[m].map((x) => x.downtime)),
        floor: median(runs[m].map((x) => x.floor)),
        phases: Object.fromEntries(
          PHASES.map((p) => [p, Math.round(median(runs[m].map((x) => x.phases[p])))]),
        ) as Phases,
      },
    ]),
  ) as Record<Method, { downtime: number; floor: number; phases: Phases }>;
  const withMigrations = med.runbook.floor;
  const bootAlone = { online: med.online.floor, 'online-engine': med['online-engine'].floor };
  const ratios = {
    offlineToFloor: med.offline.downtime / withMigrations,
    offlineToRunbook: med.offline.downtime / med.runbook.downtime,
    offlineToDownUp: med.offline.downtime / med['down-up'].downtime,
    // Each online row against its own new containers' boot: boots vary by half from run to run here.
    onlineToBootAlone: med.online.downtime / med.online.floor,
    onlineToRunbook: med.online.downtime / med.runbook.downtime,
    offlineEngineToFloor: med['offline-engine'].downtime / withMigrations,
    offlineEngineToRunbook: med['offline-engine'].downtime / med.runbook.downtime,
    onlineEngineToBootAlone: med['online-engine'].downtime / med['online-engine'].floor,
    onlineToSwapFloor: median(runs.online.map(toSwapFloor)),
    onlineEngineToSwapFloor: median(runs['online-engine'].map(toSwapFloor)),
  };
  process.stdout.write(
    `\nmedian of ${ROUNDS} (ms)   online ${med.online.downtime}   offline ${med.offline.downtime}   online-engine ${med['online-engine'].downtime}   offline-engine ${med['offline-engine'].downtime}   runbook ${med.runbook.downtime}   down-up ${med['down-up'].downtime}\n` +
      `floors (ms)   boot + migrations ${withMigrations}   boot alone ${bootAlone.online} (online), ${bootAlone['online-engine']} (online-engine)\n` +
      `ratios   offline/floor ${ratios.offlineToFloor.toFixed(2)} (goal ≤ 1.2)   offline/runbook ${ratios.offlineToRunbook.toFixed(2)} (≤ 1)   offline/down-up ${ratios.offlineToDownUp.toFixed(2)} (≤ 0.5)\n` +
      `         online/boot alone ${ratios.onlineToBootAlone.toFixed(2)} (goal ≤ 1.2)   online/runbook ${ratios.onlineToRunbook.toFixed(2)}\n` +
      `   engine driver   offline/floor ${ratios.offlineEngineToFloor.toFixed(2)} (goal ≤ 1.2)   offline/runbook ${ratios.offlineEngineToRunbook.toFixed(2)} (≤ 1)   online/boot alone ${ratios.onlineEngineToBootAlone.toFixed(2)} (goal ≤ 1.2)\n`,
  );
  process.stdout.write(
    `   what no swap on the same published port avoids (the old app's own shutdown + the engine's start + boot): online/that ${ratios.onlineToSwapFloor.toFixed(2)}, online-engine/that ${ratios.onlineEngineToSwapFloor.toFixed(2)}\n`,
  );
  process.stdout.write(
    `\nmedian phases (ms)   ${PHASES.join(' + ')}\n${METHODS.map((m) => `  ${m.padEnd(14)} ${PHASES.map((p) => String(med[m].phases[p]).padStart(5)).join(' ')}`).join('\n')}\n`,
  );
  const floor = { withMigrations, bootAlone };
  process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, medians: med, floor, ratios })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`downtime bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
