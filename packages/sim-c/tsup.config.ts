import { writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'packages/sim-c/src/index.ts' },
  outDir: 'packages/sim-c/dist',
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  // @ddikit/ndis and @ddikit/sim stay peers: one harness per process.
  external: ['@ddikit/ndis', '@ddikit/sim'],
  tsconfig: 'tsconfig.json',
};

// ESM for import (with the declarations), CommonJS for require(): import.meta.url (the header's path,
// abi.ts) is shimmed from __filename there. The CommonJS declarations re-export the ESM ones. `npm run
// build` empties dist/ first: a clean of one format would race with the other's output.
export default defineConfig([
  { ...shared, format: ['esm'], dts: true },
  {
    ...shared,
    format: ['cjs'],
    shims: true,
    onSuccess: async () => writeFileSync('packages/sim-c/dist/index.d.cts', "export * from './index.js';\n"),
  },
]);
