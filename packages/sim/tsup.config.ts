import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'packages/sim/src/index.ts' },
  outDir: 'packages/sim/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'neutral',
  dts: true,
  clean: true,
  sourcemap: false,
  // @ddikit/ndis stays a dependency: one copy of its role monitor per process.
  external: ['@ddikit/ndis'],
  tsconfig: 'tsconfig.json',
});
