/**
 * `ddikit simulate --seeds N` holds a few seeds' simulations at a time, whatever N: the seeds run a
 * chunk at a time, and a chunk's simulations are let go once the timers their drivers left have run.
 * The test driver keeps 4 MB of heap per run beside its adapter; 120 seeds of it run in a process
 * whose heap may not grow past 192 MB, which keeping every seed's simulation to the end (480 MB)
 * cannot.
 */
import '../built-harness.js';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundled } from '../../generator/src/paths.js';

const bin = join(bundled.root, 'generator/bin/ddikit.js');
const built = existsSync(join(bundled.root, 'generator/dist/cli.js'));

describe.runIf(built)('simulate with many seeds', () => {
  for (const workers of ['1', '2']) {
    it(`keeps memory flat: 120 seeds of 4 MB each in a 192 MB heap, --workers ${workers}`, () => {
      const ran = spawnSync(
        process.execPath,
        [
          '--max-old-space-size=192',
          bin,
          'simulate',
          'test/cli/fixtures/heavy.ts',
          '--seeds',
          '120',
          '--ticks',
          '2000',
          '--workers',
          workers,
          '--json',
        ],
        { cwd: bundled.root, encoding: 'utf8', timeout: 120_000 },
      );
      expect(ran.stderr).toBe('');
      expect(ran.status).toBe(0);
      const report = JSON.parse(ran.stdout) as { runs: unknown[] };
      expect(report.runs).toHaveLength(120);
    });
  }
});
