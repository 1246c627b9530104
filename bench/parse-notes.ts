/**
 * Release-notes parsing against its floor: a bare fromMarkdown() of the same text, measured side by
 * side in the same run. Workloads: a 20-version release-please CHANGELOG and 1,000 release bodies.
 * Run: npx tsx bench/parse-notes.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { parseChangelog, parseReleaseNotes } from '../src/notes';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'releases');
const VERSIONS = 20;
const BODIES = 1000;
const WARMUP = 2;
const ROUNDS = 9;

/** The first VERSIONS versions of the fixture CHANGELOG (it holds 26). */
function changelog(): string {
  const lines = readFileSync(join(FIXTURES, 'CHANGELOG.md'), 'utf8').split('\n');
  const starts = lines.flatMap((l, i) => (/^## \[?\d/.test(l) ? [i] : []));
  return lines.slice(0, starts[VERSIONS] ?? lines.length).join('\n');
}

/** 1,000 bodies cycled from the fixtures (series bodies and hand-written ones), each with its version. */
function bodies(): { text: string; version: string }[] {
  const dir = join(FIXTURES, 'bodies');
  const files = readdirSync(dir).filter((f) => f.endsWith('.md'));
  const all = files.map((f) => ({
    text: readFileSync(join(dir, f), 'utf8'),
    version: f.replace(/^(release-v|handwritten-)/, '').replace(/\.md$/, ''),
  }));
  return Array.from({ length: BODIES }, (_, i) => all[i % all.length]!);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface Row {
  workload: string;
  floorMs: number;
  parseMs: number;
  ratio: number;
}

/** Floor and parser alternate within every round so both see the same machine state. */
function measure(workload: string, floor: () => void, parse: () => void): Row {
  for (let i = 0; i < WARMUP; i++) {
    floor();
    parse();
  }
  const floors: number[] = [];
  const parses: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    floors.push(time(floor));
    parses.push(time(parse));
  }
  const floorMs = median(floors);
  const parseMs = median(parses);
  return { workload, floorMs, parseMs, ratio: parseMs / floorMs };
}

const log = changelog();
const versions = parseChangelog(log).length;
if (versions !== VERSIONS)
  throw new Error(`expected ${VERSIONS} versions in the changelog, found ${versions}`);
const set = bodies();

const rows = [
  measure(
    `changelog, ${versions} versions`,
    () => fromMarkdown(log),
    () => parseChangelog(log),
  ),
  measure(
    `${BODIES} release bodies`,
    () => {
      for (const b of set) fromMarkdown(b.text);
    },
    () => {
      for (const b of set) parseReleaseNotes(b.text, { version: b.version });
    },
  ),
];

const fmt = (n: number) => n.toFixed(2).padStart(9);
console.log(`median of ${ROUNDS} rounds (after ${WARMUP} warm-up), ms`);
console.log(
  `${'workload'.padEnd(28)}${'fromMarkdown'.padStart(13)}${'parse'.padStart(10)}${'ratio'.padStart(8)}`,
);
for (const r of rows) {
  console.log(
    `${r.workload.padEnd(28)}${fmt(r.floorMs).padStart(13)}${fmt(r.parseMs).padStart(10)}${r.ratio.toFixed(2).padStart(8)}`,
  );
}
const round = (n: number) => Math.round(n * 100) / 100;
console.log(
  JSON.stringify({
    bench: 'parse-notes',
    rounds: ROUNDS,
    changelog: {
      versions,
      floorMs: round(rows[0]!.floorMs),
      parseMs: round(rows[0]!.parseMs),
      ratio: round(rows[0]!.ratio),
    },
    bodies: {
      count: BODIES,
      floorMs: round(rows[1]!.floorMs),
      parseMs: round(rows[1]!.parseMs),
      ratio: round(rows[1]!.ratio),
    },
  }),
);
