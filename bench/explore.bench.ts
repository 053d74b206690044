/**
 * The explorer and the trace.
 *
 * - Schedules per second of `explore` on the lost-interrupt scenario with K = 2 (the fixed driver,
 *   so the search runs its whole budget: every schedule with up to two preemptions, then random
 *   ones), against the floor: plain seeded runs of the same driver and scenario, no scheduler.
 *   Target ≥ 20,000 schedules/s. Also: the schedules the explorer needs to find the lost interrupt.
 * - Peak memory (max RSS) of a run of 1,000,000 interrupts — an interrupt storm on the e1000-line
 *   scenario — with the trace on, in a fresh process, against the same run with the trace off.
 *   Target < 200 MB: the trace is a bounded ring.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSimulation, explore } from '@ddikit/sim';
import e1000Line, { scenario as e1000Scenario } from '../examples/scenarios/e1000-line.js';
import lostInterrupt, { lostInterruptDriver, scenario as lostScenario } from '../examples/scenarios/lost-interrupt.js';
import { type Result, scaled } from './harness.js';

const STORM_CHILD = '--explore-storm-child';
const STORM_INTERRUPTS = scaled(1_000_000, 10_000);
/** About 24 ticks per interrupt under the storm: enough ticks for STORM_INTERRUPTS. */
const STORM_TICKS = scaled(25_000_000, 250_000);
const EXPLORE_BUDGET = scaled(40_000, 200);
/** Runs before the explorer and the floor are measured. */
const WARMUP_RUNS = scaled(5_000, 0);

/** The storm run, in the child process: prints { interrupts, maxRssMb, ms }. */
function stormChild(trace: boolean): void {
  const sim = createSimulation({ seed: 1, device: e1000Scenario.device!(), faults: { storm: 20 }, trace });
  const started = performance.now();
  // Run until STORM_INTERRUPTS (a million) have been delivered.
  const result = sim.run(e1000Line, { ticks: STORM_TICKS });
  const ms = performance.now() - started;
  if (trace) sim.trace!.snapshot(result.tick); // the snapshot too stays bounded
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ interrupts: result.stats.interrupts, clean: result.clean, maxRssMb, ms })}\n`,
  );
}

if (process.argv.includes(STORM_CHILD)) {
  stormChild(process.argv.includes('trace'));
  process.exit(0);
}

function storm(trace: boolean): { interrupts: number; clean: boolean; maxRssMb: number; ms: number } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), STORM_CHILD, trace ? 'trace' : 'plain'],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (child.status !== 0) throw new Error(`the storm run failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
    interrupts: number;
    clean: boolean;
    maxRssMb: number;
    ms: number;
  };
}

export function benchExplore(): Result[] {
  const fixed = lostInterruptDriver({ fixed: true });
  // Warm up, then measure the explorer over its budget.
  if (WARMUP_RUNS > 0) explore({ driver: fixed, scenario: lostScenario, seed: 1, budget: WARMUP_RUNS });
  let started = performance.now();
  const explored = explore({ driver: fixed, scenario: lostScenario, seed: 1, budget: EXPLORE_BUDGET });
  const exploreRate = explored.schedules / ((performance.now() - started) / 1000);
  // The floor: the same runs, seeded, no scheduler.
  const sim = createSimulation({ seed: 1, device: lostScenario.device!(), mode: 'collect' });
  for (let i = 0; i < WARMUP_RUNS; i++) sim.run(fixed, { ticks: lostScenario.ticks! });
  started = performance.now();
  for (let i = 0; i < EXPLORE_BUDGET; i++) sim.run(fixed, { ticks: lostScenario.ticks! });
  const floorRate = EXPLORE_BUDGET / ((performance.now() - started) / 1000);
  const found = explore({ driver: lostInterrupt, scenario: lostScenario, seed: 1 });
  const foundAt = found.failure?.foundAt ?? Number.POSITIVE_INFINITY;

  const traced = storm(true);
  const plain = storm(false);
  return [
    {
      bench: 'explore (lost interrupt, K=2)',
      metric: `schedules/s over ${EXPLORE_BUDGET.toLocaleString('en-US')} (${explored.systematic} systematic)`,
      value: exploreRate,
      unit: '/s',
      target: '≥ 20,000/s',
      met: exploreRate >= 20_000,
    },
    {
      bench: 'explore (lost interrupt, K=2)',
      metric: 'floor: plain seeded runs/s, same driver',
      value: floorRate,
      unit: '/s',
      target: '-',
      met: true,
    },
    {
      bench: 'explore (lost interrupt, K=2)',
      metric: 'explorer / floor (run time per schedule)',
      value: floorRate / exploreRate,
      unit: '×',
      target: '-',
      met: true,
    },
    {
      bench: 'explore (lost interrupt, K=2)',
      metric: 'schedules to find the lost interrupt',
      value: foundAt,
      unit: 'schedules',
      target: '≤ 10,000 (default budget)',
      met: foundAt <= 10_000 && found.failure?.report.rule === 'INT-LOST',
    },
    {
      bench: 'storm, trace on',
      metric: `peak RSS, ${traced.interrupts.toLocaleString('en-US')} interrupts`,
      value: traced.maxRssMb,
      unit: 'MB',
      target: '< 200 MB',
      met: traced.maxRssMb < 200 && traced.interrupts >= STORM_INTERRUPTS && traced.clean,
    },
    {
      bench: 'storm, trace on',
      metric: 'floor: peak RSS, trace off',
      value: plain.maxRssMb,
      unit: 'MB',
      target: '-',
      met: true,
    },
    {
      bench: 'storm, trace on',
      metric: 'trace on / off (peak RSS)',
      value: traced.maxRssMb / plain.maxRssMb,
      unit: '×',
      target: '-',
      met: true,
    },
    {
      bench: 'storm, trace on',
      metric: 'interrupts/s, trace on',
      value: traced.interrupts / (traced.ms / 1000),
      unit: '/s',
      target: '-',
      met: true,
    },
  ];
}
