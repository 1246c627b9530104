/**
 * Builds and pushes the test images: Postgres and one Engram stand-in per version of the series.
 * Cached by recipe: an image is rebuilt only when its build context or base changed; every tag is
 * pushed each run (cheap when the registry already holds the layers). Run after testbed/bootstrap.sh (`npm run testbed` does both).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../src/process/run-command';
import { engramRepository, testbedPostgresImage } from '../src/testing/images';
import { renderExs } from './lib/exs';
import { effectiveRequirement, migrationsUpTo, type ReleaseDecl, SERIES } from './series';
import { findTestbedDir } from './testbed-dir';

// Also right when bundled into the package's dist/ (ensureTestbed checks the directory is there).
const HERE = findTestbedDir(import.meta.url) ?? fileURLToPath(new URL('.', import.meta.url));
const WORK = join(HERE, '..', '.testbed', 'build');
const BASE = 'engram-upgrade-testbed/base:current';
const BASE_PG17 = 'engram-upgrade-testbed/base:pg17';
const BASE_PG18 = 'engram-upgrade-testbed/base:pg18';
const RECIPES = 'engram-upgrade-testbed/recipes';

function say(msg: string): void {
  process.stderr.write(`[testbed] ${msg}\n`);
}

function hashDir(dir: string, extra: string): string {
  const h = createHash('sha256').update(extra);
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else
        h.update(relative(dir, p))
          .update(String(st.mode & 0o777))
          .update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

/** Local tag that records which recipe an image was built from (images carry no labels of ours). */
function recipeTag(recipe: string): string {
  return `${RECIPES}:${recipe}`;
}

async function imageId(ref: string): Promise<string | undefined> {
  const r = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { allowFail: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function buildAndPush(
  context: string,
  tags: string[],
  buildArgs: Record<string, string>,
  base = BASE,
): Promise<void> {
  const baseId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', base])).stdout.trim();
  const recipe = hashDir(context, `${baseId}\n${JSON.stringify(buildArgs)}`);
  const primary = tags[0]!;
  const built = await imageId(recipeTag(recipe));
  if (!built || built !== (await imageId(primary))) {
    say(`building ${primary}`);
    const args = ['build', '-q', '--build-arg', `BASE=${base}`, '-t', recipeTag(recipe)];
    for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
    for (const t of tags) args.push('-t', t);
    await run('docker', [...args, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  }
  for (const t of tags) {
    await run('docker', ['tag', recipeTag(recipe), t]);
    // Always push: the registry is shared by every checkout on the machine, and a push of layers it
    // already holds only re-points the tag (well under a second).
    await run('docker', ['push', '-q', t]);
  }
}

function engramContext(release: ReleaseDecl): string {
  const dir = join(WORK, `engram-${release.version}`);
  rmSync(dir, { recursive: true, force: true });
  const lib = join(dir, 'app', 'lib', `engram-${release.version}`);
  const migDir = join(lib, 'priv', 'repo', 'migrations');
  mkdirSync(migDir, { recursive: true });
  for (const m of migrationsUpTo(release.version))
    writeFileSync(join(migDir, `${m.version}_${m.slug}.exs`), renderExs(m));
  writeFileSync(
    join(lib, 'priv', 'repo', 'structure.sql'),
    '-- structure of the baseline schema (stand-in)\n',
  );
  cpSync(join(HERE, 'images', 'engram', 'standin'), join(lib, 'standin'), { recursive: true });
  const { migrations: _m, ...decl } = release;
  const image = { ...decl, requiresApplied: effectiveRequirement(release.version) };
  writeFileSync(join(lib, 'standin', 'release.json'), `${JSON.stringify(image, null, 2)}\n`);
  const releases = join(dir, 'app', 'releases');
  mkdirSync(join(releases, release.version), { recursive: true });
  writeFileSync(join(releases, 'start_erl.data'), `15.2.7.1 ${release.version}\n`);
  writeFileSync(join(releases, 'COOKIE'), 'stand-in-cookie\n');
  writeFileSync(join(releases, release.version, 'env.sh'), '#!/bin/sh\n');
  mkdirSync(join(dir, 'app', 'bin'), { recursive: true });
  cpSync(join(HERE, 'images', 'engram', 'engram.sh'), join(dir, 'app', 'bin', 'engram'));
  cpSync(join(HERE, 'images', 'engram', 'entrypoint.sh'), join(dir, 'entrypoint.sh'));
  cpSync(join(HERE, 'images', 'engram', 'Dockerfile'), join(dir, 'Dockerfile'));
  chmodSync(join(dir, 'app', 'bin', 'engram'), 0o755);
  chmodSync(join(dir, 'entrypoint.sh'), 0o755);
  return dir;
}

export async function buildTestbedImages(): Promise<void> {
  const started = Date.now();
  mkdirSync(WORK, { recursive: true });
  const pg = join(WORK, 'postgres');
  rmSync(pg, { recursive: true, force: true });
  cpSync(join(HERE, 'images', 'postgres'), pg, { recursive: true });
  chmodSync(join(pg, 'entrypoint.sh'), 0o755);
  await buildAndPush(pg, [testbedPostgresImage(15)], { PG_MAJOR: '15' });
  await buildAndPush(pg, [testbedPostgresImage(17)], { PG_MAJOR: '17' }, BASE_PG17);
  // 18 has the official 18+ layout: the volume at /var/lib/postgresql, the data in 18/docker.
  await buildAndPush(
    pg,
    [testbedPostgresImage(18)],
    { PG_MAJOR: '18', PGDATA: '/var/lib/postgresql/18/docker', PG_VOLUME: '/var/lib/postgresql' },
    BASE_PG18,
  );
  const newest = SERIES[SERIES.length - 1]!;
  for (const release of SERIES) {
    const tags = [`${engramRepository()}:${release.version}`, `${engramRepository()}:${release.sha}`];
    if (release === newest) tags.push(`${engramRepository()}:latest`);
    await buildAndPush(engramContext(release), tags, { RELEASE_SHA: release.sha });
  }
  say(`images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Only as the script itself: bundled into the package, this module is part of a larger one.
if (import.meta.url.endsWith('/build-images.ts') && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildTestbedImages().catch((err: unknown) => {
    say(`ERROR: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
