// One backup in a process of its own, on the built library under plain node, so that its peak RSS
// is the library's and not the benchmark's or a TypeScript loader's.
// Usage: node bench/backup-child.mjs <compose project> <backup dir> [online|quiesced] [auto|custom|directory]
// Prints one JSON line. wallMs is the whole executeBackup: in quiesced mode, the time the app is
// stopped for the backup.
import { backup, executeBackup, openDeployment } from '../dist/index.js';

const [project, dir, mode = 'online', format = 'auto'] = process.argv.slice(2);
const baseline = process.memoryUsage().rss;
const dep = await openDeployment({ project });
const plan = await backup(dep, { dir, mode, format });
const started = performance.now();
const result = await executeBackup(dep, plan);
const wallMs = performance.now() - started;
console.log(
  JSON.stringify({
    path: result.path,
    wallMs,
    dumpMs: result.manifest.timings.dumpMs,
    verifyMs: result.manifest.timings.verifyMs,
    bytes: result.manifest.files.reduce((n, f) => n + f.bytes, 0),
    files: result.manifest.files.length,
    format: result.manifest.format,
    jobs: result.manifest.jobs,
    compression: result.manifest.compression,
    baselineRssMB: baseline / 1024 ** 2,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 1024 ** 2,
  }),
);
