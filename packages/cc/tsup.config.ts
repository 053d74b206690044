import { writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'packages/cc/src/index.ts' },
  outDir: 'packages/cc/dist',
  target: 'node20',
  platform: 'node',
  sourcemap: false,
  // The toolchain is loaded lazily at run time; @ddikit/sim-c holds the module format.
  external: ['@ddikit/sim-c', '@yowasp/clang'],
  tsconfig: 'tsconfig.json',
};

// ESM for import (with the declarations), CommonJS for require(): import.meta.url (the toolchain's
// require, toolchain.ts) is shimmed from __filename there. The CommonJS declarations re-export the
// ESM ones. `npm run build` empties dist/ first: a clean of one format would race with the other's output.
export default defineConfig([
  { ...shared, format: ['esm'], dts: true },
  {
    ...shared,
    format: ['cjs'],
    shims: true,
    onSuccess: async () => writeFileSync('packages/cc/dist/index.d.cts', "export * from './index.js';\n"),
  },
]);
