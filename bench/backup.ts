/**
 * Backup benchmark on a seeded database of at least 1 GB, measured side by side in one run:
 * - a quiesced backup (app stopped, dumped, verified, published, app started: the downtime a one-way
 *   hop's backup costs) and its dump against a raw default `docker exec … pg_dump -Fc > file`;
 *   goal: the whole backup in at most half the raw dump's time;
 * - peak RSS of this Node process while streaming;
 * - verification overhead (level 1 and level 2) relative to the dump;
 * - restore time against the documented plain-SQL path (`pg_dump | gzip`, then `gunzip | psql`);
 *   goal: at least twice as fast; and how long the app was down during ours (stop-app to start-app)
 *   against that documented load alone, which the documented procedure runs with the app stopped;
 * - the same for the custom format (`pg_dump -Fc`, forced) and the directory format (`pg_dump -Fd -j N`,
 *   forced) side by side, with the directory dump's own floor (`pg_dump -Fd -j N` in the container,
 *   nothing copied out), and which format `auto` would take here and why.
 * `--tables N` spreads the seeded notes over N tables of the same shape (`notes`, `notes_2`, …), so that
 * parallel jobs have tables to work on; 1 (the default) is one large table.
 * Usage: npx tsx bench/backup.ts [--gb 1.0] [--rounds 2] [--tables 1]
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { backup, executeRestore, restore, verifyBackup } from '../src/backup';
import { openDeployment } from '../src/deployment/deployment';
import { run } from '../src/process/run-command';
import { postgresImage, startEngramStack } from '../src/testing';
import { ensureTestbed } from '../testbed/ensure-testbed';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const GB = arg('gb', 1.0);
const ROUNDS = arg('rounds', 2);
/** The seeded notes spread over this many tables of the same shape (1: today's workload, one large table). */
const TABLES = Math.max(1, Math.floor(arg('tables', 1)));

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.sync();
  await fh.close();
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs argv with stdout to a file (or stdin from a stream); resolves with elapsed ms. */
async function timed(
  cmd: string,
  args: string[],
  io: { out?: string; input?: NodeJS.ReadableStream },
): Promise<number> {
  const t = performance.now();
  const child = spawn(cmd, args, {
    stdio: [io.input ? 'pipe' : 'ignore', io.out ? 'pipe' : 'ignore', 'inherit'],
  });
  const done = new Promise<number | null>((r) => child.on('close', r));
  const jobs: Promise<unknown>[] = [];
  if (io.out && child.stdout) jobs.push(pipeline(child.stdout, createWriteStream(io.out)));
  if (io.input && child.stdin) jobs.push(pipeline(io.input, child.stdin));
  await Promise.all(jobs);
  const code = await done;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}`);
  return performance.now() - t;
}

interface ChildResult {
  path: string;
  wallMs: number;
  compression: string;
  format: string;
  jobs: number;
  files: number;
  dumpMs: number;
  verifyMs: number;
  bytes: number;
  baselineRssMB: number;
  peakRssMB: number;
}

/** The backup runs in its own process so that its peak RSS is measured alone. */
async function childBackup(
  project: string,
  dir: string,
  format: 'custom' | 'directory',
): Promise<ChildResult> {
  const script = fileURLToPath(new URL('./backup-child.mjs', import.meta.url));
  // Quiesced, as a one-way hop takes it: its whole run is downtime.
  const r = await run(process.execPath, [script, project, dir, 'quiesced', format]);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

/** The seeded notes' tables: `notes`, then `notes_2` … `notes_N` of the same shape. */
function noteTables(n: number): string[] {
  return ['notes', ...Array.from({ length: n - 1 }, (_, i) => `notes_${i + 2}`)];
}

/** Restores a backup into the deployment and says where the time went: each step, and the copy inside staging. */
async function timedRestore(
  dep: Awaited<ReturnType<typeof openDeployment>>,
  path: string,
): Promise<{ ms: number; planMs: number; steps: string; appDownMs: number }> {
  const start = performance.now();
  const plan = await restore(path, dep, { keepPrevious: false });
  const planMs = performance.now() - start;
  const stepMs: string[] = [];
  let stepStart = 0;
  let copied = 0;
  // The app is down from the start of stop-app to the end of start-app.
  let stopped = Number.NaN;
  let started = Number.NaN;
  await executeRestore(dep, plan, {
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === 'step' && e.status === 'started') stepStart = now;
      if (e.type === 'step' && e.step === 'stop-app' && e.status === 'started') stopped = now;
      if (e.type === 'step' && e.step === 'start-app' && e.status === 'finished') started = now;
      if (e.type === 'progress' && e.phase === 'restore') copied = now - stepStart;
      if (e.type === 'step' && e.status === 'finished') {
        const copy = e.step === 'staging' ? ` (copy ${(copied / 1000).toFixed(1)})` : '';
        stepMs.push(`${e.step} ${((now - stepStart) / 1000).toFixed(1)}${copy}`);
      }
    },
  });
  return { ms: performance.now() - start, planMs, steps: stepMs.join(', '), appDownMs: started - stopped };
}

async function main(): Promise<void> {
  await ensureTestbed();
  // The backup itself runs from the built package (dist/), as users run it.
  await run('npx', ['tsup', '--silent']);
  await using stack = await startEngramStack({ version: '0.15.0', seed: false });
  const pg = await stack.containerId('postgres');
  const rows = Math.ceil((GB * 1024 ** 3) / 560);
  const tables = noteTables(TABLES);
  process.stderr.write(`seeding ~${GB} GB (${rows} notes over ${TABLES} table(s))…\n`);
  const seedStart = performance.now();
  await stack.query("INSERT INTO users (email) VALUES ('bench@example.test')");
  for (const t of tables.slice(1)) await stack.query(`CREATE TABLE ${t} (LIKE notes INCLUDING ALL)`);
  const perTable = Math.ceil(rows / TABLES);
  const batch = 500_000;
  for (const t of tables) {
    for (let done = 0; done < perTable; done += batch) {
      await stack.query(
        `INSERT INTO ${t} (user_id, title, body) SELECT (SELECT id FROM users LIMIT 1), 'n' || g, ` +
          `repeat(md5(random()::text) || md5(random()::text), 8) FROM generate_series(1, ${Math.min(batch, perTable - done)}) g`,
      );
    }
    await stack.query(`VACUUM ANALYZE ${t}`);
  }
  const dbBytes = Number((await stack.query('SELECT pg_database_size(current_database())'))[0]![0]);
  process.stderr.write(
    `seeded ${(dbBytes / 1024 ** 3).toFixed(2)} GiB in ${((performance.now() - seedStart) / 1000).toFixed(0)} s\n`,
  );

  const work = mkdtempSync(join(tmpdir(), 'engram-bench-'));
  const dep = await openDeployment({ project: stack.projectName });
  // What the default (format: 'auto') would take here, and why; planning changes nothing.
  const autoPlan = await backup(dep, { dir: join(work, 'auto'), mode: 'quiesced' });
  const raw: number[] = [];
  const rawDir: number[] = [];
  const ours: number[] = [];
  const wall: number[] = [];
  const dirDump: number[] = [];
  const dirWall: number[] = [];
  let compression = '';
  const verify1: number[] = [];
  const dirVerify1: number[] = [];
  let rss = 0;
  let baselineRss = 0;
  let lastBackup = '';
  let lastDirBackup = '';
  let dumpBytes = 0;
  let dir: ChildResult | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const rawFile = join(work, `raw-${r}.dump`);
    // Same durability as a backup: the raw file counts as written once it is fsynced.
    const rawStart = performance.now();
    await timed('docker', ['exec', pg, 'pg_dump', '-Fc', '-U', 'engram', '-d', 'engram'], { out: rawFile });
    await fsyncFile(rawFile);
    raw.push(performance.now() - rawStart);
    rmSync(rawFile);
    const child = await childBackup(stack.projectName, join(work, `ours-${r}`), 'custom');
    dir = await childBackup(stack.projectName, join(work, `dir-${r}`), 'directory');
    // The directory format's own floor: pg_dump -Fd -j into the container's /tmp, nothing copied out.
    rawDir.push(
      await timed(
        'docker',
        [
          'exec',
          pg,
          'sh',
          '-c',
          `rm -rf /tmp/bench-fd && pg_dump -Fd -j ${dir.jobs} --compress=${dir.compression === 'gzip' ? 'gzip' : `${dir.compression}:1`} -U engram -d engram -f /tmp/bench-fd && sync && rm -rf /tmp/bench-fd`,
        ],
        {},
      ),
    );
    ours.push(child.dumpMs);
    wall.push(child.wallMs);
    dirDump.push(dir.dumpMs);
    dirWall.push(dir.wallMs);
    compression = child.compression;
    verify1.push(child.verifyMs);
    dirVerify1.push(dir.verifyMs);
    dumpBytes = child.bytes;
    rss = Math.max(rss, child.peakRssMB, dir.peakRssMB);
    baselineRss = child.baselineRssMB;
    if (lastBackup) rmSync(lastBackup, { recursive: true });
    if (lastDirBackup) rmSync(lastDirBackup, { recursive: true });
    lastBackup = child.path;
    lastDirBackup = dir.path;
  }
  const v2Start = performance.now();
  await verifyBackup(lastBackup, { level: 2, postgresImage: postgresImage() });
  const verify2 = performance.now() - v2Start;
  const dv2Start = performance.now();
  await verifyBackup(lastDirBackup, { level: 2, postgresImage: postgresImage() });
  const dirVerify2 = performance.now() - dv2Start;

  // Documented plain-SQL path: pg_dump | gzip, then gunzip | psql into an empty database.
  const sqlGz = join(work, 'plain.sql.gz');
  const gzDumpMs = await timed(
    'sh',
    ['-c', `docker exec ${pg} pg_dump -U engram engram --clean --if-exists | gzip > ${sqlGz}`],
    {},
  );
  await stack.query('CREATE DATABASE plain_restore');
  const plainRestoreMs = await timed(
    'docker',
    ['exec', '-i', pg, 'psql', '-q', '-U', 'engram', '-d', 'plain_restore'],
    {
      input: createReadStream(sqlGz).pipe(createGunzip()),
    },
  );
  await stack.query('DROP DATABASE plain_restore');
  const sqlGzBytes = statSync(sqlGz).size;

  const custom = await timedRestore(dep, lastBackup);
  const directory = await timedRestore(dep, lastDirBackup);
  rmSync(work, { recursive: true, force: true });

  const rawMs = median(raw);
  const oursMs = median(ours);
  const wallMs = median(wall);
  const dirWallMs = median(dirWall);
  const restoreSpeedup = plainRestoreMs / custom.ms;
  const dirRestoreSpeedup = plainRestoreMs / directory.ms;
  const out = {
    bench: 'backup',
    tables: TABLES,
    dbBytes,
    dumpBytes,
    rounds: ROUNDS,
    autoFormat: autoPlan.format,
    autoReason: autoPlan.formatReason,
    rawDumpMs: Math.round(rawMs),
    oursDumpMs: Math.round(oursMs),
    compression,
    throughputRatio: Number((rawMs / oursMs).toFixed(3)),
    quiescedBackupMs: Math.round(wallMs),
    quiescedVsRawDump: Number((wallMs / rawMs).toFixed(3)),
    quiescedGoal: wallMs <= 0.5 * rawMs ? 'met (<= 0.5)' : 'missed (> 0.5)',
    oursMBps: Number((dbBytes / 1024 ** 2 / (oursMs / 1000)).toFixed(1)),
    dirJobs: dir?.jobs,
    dirFiles: dir?.files,
    dirBytes: dir?.bytes,
    rawDirDumpMs: Math.round(median(rawDir)),
    dirDumpMs: Math.round(median(dirDump)),
    dirQuiescedBackupMs: Math.round(dirWallMs),
    dirQuiescedVsRawDump: Number((dirWallMs / rawMs).toFixed(3)),
    dirQuiescedGoal: dirWallMs <= 0.5 * rawMs ? 'met (<= 0.5)' : 'missed (> 0.5)',
    peakRssMB: Number(rss.toFixed(1)),
    baselineRssMB: Number(baselineRss.toFixed(1)),
    verify1Ms: Math.round(median(verify1)),
    verify1Overhead: Number((median(verify1) / oursMs).toFixed(3)),
    verify2Ms: Math.round(verify2),
    verify2Overhead: Number((verify2 / oursMs).toFixed(3)),
    dirVerify1Ms: Math.round(median(dirVerify1)),
    dirVerify2Ms: Math.round(dirVerify2),
    plainGzipDumpMs: Math.round(gzDumpMs),
    plainSqlGzBytes: sqlGzBytes,
    plainRestoreMs: Math.round(plainRestoreMs),
    oursRestoreMs: Math.round(custom.ms),
    restorePlanMs: Math.round(custom.planMs),
    restoreStepsS: custom.steps,
    restoreSpeedup: Number(restoreSpeedup.toFixed(3)),
    restoreGoal: restoreSpeedup >= 2 ? 'met (>= 2)' : 'missed (< 2)',
    // How long the app was down during ours, against the documented load alone (the documented
    // procedure has the app stopped at least that long).
    oursRestoreAppDownMs: Math.round(custom.appDownMs),
    plainLoadVsOursAppDown: Number((plainRestoreMs / custom.appDownMs).toFixed(3)),
    dirRestoreMs: Math.round(directory.ms),
    dirRestoreStepsS: directory.steps,
    dirRestoreSpeedup: Number(dirRestoreSpeedup.toFixed(3)),
    dirRestoreGoal: dirRestoreSpeedup >= 2 ? 'met (>= 2)' : 'missed (< 2)',
    dirRestoreAppDownMs: Math.round(directory.appDownMs),
    plainLoadVsDirAppDown: Number((plainRestoreMs / directory.appDownMs).toFixed(3)),
  };
  console.log('| measure | value |\n|---|---|');
  for (const [k, v] of Object.entries(out)) if (k !== 'bench') console.log(`| ${k} | ${v} |`);
  console.log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
