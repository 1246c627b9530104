import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_DIR, schemaFiles } from '../../../docs/schemas/generate';

describe('docs/schemas', () => {
  const generated = schemaFiles();

  it('the committed files are what `npm run docs:schemas` writes from the zod schemas now', () => {
    for (const [name, text] of generated) {
      const committed = readFileSync(join(SCHEMA_DIR, name), 'utf8');
      expect(committed, `docs/schemas/${name} is out of date: run npm run docs:schemas`).toBe(text);
    }
  });

  it('holds no schema file the generator no longer writes', () => {
    const onDisk = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
    expect(onDisk.sort()).toEqual([...generated.keys()].filter((f) => f.endsWith('.schema.json')).sort());
  });

  it('documents every plan kind the library executes', () => {
    const kinds = [...generated.entries()]
      .filter(([name]) => name.endsWith('-plan.schema.json'))
      .map(
        ([, text]) => (JSON.parse(text) as { properties: { kind: { const: string } } }).properties.kind.const,
      );
    expect(kinds.sort()).toEqual(['backup', 'restore', 'rollback', 'upgrade']);
  });
});
