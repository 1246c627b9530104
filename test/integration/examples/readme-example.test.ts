import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngramStack } from '../../../src/testing';
import { type FakeGitHub, startFakeGitHub } from '../../unit/notes/fake-github';
import { tempDirs } from '../upgrade/helpers';

const ROOT = join(import.meta.dirname, '../../..');
const dirs = tempDirs();
let api: FakeGitHub;
beforeAll(async () => {
  api = await startFakeGitHub();
});
afterAll(async () => {
  await api?.close();
  dirs.cleanup();
});

/** The README's library example: the fenced block that opens with `// upgrade.mjs`. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((b) => b.startsWith('// upgrade.mjs\n'));
  if (!block) throw new Error('README.md has no ```js block opening with // upgrade.mjs');
  return block;
}

/** Replaces `from` (which must occur exactly once, so the README cannot drift from what is tested). */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from), `the README example contains ${from} once`).toHaveLength(2);
  return text.replace(from, () => to);
}

describe("README's library example", () => {
  it('plans and runs an upgrade of a real stack, as written, with only its names changed', async () => {
    await using stack = await startEngramStack({ version: '0.14.1' });
    const dir = dirs.make('engram-readme-');
    let script = readmeExample();
    // What a reader would change for their own deployment, and where the package itself is.
    script = replaceOnce(
      script,
      "from 'engram-upgrade'",
      `from ${JSON.stringify(join(ROOT, 'src/index.ts'))}`,
    );
    script = replaceOnce(
      script,
      "{ project: 'engram' }",
      `{ project: ${JSON.stringify(stack.projectName)} }`,
    );
    script = replaceOnce(
      script,
      "{ owner: 'engram-app', repo: 'Engram' }",
      `{ owner: 'engram-app', repo: 'Engram', baseUrl: ${JSON.stringify(api.baseUrl)} }`,
    );
    // The newest releases of the test series are built to fail; 0.15.0 is a plain one-hop upgrade.
    script = replaceOnce(script, "to: 'latest'", "to: '0.15.0'");
    script = replaceOnce(
      script,
      "'/var/backups/engram'",
      JSON.stringify(dirs.make('engram-readme-backups-')),
    );
    const file = join(dir, 'upgrade.mjs');
    writeFileSync(file, script);

    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT, // where the tsx loader resolves from
      env: { ...process.env, ENGRAM_UPGRADE_STATE_DIR: join(dir, 'state') },
      maxBuffer: 64 * 1024 * 1024,
    });

    expect(stdout).toMatch(/Hop 1 of 1: 0\.14\.1 → 0\.15\.0/);
    const planJson = stdout.slice(stdout.indexOf('\n{') + 1, stdout.lastIndexOf('\n}') + 2);
    expect(JSON.parse(planJson)).toMatchObject({ hops: [{ from: '0.14.1', to: '0.15.0' }] });
    expect(stderr).toMatch(/hop1\.recreate/); // the step events
    expect(stdout.trim().split('\n').at(-1)).toMatch(/0\.15\.0/); // result.summary
    expect(await stack.runningVersion()).toBe('0.15.0');
    expect(api.seen.map((r) => r.path)).toEqual(['/api/v3/repos/engram-app/Engram/releases?per_page=100']);
  });
});
