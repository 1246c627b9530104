import { mkdtempSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { build, type Options } from 'tsup';
import tsupConfig from '../../../tsup.config';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '../../..');

/** Where the integration setup puts the path of the built command line for the test files. */
export const BUILT_CLI_ENV = 'ENGRAM_TEST_CLI';

/**
 * The suite's child scripts (see `spawnScript`), built with the package so that a child runs on plain
 * `node` rather than compiling the sources under tsx each time: by file name, relative to the root.
 */
export const CHILD_SCRIPTS: Readonly<Record<string, string>> = {
  'kill-child.ts': 'test/integration/kill-child.ts',
  'recreate-child.ts': 'test/integration/compose/recreate-child.ts',
};

/** The folder of the build that holds the child scripts, one `<name>.js` each. */
const CHILDREN_DIR = 'test-children';

/**
 * Builds the command line with the project's own tsup configuration (declarations aside) into a
 * directory of its own, so a `dist/` someone is using is left alone; under node_modules, so the packages
 * the binary imports resolve as they do from `dist/`, and git ignores it. `dispose` removes it. The
 * child scripts (`CHILD_SCRIPTS`) are entries of the same build, so they share its modules.
 */
export async function buildCli(): Promise<{ bin: string; dispose(): void }> {
  const out = mkdtempSync(join(ROOT, 'node_modules/.engram-cli-build-'));
  try {
    await build({
      ...(tsupConfig as Options),
      entry: {
        ...((tsupConfig as Options).entry as Record<string, string>),
        ...Object.fromEntries(
          Object.entries(CHILD_SCRIPTS).map(([name, source]) => [
            `${CHILDREN_DIR}/${name.replace(/\.ts$/, '')}`,
            join(ROOT, source),
          ]),
        ),
      },
      outDir: out,
      format: ['esm'],
      dts: false,
      sourcemap: false,
      silent: true,
    });
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
  return { bin: join(out, 'cli/main.js'), dispose: () => rmSync(out, { recursive: true, force: true }) };
}

/** The built command line the integration setup made for this run. */
export function builtCli(): string {
  const bin = process.env[BUILT_CLI_ENV];
  if (!bin) {
    throw new Error(
      `${BUILT_CLI_ENV} is not set: run command-line tests in the integration projects, whose global setup builds the binary`,
    );
  }
  return bin;
}

/** The built JavaScript of a child script (a `.ts` file named in `CHILD_SCRIPTS`), from this run's build. */
export function builtChildScript(script: string): string {
  const name = basename(script);
  if (!CHILD_SCRIPTS[name] || join(ROOT, CHILD_SCRIPTS[name]) !== resolve(script)) {
    throw new Error(
      `${script} is not a built child script: add it to CHILD_SCRIPTS in ${import.meta.filename}`,
    );
  }
  return join(dirname(builtCli()), '..', CHILDREN_DIR, name.replace(/\.ts$/, '.js'));
}
