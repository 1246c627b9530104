import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notesCommand } from '../../../src/cli/notes-command';
import { ReleaseNotesSchema } from '../../../src/notes/release-notes';

const fixtures = join(import.meta.dirname, '../../fixtures/releases');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), tty: false, env: {} },
  };
}

describe('engram-upgrade notes', () => {
  it('--json prints the parsed releases, each valid against ReleaseNotesSchema', async () => {
    const r = io();
    const code = await notesCommand(
      ['--releases-json', join(fixtures, 'github-releases.json'), '--json'],
      r.io,
    );
    expect(code).toBe(0);
    const releases = JSON.parse(r.out.join('')) as unknown[];
    expect(releases.length).toBeGreaterThan(3);
    for (const rel of releases) ReleaseNotesSchema.parse(rel);
  });

  it('prints breaking changes, renames and floors for a person, from a CHANGELOG', async () => {
    const r = io();
    expect(await notesCommand(['--changelog', join(fixtures, 'CHANGELOG.md')], r.io)).toBe(0);
    const text = r.out.join('');
    expect(text).toMatch(/^\d+\.\d+\.\d+/m);
    expect(text).toMatch(/breaking: /);
  });

  it('--offline without notes is bad input (exit 2 through the caller), saying what to pass', async () => {
    await expect(notesCommand(['--offline'], io().io)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      hint: expect.stringMatching(/--changelog FILE.*--releases-json FILE/),
    });
  });
});
