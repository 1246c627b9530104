import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { UPGRADE_ERROR_CODES, type UpgradeError, type UpgradeErrorCode } from '../../../src/errors';

const ROOT = new URL('../../../', import.meta.url).pathname;
const DOC = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

/** The `### \`CODE\`` sections of docs/errors.md, each with its text up to the next heading. */
function documented(): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = DOC.split(/^### /m).slice(1);
  for (const part of parts) {
    const code = /^`([A-Z_]+)`\s*$/m.exec(part.split('\n')[0] ?? '')?.[1];
    if (!code) continue;
    expect(sections.has(code), `${code} is documented twice`).toBe(false);
    sections.set(code, part.split(/^## /m)[0]!);
  }
  return sections;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('error codes', () => {
  it('docs/errors.md documents exactly the codes of UPGRADE_ERROR_CODES', () => {
    const inDoc = [...documented().keys()].sort();
    expect(inDoc).toEqual([...UPGRADE_ERROR_CODES].sort());
  });

  it('every documented code says what it means, what was left unchanged, and what to do', () => {
    for (const [code, text] of documented()) {
      for (const label of ['Means', 'Left unchanged', 'What to do']) {
        const line = new RegExp(`^\\*\\*${label}:\\*\\* (\\S.+)`, 'm').exec(text);
        expect(line, `${code}: ${label}`).not.toBeNull();
      }
    }
  });

  it('the code type is the list, and an UpgradeError carries one of them', () => {
    expectTypeOf<UpgradeErrorCode>().toEqualTypeOf<(typeof UPGRADE_ERROR_CODES)[number]>();
    expectTypeOf<UpgradeError['code']>().toEqualTypeOf<UpgradeErrorCode>();
    expect(new Set(UPGRADE_ERROR_CODES).size).toBe(UPGRADE_ERROR_CODES.length);
  });

  it('every code is thrown somewhere in src/ (no code is kept that nothing raises)', () => {
    const defining = join(ROOT, 'src/errors/upgrade-error.ts');
    const texts = sourceFiles(join(ROOT, 'src'))
      .filter((f) => f !== defining)
      .map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') }));
    // Two codes are raised through their own classes, whose constructors live with the list.
    const viaClass: Partial<Record<UpgradeErrorCode, string>> = {
      INVALID_INPUT: 'new InvalidInputError(',
      ABORTED: 'new AbortedError(',
    };
    const unused = UPGRADE_ERROR_CODES.filter(
      (code) =>
        !texts.some(
          ({ text }) => text.includes(`'${code}'`) || (viaClass[code] && text.includes(viaClass[code])),
        ),
    );
    expect(unused).toEqual([]);
  });
});
