import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The examples import the package by its name, as a project that installed it would.
const resolve = {
  alias: [
    {
      find: /^engram-upgrade\/testing$/,
      replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
    },
    { find: /^engram-upgrade$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  ],
};

const integration = {
  environment: 'node' as const,
  globalSetup: ['test/integration/global-setup.ts'],
  // Files share two cores with up to three others: a test that takes a minute alone may take several.
  testTimeout: 420_000,
  hookTimeout: 420_000,
};

/**
 * Integration files that take a minute or more (measured in CI runs), longest first. They start before
 * the others: vitest orders files it has no timings for (every file on a fresh clone) by path, which
 * started the longest ones last, and the run then waited for one or two of them on an idle machine.
 */
const SLOW_FIRST = [
  'test/integration/upgrade/rollback.test.ts',
  'test/integration/upgrade/killed-upgrader.test.ts',
  'test/integration/remote/remote-engine.test.ts',
  'test/integration/upgrade/upgrade-failures.test.ts',
  'test/integration/backup/killed-backup.test.ts',
  'test/integration/backup/backup-formats.test.ts',
  'test/integration/package/consumer.test.ts',
  'test/integration/testbed.test.ts',
  'test/integration/standin-faults.test.ts',
  'test/integration/backup/signed-backups.test.ts',
];

const ROOT = fileURLToPath(new URL('./', import.meta.url));
// A file renamed or removed would silently lose its place: say so instead.
for (const file of SLOW_FIRST) {
  if (!existsSync(ROOT + file))
    throw new Error(`vitest.config.ts: SLOW_FIRST names ${file}, which does not exist`);
}

/** Vitest's order (groups, then timings where it has them), with `SLOW_FIRST` ahead in each group. */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.indexOf(f.moduleId.slice(ROOT.length));
      return i === -1 ? SLOW_FIRST.length : i;
    };
    return (await super.sort(files)).sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b),
    );
  }
}

/** Integration files at a time (ENGRAM_TEST_WORKERS overrides; 1 runs them one after another). */
const integrationWorkers = Number(process.env.ENGRAM_TEST_WORKERS ?? 4);

export default defineConfig({
  test: {
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // First, beside only the serial files: property tests and tests that start child processes use
          // the cores for seconds; beside four integration files their timeouts would fail runs that
          // found no defect.
          sequence: { groupOrder: 0 },
          // One file per core (vitest's default leaves one core idle), in worker threads that keep the
          // modules they loaded from file to file: loading the library again for each of a hundred files
          // was most of the unit tests' time. Files must not leave state behind (shared fixtures are
          // copied); a shuffled order (--sequence.shuffle) finds one that does.
          maxWorkers: availableParallelism(),
          pool: 'threads',
          isolate: false,
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: [...configDefaults.exclude, '**/*.serial.test.ts'],
          ...integration,
          // Each file starts its own compose projects and temp dirs and changes nothing shared, so files
          // run side by side: most of their time is spent waiting on containers, not on the two cores.
          maxWorkers: integrationWorkers,
          sequence: { groupOrder: 1 },
        },
      },
      {
        resolve,
        test: {
          name: 'integration-serial',
          // Files that measure time (health polled every 50 ms while migrations run) do not share the
          // cores with four integration files: they run in the unit tests' group, before the integration
          // files, where no more files run at once than there are cores. (The same worker count as the
          // unit project is what lets vitest put them in one group; with fileParallelism off they would
          // run alone after everything else.)
          include: ['test/integration/**/*.serial.test.ts'],
          ...integration,
          maxWorkers: availableParallelism(),
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
