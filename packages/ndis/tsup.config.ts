import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'packages/ndis/src/index.ts' },
  outDir: 'packages/ndis/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'neutral',
  dts: true,
  clean: true,
  sourcemap: false,
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.json',
});
