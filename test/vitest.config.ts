import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@ddikit/ndis': here('../packages/ndis/src/index.ts'),
      '@ddikit/sim-c': here('../packages/sim-c/src/index.ts'),
      '@ddikit/sim': here('../packages/sim/src/index.ts'),
      '@ddikit/cc': here('../packages/cc/src/index.ts'),
      '@ddikit/generator': here('../generator/src/index.ts'),
    },
  },
  root: here('..'),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time even on two cores: most files spend their time waiting on the processes
    // and worker threads they start (the CLI, tsc, gcc, clang), which a single fork leaves idle.
    maxWorkers: 2,
  },
});
