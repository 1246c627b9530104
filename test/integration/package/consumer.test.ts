import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, run } from '../../../src/process/run-command';

/**
 * The package as a downstream project gets it: packed with `npm pack` (which builds it), installed from
 * the tarball into a fresh project with its own package.json, vitest and TypeScript, and used there by
 * the README's harness section (global setup, a TypeScript and a JavaScript test) plus a test of the
 * image errors. One project serves every case, to keep this affordable in CI.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const own = createRequire(join(ROOT, 'package.json'));
const versionOf = (name: string) => (own(`${name}/package.json`) as { version: string }).version;

/** The fenced blocks of the README's harness section that open with `// <file>`: the files a consumer writes. */
function readmeHarnessFiles(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## The test harness'),
    readme.indexOf('## The Engram stand-in'),
  );
  const files = new Map<string, string>();
  for (const [, body] of section.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)) {
    const name = /^\/\/ (\S+)\n/.exec(body!)?.[1];
    if (name) files.set(name, body!);
  }
  return files;
}

/** The environment of this test run, less what would make the consumer's vitest think it is nested in ours. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|NODE_OPTIONS$|NODE_ENV$|TEST$)/.test(k)),
  );
}

async function sh(cmd: string, args: string[], cwd: string): Promise<RunResult> {
  const started = Date.now();
  const r = await run(cmd, args, { cwd, env: childEnv(), allowFail: true });
  process.stderr.write(
    `[package] ${cmd} ${args.slice(0, 3).join(' ')}: exit ${r.code} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return r;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** dist/ exists and every one of its files is newer than every input of the build. */
function distIsFresh(): boolean {
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'testing', 'index.js'))) return false;
  const built = Math.min(...filesUnder(dist).map((f) => statSync(f).mtimeMs));
  const inputs = [
    ...filesUnder(join(ROOT, 'src')),
    ...filesUnder(join(ROOT, 'testbed')),
    ...['package.json', 'tsconfig.json', 'tsup.config.ts'].map((f) => join(ROOT, f)),
  ];
  return inputs.every((f) => statSync(f).mtimeMs < built);
}

describe('engram-upgrade/testing from the packed tarball, in a fresh project', () => {
  const temp: string[] = [];
  let consumer = '';
  let installed = '';
  let packed: string[] = [];

  beforeAll(async () => {
    // Packed from a copy, so that the build never touches this checkout's dist/.
    const stage = mkdtempSync(join(tmpdir(), 'engram-pack-'));
    temp.push(stage);
    for (const entry of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'LICENSE',
      'tsconfig.json',
      'tsup.config.ts',
      'src',
      'testbed',
    ])
      cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'));
    // `npm pack` builds first (prepack). A dist/ built after every input changed (CI builds just
    // before the tests) is packed as it is instead, which saves the slowest minute of this test.
    const reuse = distIsFresh();
    if (reuse) cpSync(join(ROOT, 'dist'), join(stage, 'dist'), { recursive: true });
    process.stderr.write(
      `[package] ${reuse ? 'packing the fresh dist/ as it is' : 'building with npm pack'}\n`,
    );
    const pack = await sh(
      'npm',
      ['pack', '--json', '--pack-destination', stage, ...(reuse ? ['--ignore-scripts'] : [])],
      stage,
    );
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    packed = info!.files.map((f) => f.path);
    const tarball = join(stage, info!.filename);

    consumer = mkdtempSync(join(tmpdir(), 'engram-consumer-'));
    temp.push(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      `${JSON.stringify({ name: 'engram-consumer', private: true, type: 'module', scripts: { test: 'vitest run' } }, null, 2)}\n`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2022',
            lib: ['ES2023', 'ESNext.Disposable'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node'],
          },
          include: ['*.ts', 'test/**/*.ts'],
        },
        null,
        2,
      )}\n`,
    );
    const readme = readmeHarnessFiles();
    expect([...readme.keys()].sort()).toEqual([
      'global-setup.ts',
      'test/engram.test.js',
      'test/engram.test.ts',
      'vitest.config.ts',
    ]);
    for (const [name, text] of readme) {
      mkdirSync(dirname(join(consumer, name)), { recursive: true });
      writeFileSync(join(consumer, name), text);
    }
    cpSync(
      join(ROOT, 'test/integration/package/image-errors.consumer.ts'),
      join(consumer, 'test/image-errors.test.ts'),
    );

    const install = await sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        // No dependency's install script is needed (the package has none of its own); skipping the
        // optional native builds of dependencies keeps this to seconds.
        '--ignore-scripts',
        tarball,
        `vitest@${versionOf('vitest')}`,
        `typescript@${versionOf('typescript')}`,
        `testcontainers@${versionOf('testcontainers')}`,
        `@types/node@${versionOf('@types/node')}`,
      ],
      consumer,
    );
    expect(install.code, install.stderr).toBe(0);
    installed = join(consumer, 'node_modules', 'engram-upgrade');
  }, 600_000);

  afterAll(() => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the built entries, the test bed and every source file its source maps name', () => {
    for (const file of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/testing/index.js',
      'dist/testing/index.cjs',
      'dist/testing/index.d.ts',
      'dist/cli/main.js',
      'testbed/bootstrap.sh',
      'testbed/images/engram/Dockerfile',
      'testbed/images/postgres/Dockerfile',
    ])
      expect(packed, file).toContain(file);
    const maps = filesUnder(join(installed, 'dist')).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(4);
    const missing = maps.flatMap((map) =>
      (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources
        .map((s) => resolve(dirname(map), s))
        .filter((s) => !existsSync(s)),
    );
    expect(missing).toEqual([]);
  });

  it('CommonJS gets the same entries, and the harness throws the UpgradeError of the main entry', async () => {
    const script = `
      const { UpgradeError } = require('engram-upgrade');
      const testing = require('engram-upgrade/testing');
      testing.startEngramStack({ version: '0.15.0', database: 'no-dashes' }).catch((err) => {
        console.log(JSON.stringify({
          prepare: typeof testing.prepareEngramImages,
          same: err instanceof UpgradeError,
          code: err.code,
        }));
      });`;
    const r = await sh(process.execPath, ['-e', script], consumer);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ prepare: 'function', same: true, code: 'INVALID_INPUT' });
  });

  it('with source maps on, a stack trace names only files the package contains', async () => {
    const script = `
      import('engram-upgrade/testing').then((t) => t.startEngramStack({ version: '0.15.0', database: 'no-dashes' }))
        .catch((err) => console.log(err.stack));`;
    const r = await sh(process.execPath, ['--enable-source-maps', '-e', script], consumer);
    expect(r.code, r.stderr).toBe(0);
    const files = [...r.stdout.matchAll(/\(?(?:file:\/\/)?(\/[^():\s]+):\d+:\d+\)?/g)].map((m) => m[1]!);
    const ours = files.filter((f) => f.includes('/node_modules/engram-upgrade/'));
    expect(
      ours.some((f) => f.includes('/engram-upgrade/src/testing/start-engram-stack.ts')),
      r.stdout,
    ).toBe(true);
    expect(ours.filter((f) => !existsSync(f))).toEqual([]);
  });

  it('the installed command line has `testbed`, and pulls the versions asked for with --pull', async () => {
    const bin = join(consumer, 'node_modules/.bin/engram-upgrade');
    const help = await sh(bin, ['--help'], consumer);
    expect(help.stdout).toMatch(/^ +testbed +prepare the test bed/m);
    const usage = await sh(bin, ['testbed', '--help'], consumer);
    expect(usage.stdout).toContain('engram-upgrade testbed [--pull VERSION]... [--json]');
    const pulled = await sh(bin, ['testbed', '--pull', '0.15.0', '--json'], consumer);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ source: 'registry', versions: ['0.15.0'] });
  });

  it("the README's TypeScript files type-check against the published types", async () => {
    const r = await sh(join(consumer, 'node_modules/.bin/tsc'), ['-p', '.'], consumer);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it("the README's global setup, TypeScript and JavaScript tests, and the image-error tests pass there", async () => {
    const report = join(consumer, 'report.json');
    const r = await sh(
      join(consumer, 'node_modules/.bin/vitest'),
      ['run', '--reporter=json', `--outputFile=${report}`],
      consumer,
    );
    const result = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: {
        name: string;
        assertionResults: { title: string; status: string; failureMessages: string[] }[];
      }[];
    };
    const outcomes = result.testResults.flatMap((file) =>
      file.assertionResults.map((t) => ({
        file: file.name.slice(consumer.length + 1),
        test: t.title,
        status: t.status,
        failure: t.failureMessages.join('\n').slice(0, 2000),
      })),
    );
    expect(
      outcomes.filter((o) => o.status !== 'passed'),
      r.stderr.slice(-3000),
    ).toEqual([]);
    expect(outcomes.map((o) => o.file).sort()).toEqual([
      'test/engram.test.js',
      'test/engram.test.ts',
      'test/image-errors.test.ts',
      'test/image-errors.test.ts',
      'test/image-errors.test.ts',
    ]);
    expect(r.code).toBe(0);
  }, 600_000);
});
