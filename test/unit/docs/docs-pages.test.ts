import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../../../src/index';
import * as testing from '../../../src/testing/index';

const ROOT = join(import.meta.dirname, '../../..');
const DOCS = join(ROOT, 'docs');
const pages = [
  ...readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(DOCS, f)),
  join(DOCS, 'schemas/README.md'),
  join(ROOT, 'README.md'),
];
const text = (path: string) => readFileSync(path, 'utf8');

describe('docs pages', () => {
  it('every relative link points at a file or directory that exists', () => {
    for (const page of pages) {
      for (const [, target] of text(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!) || target!.startsWith('#')) continue;
        const path = resolve(dirname(page), target!.split('#')[0]!);
        expect(existsSync(path), `${page.slice(ROOT.length + 1)} links to ${target}`).toBe(true);
      }
    }
  });

  it('every name a page imports from the package is exported there', () => {
    const modules: Record<string, Record<string, unknown>> = {
      'engram-upgrade': root,
      'engram-upgrade/testing': testing,
    };
    for (const page of pages) {
      for (const [, names, from] of text(page).matchAll(/import \{([^}]+)\} from '(engram-upgrade[^']*)'/g)) {
        for (const name of names!.split(',').map((n) => n.trim().replace(/^type /, ''))) {
          if (name) expect(modules[from!]![name], `${name} in ${page.slice(ROOT.length + 1)}`).toBeDefined();
        }
      }
    }
  });

  it('the fault guarantees answer every row of the fault table, each with a test file that exists', () => {
    const page = text(join(DOCS, 'fault-guarantees.md'));
    const rows = [...page.matchAll(/^\| (\d+) +\|(.*)$/gm)];
    expect(rows.map((r) => Number(r[1]))).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (const [, n, rest] of rows) {
      const status = rest!.match(/\| (shown|partly|not yet) +\|$/)?.[1];
      expect(status, `row ${n} has no status`).toBeDefined();
      const files = [...rest!.matchAll(/`(test\/[^`]+\.ts)`/g)].map((m) => m[1]!);
      if (status !== 'not yet') expect(files.length, `row ${n} names no test file`).toBeGreaterThan(0);
      for (const f of files) expect(existsSync(join(ROOT, f)), `row ${n}: ${f}`).toBe(true);
    }
  });
});
