import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'examples/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          // Containers share two cores: run integration files one at a time.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
