import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * The files that take longest, longest first (measured in a fresh clone, 2 cores). vitest orders
 * files by the durations it cached from the last run; in a fresh clone (CI) it has none and keeps the
 * order it found them in, which started large-spec (then about 2 minutes, one process at a time) among
 * the last: it then ran alone while the other fork had nothing left.
 */
const LONGEST = [
  'test/explore/parallel.test.ts',
  'test/hardening/large-spec.test.ts',
  'test/bench/bench-smoke.test.ts',
  'test/c/memory.test.ts',
  'test/cli/driver-run.test.ts',
  'test/explore/shards.test.ts',
  'test/hardening/kill-loop.test.ts',
  'test/hardening/harness-robustness.test.ts',
  'test/explore/cli.test.ts',
  'test/e2e/consumer.test.ts',
  'test/e2e/packages.test.ts',
  'test/hardening/hostile-folders.test.ts',
  'test/c/workers.test.ts',
  'test/generator/cli.test.ts',
  'test/hardening/fuzz-imported.test.ts',
  'test/hardening/fuzz.test.ts',
];

/** vitest's order when every file has a cached duration; LONGEST first otherwise (the rest as vitest puts them). */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const root = this.ctx.config.root;
    const path = (file: TestSpecification): string => relative(root, file.moduleId).split('\\').join('/');
    if (sorted.every((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${path(file)}`) !== undefined))
      return sorted;
    const rank = (file: TestSpecification): number => {
      const index = LONGEST.indexOf(path(file));
      return index === -1 ? LONGEST.length : index;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

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
    sequence: { sequencer: LongestFirst },
  },
});
