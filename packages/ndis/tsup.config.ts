import { writeFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  entry: { index: 'packages/ndis/src/index.ts' },
  outDir: 'packages/ndis/dist',
  target: 'node20',
  platform: 'neutral',
  sourcemap: false,
  // Nine tenths of the JavaScript is the metadata table, as an object literal: its indentation and
  // line breaks were a sixth of the packed package. Names are kept (stack traces still read).
  minifyWhitespace: true,
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.json',
};

// ESM for import (with the declarations), CommonJS for require(). The role monitor sits in a
// process-wide slot, so both copies in one process check the same calls. The CommonJS entry's
// declarations are the ESM ones, re-exported, so they ship once. `npm run build` empties dist/
// first: a clean of one format would race with the other's output.
export default defineConfig([
  { ...shared, format: ['esm'], dts: true },
  {
    ...shared,
    format: ['cjs'],
    onSuccess: async () => writeFileSync('packages/ndis/dist/index.d.cts', "export * from './index.js';\n"),
  },
]);
