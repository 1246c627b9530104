import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // The maps name ../src and ../testbed files: both ship in the package (see `files`).
  sourcemap: true,
  clean: true,
  target: 'node20',
  // One copy of each module across the entries, so an UpgradeError thrown by engram-upgrade/testing
  // is `instanceof` the UpgradeError a consumer imports from engram-upgrade.
  splitting: true,
  // import.meta.url in the CommonJS build (the test bed finds its files relative to the code), made
  // here rather than by tsup's shims, whose module would be a source its maps name but not shipped.
  esbuildOptions(options, { format }) {
    if (format !== 'cjs') return;
    options.define = { ...options.define, 'import.meta.url': '__importMetaUrl' };
    options.banner = { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" };
  },
});
