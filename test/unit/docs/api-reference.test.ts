import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

// Running TypeDoc takes about a minute on a busy machine, so CI runs it (`.ci/run`, `npm run docs:api`);
// this checks, quickly, that what it documents is what the package exports and that a warning fails it.
describe('the API reference (TypeDoc)', () => {
  const config = json('typedoc.json') as {
    entryPoints: string[];
    treatWarningsAsErrors: boolean;
    out: string;
  };

  it('documents exactly the entry points the package exports', () => {
    const exports = json('package.json').exports as Record<string, { import?: { types?: string } }>;
    const sources = Object.values(exports)
      .map((e) => e.import?.types)
      .filter((t): t is string => t !== undefined)
      .map((t) => t.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));
    expect(config.entryPoints.sort()).toEqual(sources.sort());
    expect(sources).toEqual(expect.arrayContaining(['src/index.ts', 'src/testing/index.ts']));
  });

  it('fails on any warning, and CI generates it', () => {
    expect(config.treatWarningsAsErrors).toBe(true);
    expect(json('package.json').scripts['docs:api']).toBe('typedoc');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm run docs:api$/m);
  });

  it('is generated into a git-ignored folder', () => {
    expect(readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n')).toContain(`${config.out}/`);
  });
});
