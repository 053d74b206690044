import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'packages/ndis/src/index.ts' },
  outDir: 'packages/ndis/dist',
  // ESM for import, CommonJS for require(); the role monitor sits in a process-wide slot, so both
  // copies in one process check the same calls.
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'neutral',
  dts: true,
  clean: true,
  sourcemap: false,
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.json',
});
