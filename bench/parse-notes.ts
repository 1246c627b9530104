/**
 * Release-notes parsing against its floor: a bare fromMarkdown() of the same text, measured side by
 * side in the same run. Workloads: a 20-version release-please CHANGELOG, 1,000 release bodies, and a
 * generated real-size CHANGELOG (~120 KB, 20 versions) parsed whole and as the 3-version window an
 * upgrade plan needs (goal: the window in 10 ms or less).
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
const BIG_VERSIONS = 20;
const BIG_BYTES = 120 * 1024;
const WINDOW_GOAL_MS = 10;
const WARMUP = 2;
const ROUNDS = 9;
// The window parse takes milliseconds: more rounds make its median steady on a shared machine.
const WINDOW_ROUNDS = 41;

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

/**
 * A release-please CHANGELOG of BIG_VERSIONS versions and about BIG_BYTES, newest first, written from a
 * fixed pseudo-random sequence so every run parses the same text. Most bullets are plain features and
 * fixes; some versions carry breaking changes, renames and an upgrade guide with commands.
 */
function bigChangelog(): { text: string; versions: string[] } {
  let state = 0x2f6b1a3d;
  const next = (n: number): number => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[next(xs.length)]!;
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[next(16)]).join('');
  const scopes = ['sync', 'search', 'web', 'api', 'auth', 'db', 'storage', 'mcp', 'editor', 'export'];
  const what = [
    'keep the cursor in place when a remote edit lands above it',
    'batch embedding requests so large vaults index faster',
    'show who changed a note in the revision list',
    'retry a failed upload after the connection comes back',
    'stop counting archived notes against the storage quota',
    'let admins revoke every session of a user at once',
    'render tables with merged header cells',
    'return 404 instead of 500 for a note that was deleted',
    'skip empty folders when exporting a vault as a zip',
    'cache the backlink graph between two saves',
  ];
  const repo = 'https://github.com/example-org/notes-server';
  const bullet = (n: number): string => {
    const sha = hex(40);
    return `* **${pick(scopes)}:** ${pick(what)} ([#${n}](${repo}/issues/${n})) ([${sha.slice(0, 7)}](${repo}/commit/${sha}))`;
  };
  const versions = Array.from({ length: BIG_VERSIONS }, (_, i) => `4.${BIG_VERSIONS - 1 - i}.0`);
  const perVersion = Math.floor(BIG_BYTES / BIG_VERSIONS);
  let issue = 4000;
  const parts = ['# Changelog', ''];
  versions.forEach((v, i) => {
    const previous = versions[i + 1] ?? '3.9.0';
    const lines = [`## [${v}](${repo}/compare/${previous}...${v}) (2026-0${1 + (i % 9)}-1${i % 10})`, ''];
    if (i % 4 === 1) {
      lines.push(
        '### ⚠ BREAKING CHANGES',
        '',
        `* **config:** uploads now go through \`BLOB_STORE_URL_${i}\`; \`UPLOAD_DIR_${i}\` is no longer read.`,
        '* **api:** list endpoints return pages of 100 items.',
        '',
      );
    }
    if (i % 5 === 0) {
      lines.push(
        `### Upgrade from ${previous.split('.').slice(0, 2).join('.')} to ${v.split('.').slice(0, 2).join('.')}`,
        '',
        '1. Back up the database:',
        '   ```sh',
        '   docker compose exec -T postgres pg_dump -U notes notes | gzip > before.sql.gz',
        '   ```',
        '2. Pull and start the new release:',
        '   ```sh',
        '   docker compose pull && docker compose up -d',
        '   ```',
        '',
      );
    }
    const sections = ['### Features', '### Bug Fixes', '### Performance Improvements'];
    let size = lines.join('\n').length;
    for (const [k, title] of sections.entries()) {
      lines.push(title, '');
      const share =
        k === sections.length - 1 ? perVersion : size + (perVersion - size) / (sections.length - k);
      while (size < share) {
        const b = bullet(issue++);
        lines.push(b);
        size += b.length + 1;
      }
      lines.push('');
    }
    parts.push(...lines);
  });
  return { text: parts.join('\n'), versions };
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
function measure(workload: string, floor: () => void, parse: () => void, rounds = ROUNDS): Row {
  for (let i = 0; i < WARMUP; i++) {
    floor();
    parse();
  }
  const floors: number[] = [];
  const parses: number[] = [];
  for (let i = 0; i < rounds; i++) {
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
const big = bigChangelog();
const bigVersions = parseChangelog(big.text).length;
if (bigVersions !== BIG_VERSIONS) throw new Error(`expected ${BIG_VERSIONS} versions, found ${bigVersions}`);
// The window planning 4.8.0 → 4.10.0 needs: the running version, the one between, the target.
const window = { from: big.versions[BIG_VERSIONS - 9]!, to: big.versions[BIG_VERSIONS - 11]! };
const windowNotes = parseChangelog(big.text, window);
const windowVersions = windowNotes.map((n) => n.version);
if (windowVersions.length !== 3) throw new Error(`expected 3 versions in ${JSON.stringify(window)}`);
const fromWhole = parseChangelog(big.text).filter((n) => windowVersions.includes(n.version));
if (JSON.stringify(fromWhole) !== JSON.stringify(windowNotes))
  throw new Error('the window reads differently');
if (
  !windowNotes.some((n) => n.upgradeSections.length > 0) ||
  !windowNotes.some((n) => n.breaking.length > 0)
) {
  throw new Error('the window should hold an upgrade guide and breaking changes');
}
// The floor for the window: the markdown parser on the three sections' text alone, cut out by hand.
const bigLines = big.text.split('\n');
const sectionStart = (v: string) => bigLines.findIndex((l) => l.startsWith(`## [${v}]`));
const windowText = bigLines
  .slice(sectionStart(window.to), sectionStart(big.versions[big.versions.indexOf(window.from) + 1]!))
  .join('\n');
const kb = Math.round(big.text.length / 1024);

const rows = [
  measure(
    `changelog, ${versions} versions`,
    () => fromMarkdown(log),
    () => parseChangelog(log),
  ),
  measure(
    `changelog ${kb} KB, whole`,
    () => fromMarkdown(big.text),
    () => parseChangelog(big.text),
  ),
  measure(
    `changelog ${kb} KB, 3 versions`,
    () => fromMarkdown(windowText),
    () => parseChangelog(big.text, window),
    WINDOW_ROUNDS,
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
console.log(
  `median of ${ROUNDS} rounds (${WINDOW_ROUNDS} for the window) after ${WARMUP} warm-up, ms; the window's floor is fromMarkdown of its ${Math.round(windowText.length / 1024)} KB alone`,
);
console.log(
  `${'workload'.padEnd(32)}${'fromMarkdown'.padStart(13)}${'parse'.padStart(10)}${'ratio'.padStart(8)}`,
);
for (const r of rows) {
  console.log(
    `${r.workload.padEnd(32)}${fmt(r.floorMs).padStart(13)}${fmt(r.parseMs).padStart(10)}${r.ratio.toFixed(2).padStart(8)}`,
  );
}
const windowRow = rows[2]!;
console.log(
  `window ${window.from}…${window.to} (${windowVersions.join(', ')}) of ${kb} KB: ${windowRow.parseMs.toFixed(2)} ms, goal ≤ ${WINDOW_GOAL_MS} ms: ${windowRow.parseMs <= WINDOW_GOAL_MS ? 'met' : 'MISSED'}`,
);
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
    bigChangelog: {
      bytes: big.text.length,
      versions: BIG_VERSIONS,
      wholeMs: round(rows[1]!.parseMs),
      window: {
        ...window,
        versions: windowVersions.length,
        bytes: windowText.length,
        rounds: WINDOW_ROUNDS,
        parseMs: round(windowRow.parseMs),
        floorMs: round(windowRow.floorMs),
      },
      floorMs: round(rows[1]!.floorMs),
      goalMs: WINDOW_GOAL_MS,
    },
    bodies: {
      count: BODIES,
      floorMs: round(rows[3]!.floorMs),
      parseMs: round(rows[3]!.parseMs),
      ratio: round(rows[3]!.ratio),
    },
  }),
);
