/**
 * A downstream project's integration test: an operator's infrastructure repository checks, in CI, that
 * the upgrade it is about to roll out works on a deployment shaped like its own — its old variable
 * name in `.env`, its own rows — before anyone runs it in production. `releases.json` holds the
 * release notes the team reviewed (a trimmed GitHub releases API response).
 *
 * Needs Docker and `npm i -D engram-upgrade testcontainers vitest`, and the images, prepared once per
 * run by `prepareEngramImages()` in the suite's global setup (or `npx engram-upgrade testbed`); see
 * docs/testing.md.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyUpgrade,
  executeUpgrade,
  openDeployment,
  parseGitHubReleases,
  planUpgradePath,
} from 'engram-upgrade';
import { startEngramStack } from 'engram-upgrade/testing';
import { afterAll, describe, expect, it } from 'vitest';

const RUNNING = '0.15.1';
const TARGET = '0.16.0';
const releases = parseGitHubReleases(
  JSON.parse(readFileSync(join(import.meta.dirname, 'releases.json'), 'utf8')),
);

const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe(`our rollout: Engram ${RUNNING} → ${TARGET}`, () => {
  it('is one hop that renames our registration variable', () => {
    const path = planUpgradePath({ from: RUNNING, to: TARGET, releases });
    expect(path.hops).toHaveLength(1);
    expect(path.hops[0]!.envChanges.renames).toEqual([
      expect.objectContaining({ from: 'REGISTRATION_ENABLED', to: 'ENGRAM_DEFAULT_REGISTRATION_MODE' }),
    ]);
  });

  it('keeps our notes and our setting, and ends healthy on the target', { timeout: 240_000 }, async () => {
    // A deployment like ours: the variable under its old name, and rows we must not lose.
    await using stack = await startEngramStack({
      version: RUNNING,
      env: { ENGRAM_DEFAULT_REGISTRATION_MODE: null, REGISTRATION_ENABLED: 'invite_only' },
    });
    await stack.query("INSERT INTO users (email) VALUES ('ops@example.test')");
    const notesBefore = await stack.query('SELECT count(*) FROM notes');

    const deployment = await openDeployment({ project: stack.projectName });
    const path = planUpgradePath({ from: RUNNING, to: TARGET, releases });
    const plan = await applyUpgrade(deployment, path, {
      backupDir: tempDir('rollout-backups-'),
      stateDir: tempDir('rollout-state-'),
    });
    await executeUpgrade(deployment, plan);

    expect((await stack.health()).body).toMatchObject({ status: 'ok', version: TARGET });
    expect(await stack.query('SELECT count(*) FROM notes')).toEqual(notesBefore);
    expect(await stack.query("SELECT email FROM users WHERE email = 'ops@example.test'")).toHaveLength(1);
    const env = readFileSync(stack.envFile, 'utf8');
    expect(env).toMatch(/^ENGRAM_DEFAULT_REGISTRATION_MODE=.*invite_only/m);
    expect(env).not.toMatch(/^REGISTRATION_ENABLED=/m);
  });
});
