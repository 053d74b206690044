/**
 * Worker threads, against one thread, in the same run:
 *
 * - `ddikit explore --workers 2` against `--workers 1`: schedules per second over the same budget
 *   (the fixed lost-interrupt driver, so the search runs its whole budget). Target ≥ 1.7× on two
 *   cores, and the same output bytes.
 * - `ddikit simulate --seeds 512 --workers 2` against `--workers 1`: target ≥ 1.7×, the same output.
 *
 * Both commands run in this process as the CLI runs them (a watched driver thread, and the pool's
 * threads beside it), from the sources; each side runs twice, interleaved, and the faster of its two
 * runs counts (other work on the machine only ever slows a run down).
 */
import { fileURLToPath } from 'node:url';
import { runExplore } from '../generator/src/cli/commands/explore.js';
import { runSimulate } from '../generator/src/cli/commands/simulate.js';
import type { CliIo } from '../generator/src/cli/io.js';
import type { Result } from './harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXPLORE_BUDGET = 60_000;
/** Seeds of the simulate case: enough that starting the workers (each loads the driver) weighs little. */
const SIMULATE_SEEDS = 512;

async function timed(
  command: typeof runExplore,
  args: string[],
): Promise<{ ms: number; stdout: string; code: number }> {
  let stdout = '';
  const io: CliIo & { progress: boolean } = {
    cwd: root,
    stdout: (t) => (stdout += t),
    stderr: (t) => process.stderr.write(t),
    color: false,
    progress: false,
  };
  const started = performance.now();
  const code = await command(args, io);
  return { ms: performance.now() - started, stdout, code };
}

/** The faster of two interleaved runs of each side; whether every run printed the same bytes. */
async function versus(
  command: typeof runExplore,
  args: string[],
): Promise<{ oneMs: number; twoMs: number; same: boolean }> {
  let oneMs = Number.POSITIVE_INFINITY;
  let twoMs = Number.POSITIVE_INFINITY;
  const outputs = new Set<string>();
  for (let round = 0; round < 2; round++) {
    const one = await timed(command, [...args, '--workers', '1']);
    const two = await timed(command, [...args, '--workers', '2']);
    oneMs = Math.min(oneMs, one.ms);
    twoMs = Math.min(twoMs, two.ms);
    outputs.add(`${one.code}\n${one.stdout}`).add(`${two.code}\n${two.stdout}`);
  }
  return { oneMs, twoMs, same: outputs.size === 1 };
}

export async function benchParallel(): Promise<Result[]> {
  const explore = await versus(runExplore, [
    'examples/scenarios/lost-interrupt-fixed.ts',
    '--budget',
    String(EXPLORE_BUDGET),
    '--json',
  ]);
  const simulate = await versus(runSimulate, ['examples/e1000-line.ts', '--seeds', String(SIMULATE_SEEDS), '--json']);
  const exploreRatio = explore.oneMs / explore.twoMs;
  const simulateRatio = simulate.oneMs / simulate.twoMs;
  const bench = 'worker threads';
  return [
    {
      bench,
      metric: `explore, 1 worker, schedules/s (${EXPLORE_BUDGET.toLocaleString('en-US')})`,
      value: EXPLORE_BUDGET / (explore.oneMs / 1000),
      unit: '/s',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'explore, 2 workers, schedules/s',
      value: EXPLORE_BUDGET / (explore.twoMs / 1000),
      unit: '/s',
      target: '-',
      met: true,
    },
    {
      bench,
      metric: 'explore, 2 workers / 1',
      value: exploreRatio,
      unit: '×',
      target: '≥ 1.7×',
      met: exploreRatio >= 1.7,
    },
    {
      bench,
      metric: 'explore, output bytes that differ from 1 worker',
      value: explore.same ? 0 : 1,
      unit: 'runs',
      target: '0',
      met: explore.same,
    },
    {
      bench,
      metric: `simulate, ${SIMULATE_SEEDS} seeds, 2 workers / 1`,
      value: simulateRatio,
      unit: '×',
      target: '≥ 1.7×',
      met: simulateRatio >= 1.7,
    },
    {
      bench,
      metric: 'simulate, output bytes that differ from 1 worker',
      value: simulate.same ? 0 : 1,
      unit: 'runs',
      target: '0',
      met: simulate.same,
    },
  ];
}
