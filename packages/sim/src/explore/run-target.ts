/**
 * What the explorer runs and how one run goes: a driver with its scenario (`RunTarget`), resolved to
 * the seed, ticks and processors every run of a search shares, and a run that throws kept as an
 * outcome. The search (schedule-search.ts), the job runner (search-jobs.ts) and the explorer share it.
 */
import type { Device } from '../device/device.js';
import { E1000Nic } from '../device/e1000/e1000-nic.js';
import type { CostModel, TimeBudgets } from '../core/time.js';
import type { RunProbe } from '../core/probe.js';
import type { TraceOptions } from '../core/trace.js';
import type { InterruptOptions } from '../interrupts/interrupt-object.js';
import type { MiniportDefinition } from '../ndis/miniport.js';
import type { FaultOptions } from '../schedule/faults.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { RunResult } from '../simulation/options.js';
import { createSimulation, type Simulation } from '../simulation/simulation.js';
import type { Report } from '../verifier/report-types.js';
import type { RuleId } from '../verifier/rule-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';
import { SimulationError } from '../verifier/verifier.js';

/**
 * How to run a driver module for `ddikit explore` and `ddikit simulate`: a module may export it as
 * `scenario` next to its default-exported driver.
 */
export interface Scenario {
  /** A fresh device (default: `new E1000Nic()`). */
  readonly device?: () => Device;
  /** Simulated time of one run, in ticks (default {@link SCENARIO_TICKS_DEFAULT}). */
  readonly ticks?: number;
  readonly processors?: number;
  readonly interrupt?: InterruptOptions;
  readonly faults?: FaultOptions;
  readonly costs?: Partial<CostModel>;
  readonly budgets?: Partial<TimeBudgets>;
  /** Rules not to check in its runs (SimulationOptions.disabledRules). */
  readonly disabledRules?: readonly RuleId[];
}

export const SCENARIO_TICKS_DEFAULT = 5_000;

/** What to run: the driver, and how (the scenario; options here override it). */
export interface RunTarget {
  readonly driver: MiniportDefinition;
  /** Default 1. */
  readonly seed?: number;
  readonly scenario?: Scenario;
  readonly ticks?: number;
  readonly processors?: number;
  /** Replaces the scenario's faults. */
  readonly faults?: FaultOptions;
  /** Told of every run (seed and schedule) and role call, for a wall-clock watchdog. */
  readonly probe?: RunProbe;
  /**
   * Interrupt causes may arrive at choice points where nothing else could preempt
   * (InterruptOptions.arrivals). Default: explore turns them on when the default schedule has no
   * choice point with an alternative (a driver that masks its interrupts in its ISR).
   */
  readonly arrivals?: boolean;
  /** Rules not to check, besides the scenario's (SimulationOptions.disabledRules). */
  readonly disabledRules?: readonly RuleId[];
}

/** The values every run of a target shares. */
export interface Resolved {
  readonly driver: MiniportDefinition;
  readonly seed: number;
  readonly ticks: number;
  readonly processors: number;
}

export function resolveTarget(target: RunTarget): Resolved {
  if (typeof target !== 'object' || target === null) throw new TypeError('explore: options are required ({ driver })');
  const seed = target.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`explore: seed must be a non-negative safe integer (got ${String(seed)})`);
  const ticks = target.ticks ?? target.scenario?.ticks ?? SCENARIO_TICKS_DEFAULT;
  if (!Number.isSafeInteger(ticks) || ticks < 1)
    throw new RangeError(`explore: ticks must be a positive integer (got ${String(ticks)})`);
  const processors = target.processors ?? target.scenario?.processors ?? 2;
  return { driver: target.driver, seed, ticks, processors };
}

/**
 * A simulation for a target (collect mode: a run goes on past its first report). `raceSources`:
 * race reports name each access's source line (SimulationOptions.races), and LOCK-LEAK the line of
 * the acquire (lockSites) — for a run whose reports are shown (a replay), not for the search's many
 * runs, where it would cost more than the run.
 */
export function scenarioSimulation(target: RunTarget, trace?: boolean | TraceOptions, raceSources = false): Simulation {
  const resolved = resolveTarget(target);
  const scenario = target.scenario ?? {};
  const device = scenario.device !== undefined ? scenario.device() : new E1000Nic();
  return createSimulation({
    seed: resolved.seed,
    device,
    processors: resolved.processors,
    mode: 'collect',
    ...(scenario.interrupt !== undefined || target.arrivals !== undefined
      ? {
          interrupt: { ...scenario.interrupt, ...(target.arrivals !== undefined ? { arrivals: target.arrivals } : {}) },
        }
      : {}),
    ...(scenario.costs !== undefined ? { costs: scenario.costs } : {}),
    ...(scenario.budgets !== undefined ? { budgets: scenario.budgets } : {}),
    ...((target.faults ?? scenario.faults) !== undefined ? { faults: target.faults ?? scenario.faults } : {}),
    ...(trace !== undefined && trace !== false ? { trace } : {}),
    ...(target.probe !== undefined ? { probe: target.probe } : {}),
    ...(raceSources ? { lockSites: true, races: { sources: true } } : { races: { sources: false } }),
    ...(scenario.disabledRules !== undefined || target.disabledRules !== undefined
      ? { disabledRules: [...new Set([...(scenario.disabledRules ?? []), ...(target.disabledRules ?? [])])] }
      : {}),
  });
}

/** The first error of a run that lockset analysis did not find (what makes a schedule fail). */
export function manifestError(result: RunResult): Report | null {
  for (const report of result.reports) {
    if (report.severity === 'error' && !LOCKSET_RULES.includes(report.rule)) return report;
  }
  return null;
}

/** What one run gave: its result, or the error it threw. */
export type Outcome =
  | { readonly result: RunResult; readonly error: null }
  | { readonly result: null; readonly error: SimulationError };

/** Runs the driver once; a run that throws a SimulationError (the driver threw) is an outcome, not an exception. */
export function runOnce(sim: Simulation, resolved: Resolved, ticks: number, scheduler: Scheduler): Outcome {
  try {
    return { result: sim.run(resolved.driver, { ticks, scheduler }), error: null };
  } catch (error) {
    if (error instanceof SimulationError) return { result: null, error };
    throw error;
  }
}
