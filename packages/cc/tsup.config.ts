import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'packages/cc/src/index.ts' },
  outDir: 'packages/cc/dist',
  format: ['esm'],
  target: 'node20',
  dts: true,
  clean: true,
  sourcemap: false,
  // The toolchain is loaded lazily at run time; @ddikit/sim-c holds the module format.
  external: ['@ddikit/sim-c', '@yowasp/clang'],
  platform: 'node',
  tsconfig: 'tsconfig.json',
});
