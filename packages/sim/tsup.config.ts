import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'packages/sim/src/index.ts' },
  outDir: 'packages/sim/dist',
  // ESM for import, CommonJS for require() and for drivers in CommonJS projects.
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'neutral',
  dts: true,
  clean: true,
  sourcemap: false,
  // @ddikit/ndis stays a dependency: one copy of its role monitor per process.
  external: ['@ddikit/ndis'],
  tsconfig: 'tsconfig.json',
});
