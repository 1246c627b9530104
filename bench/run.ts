/**
 * `npm run bench`: runs every benchmark in its own process, one after another (they share two
 * cores), prints each one's table, and writes their final JSON lines to bench/results/latest.json.
 * `npm run bench -- --only parse-notes,plan-path` runs a subset; `--quick` shrinks the databases and
 * runs one round of the downtime benchmark.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ALL = ['parse-notes', 'plan-path', 'backup', 'downtime', 'rollback'] as const;
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? '').split(',') : [...ALL];
const quick = process.argv.includes('--quick');

const results: Record<string, unknown> = {};
for (const name of ALL.filter((n) => only.includes(n))) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const quickArgs: Record<string, string[]> = {
    backup: ['--gb', '0.1', '--rounds', '1'],
    downtime: ['--rounds', '1'],
    rollback: ['--gb', '0.1'],
  };
  const args = ['tsx', script, ...(quick ? (quickArgs[name] ?? []) : [])];
  process.stdout.write(`\n## ${name}\n`);
  const r = spawnSync('npx', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(r.stdout);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    process.stderr.write(`benchmark ${name} failed (exit ${r.status})\n`);
    process.exitCode = 1;
    continue;
  }
  results[name] = JSON.parse(last);
}
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
