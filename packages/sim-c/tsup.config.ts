import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'packages/sim-c/src/index.ts' },
  outDir: 'packages/sim-c/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: false,
  // @ddikit/ndis and @ddikit/sim stay dependencies: one harness per process.
  external: ['@ddikit/ndis', '@ddikit/sim'],
  tsconfig: 'tsconfig.json',
});
