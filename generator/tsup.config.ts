import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'generator/src/index.ts',
    cli: 'generator/src/cli/main.ts',
    // The thread `ddikit simulate` and `ddikit explore` run a driver in (commands/driver-run.ts).
    'driver-worker': 'generator/src/cli/commands/driver-worker.ts',
  },
  outDir: 'generator/dist',
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'generator/src/index.ts' } },
  clean: true,
  sourcemap: false,
  splitting: true,
  skipNodeModulesBundle: true,
  tsconfig: 'tsconfig.json',
});
