// One backup in a process of its own, on the built library under plain node, so that its peak RSS
// is the library's and not the benchmark's or a TypeScript loader's.
// Usage: node bench/backup-child.mjs <compose project> <backup dir>; prints one JSON line.
import { backup, executeBackup, openDeployment } from '../dist/index.js';

const [project, dir] = process.argv.slice(2);
const baseline = process.memoryUsage().rss;
const dep = await openDeployment({ project });
const result = await executeBackup(dep, await backup(dep, { dir }));
console.log(
  JSON.stringify({
    path: result.path,
    dumpMs: result.manifest.timings.dumpMs,
    verifyMs: result.manifest.timings.verifyMs,
    bytes: result.manifest.files[0].bytes,
    baselineRssMB: baseline / 1024 ** 2,
    peakRssMB: (process.resourceUsage().maxRSS * 1024) / 1024 ** 2,
  }),
);
