import { defineConfig } from 'tsup';

const shared = {
  outDir: 'generator/dist',
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.json',
} as const;

export default defineConfig([
  // The library and the CLI as ESM; the CLI is only ever imported by bin/ddikit.js.
  {
    ...shared,
    entry: { index: 'generator/src/index.ts', cli: 'generator/src/cli/main.ts' },
    format: ['esm'],
    dts: { entry: { index: 'generator/src/index.ts' } },
    clean: true,
    splitting: true,
  },
  // The library for require(): import.meta.url (paths.ts) is shimmed from __filename.
  {
    ...shared,
    entry: { index: 'generator/src/index.ts' },
    format: ['cjs'],
    dts: { entry: { index: 'generator/src/index.ts' } },
    shims: true,
  },
]);
