import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { parseGitHubReleases } from '../../../src/notes';
import type { ReleaseNotes } from '../../../src/notes/release-notes';
import type { EngramStack } from '../../../src/testing';

/** The test series' release notes, as the GitHub releases API fixture gives them. */
export function seriesReleases(): ReleaseNotes[] {
  const json = readFileSync(
    join(import.meta.dirname, '../../fixtures/releases/github-releases.json'),
    'utf8',
  );
  return parseGitHubReleases(JSON.parse(json));
}

/** Temporary directories (state, backups) removed after the file's tests, even when they fail. */
export function tempDirs(): { make(prefix: string): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make(prefix) {
      const d = mkdtempSync(join(tmpdir(), prefix));
      made.push(d);
      return d;
    },
    cleanup() {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

const docker = new Docker();

/**
 * `docker inspect` of the app container without the fields that change by design when a container is
 * replaced: its id and name-derived hostname, the image, creation and state, compose's config hash and
 * image label, and the id of the container it replaced. Everything else (env, mounts including
 * anonymous volumes, networks and aliases, ports, labels, healthcheck, restart policy, ulimits, caps,
 * resources, logging) must survive an upgrade and its rollback.
 */
export async function appConfig(stack: EngramStack): Promise<Record<string, unknown>> {
  const info = await docker.getContainer(await stack.containerId('engram')).inspect();
  const labels = { ...info.Config.Labels };
  delete labels['com.docker.compose.config-hash'];
  delete labels['com.docker.compose.image'];
  delete labels['com.docker.compose.replace'];
  const { Hostname: _h, Image: _i, Labels: _l, Env, ...config } = info.Config;
  // Compose hands a recreated container its predecessor's anonymous volumes as explicit mount sources;
  // what is mounted, and which volume, is compared through `mounts` below.
  const { Mounts: _m, ...hostConfig } = info.HostConfig;
  return {
    config,
    env: [...(Env ?? [])].sort(),
    labels,
    hostConfig,
    mounts: info.Mounts.map((m) => ({
      type: m.Type,
      name: m.Name,
      destination: m.Destination,
      rw: m.RW,
      mode: m.Mode,
    })),
    networks: Object.fromEntries(
      Object.entries(info.NetworkSettings.Networks).map(([k, v]) => [
        k,
        [...(v.Aliases ?? [])].filter((a) => !/^[0-9a-f]{12}$/.test(a)).sort(),
      ]),
    ),
  };
}

/** Everything a "nothing lost" check compares: image id, config, database head and rows, files. */
export async function snapshot(stack: EngramStack): Promise<{
  imageId: string;
  config: Record<string, unknown>;
  migrations: string[];
  users: string[];
  notes: number;
  compose: string;
  env: string;
}> {
  const info = await docker.getContainer(await stack.containerId('engram')).inspect();
  return {
    imageId: info.Image,
    config: await appConfig(stack),
    migrations: await stack.migrationVersions(),
    users: (await stack.query('SELECT email FROM users ORDER BY email')).map((r) => r[0]!),
    notes: Number((await stack.query('SELECT count(*) FROM notes'))[0]![0]),
    compose: readFileSync(stack.composeFile, 'utf8'),
    env: readFileSync(stack.envFile, 'utf8'),
  };
}

/** Running app containers of the stack: an upgrade must never leave zero or two. */
export async function runningApps(stack: EngramStack): Promise<number> {
  const list = await docker.listContainers({
    filters: {
      label: [`com.docker.compose.project=${stack.projectName}`, 'com.docker.compose.service=engram'],
    },
  });
  return list.length;
}

/** Plans the upgrade `from → to` of a stack along the test series, with its own state and backup dirs. */
export async function planFor(
  stack: EngramStack,
  dirs: ReturnType<typeof tempDirs>,
  from: string,
  to: string,
  options: Omit<import('../../../src/upgrade/plan-upgrade').ApplyUpgradeOptions, 'stateDir' | 'backupDir'> & {
    stateDir?: string;
  } = {},
) {
  const { openDeployment } = await import('../../../src/deployment/deployment');
  const { planUpgradePath } = await import('../../../src/plan');
  const { applyUpgrade } = await import('../../../src/upgrade/plan-upgrade');
  const dep = await openDeployment({ project: stack.projectName });
  const path = planUpgradePath({ from, to, releases: seriesReleases() });
  const stateDir = options.stateDir ?? dirs.make('engram-test-state-');
  const plan = await applyUpgrade(dep, path, {
    ...options,
    stateDir,
    backupDir: dirs.make('engram-backups-'),
  });
  return { dep, path, plan, stateDir };
}
