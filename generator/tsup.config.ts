import { writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const shared = {
  outDir: 'generator/dist',
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.json',
} as const;

// No config cleans dist/ (one would race with the other's output): `npm run build` empties it first.
export default defineConfig([
  // The library and the CLI as ESM; the CLI is only ever imported by bin/ddikit.js.
  {
    ...shared,
    entry: {
      index: 'generator/src/index.ts',
      cli: 'generator/src/cli/main.ts',
      // The thread `ddikit simulate` and `ddikit explore` run a driver in (commands/driver-run.ts).
      'driver-worker': 'generator/src/cli/commands/driver-worker.ts',
    },
    format: ['esm'],
    dts: { entry: { index: 'generator/src/index.ts' } },
    splitting: true,
  },
  // The library for require(): import.meta.url (paths.ts) is shimmed from __filename. Its
  // declarations are the ESM ones, re-exported, so they ship once.
  {
    ...shared,
    entry: { index: 'generator/src/index.ts' },
    format: ['cjs'],
    shims: true,
    onSuccess: async () => writeFileSync('generator/dist/index.d.cts', "export * from './index.js';\n"),
  },
]);
