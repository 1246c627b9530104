import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Options } from 'tsup';
import tsupConfig from '../../../tsup.config';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '../../..');

/** Where the integration setup puts the path of the built command line for the test files. */
export const BUILT_CLI_ENV = 'ENGRAM_TEST_CLI';

/**
 * Builds the command line with the project's own tsup configuration (declarations aside) into a
 * directory of its own, so a `dist/` someone is using is left alone; under node_modules, so the packages
 * the binary imports resolve as they do from `dist/`, and git ignores it. `dispose` removes it.
 */
export async function buildCli(): Promise<{ bin: string; dispose(): void }> {
  const out = mkdtempSync(join(ROOT, 'node_modules/.engram-cli-build-'));
  try {
    await build({
      ...(tsupConfig as Options),
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
