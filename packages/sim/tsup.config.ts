import { writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'packages/sim/src/index.ts' },
  outDir: 'packages/sim/dist',
  target: 'node20',
  platform: 'neutral',
  sourcemap: false,
  // @ddikit/ndis stays a dependency: one copy of its role monitor per process.
  external: ['@ddikit/ndis'],
  tsconfig: 'tsconfig.json',
};

// ESM for import (with the declarations), CommonJS for require() and for drivers in CommonJS
// projects. The CommonJS entry's declarations are the ESM ones, re-exported, so they ship once. `npm run build` empties dist/
// first: a clean of one format would race with the other's output.
export default defineConfig([
  { ...shared, format: ['esm'], dts: true },
  {
    ...shared,
    format: ['cjs'],
    onSuccess: async () => writeFileSync('packages/sim/dist/index.d.cts', "export * from './index.js';\n"),
  },
]);
