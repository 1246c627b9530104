import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Packages a caller that only parses notes and plans must not load: the Docker client and its SSH
 * transport, the container test framework, the tar reader, and the command line's progress bars and
 * colours. */
const HEAVY = [
  'dockerode',
  'docker-modem',
  'ssh2',
  'testcontainers',
  'tar-stream',
  'cli-progress',
  'picocolors',
];

/**
 * Runs `body` in a fresh Node process (TypeScript through tsx, as the sources are), then reports which
 * HEAVY packages ended up loaded. Every one of them is CommonJS, and Node registers each CommonJS module
 * in `require.cache` however it was reached (an ESM `import` included), so the cache is a complete
 * record of what was loaded. Each probe is a fresh process compiling TypeScript: seconds on a busy
 * machine, hence the tests' 30 s.
 */
function heavyLoadedBy(body: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    ${body}
    const loaded = Object.keys(createRequire(process.cwd() + '/').cache);
    const heavy = ${JSON.stringify(HEAVY)}.filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')));
    process.stdout.write(JSON.stringify(heavy));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe('a light package', () => {
  it('the probe sees every heavy package when something does load it (so it cannot pass vacuously)', () => {
    expect(
      heavyLoadedBy(
        `await import('dockerode'); await import('testcontainers'); await import('cli-progress'); await import('picocolors');`,
      ).sort(),
    ).toEqual([...HEAVY].sort());
  }, 30_000);

  it('importing the root entry to parse notes and plan loads none of them', () => {
    const heavy = heavyLoadedBy(`
      const m = await import(${JSON.stringify(`${ROOT}src/index.ts`)});
      const notes = m.parseReleaseNotes('# v1.1.0\\n\\nRequires 1.0.0 or later.', { version: '1.1.0' });
      m.parseGitHubReleases([]);
      try {
        m.planUpgradePath({ from: '1.0.0', to: '1.1.0', releases: [notes] });
      } catch (err) {
        if (!m.isUpgradeError(err)) throw err;
      }
      // Constructing the adapter is free too: dockerode is imported on its first call.
      new m.DockerodeDocker();
    `);
    expect(heavy).toEqual([]);
  }, 30_000);

  it('the testing entry loads testcontainers only when a stack is started', () => {
    expect(heavyLoadedBy(`await import(${JSON.stringify(`${ROOT}src/testing/index.ts`)});`)).toEqual([]);
  }, 30_000);
});
