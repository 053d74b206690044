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

// One build, ESM. require() gets the same module through Node's require(esm) (Node 20.19 and later):
// index.cjs only hands it over, so the package ships its metadata table once and a process holds one
// copy of it whichever way it is loaded. The CommonJS entry's declarations are the ESM ones,
// re-exported.
export default defineConfig({
  ...shared,
  format: ['esm'],
  dts: true,
  onSuccess: async () => {
    writeFileSync('packages/ndis/dist/index.cjs', "'use strict';\nmodule.exports = require('./index.js');\n");
    writeFileSync('packages/ndis/dist/index.d.cts', "export * from './index.js';\n");
  },
});
