/**
 * The interleaving explorer: runs one driver under many schedules (scheduler.ts) to find the one
 * that breaks it, then shrinks it and describes it so it can be replayed exactly.
 *
 * 1. Systematic search by number of preemptions, as CHESS does (Musuvathi and Qadeer, 2007): the
 *    default schedule first, then every schedule that departs from it at one choice point, then at
 *    two, up to K (default 2). A departure — an ISR or another processor's DPC run where the default
 *    schedule would have gone on — counts as one preemption. The first level that holds a failure
 *    gives a failing schedule with the fewest preemptions.
 * 2. Random schedules fill the rest of the budget: at each choice point a departure with a small
 *    chance, drawn from a generator seeded from the explorer's seed.
 * 3. A failure is shrunk: departures removed while it still fails, alternatives lowered, the run cut
 *    short after the failure. The result names every departure and the seed, which replay it.
 *
 * A schedule fails when its run reports an error other than the lockset rules (ISR-SHARED-RACE,
 * SPINLOCK-FOR-ISR-STATE): lockset analysis finds a race without any particular interleaving, so
 * those reports are gathered (each once) as the races of the driver; the search goes on for a
 * schedule where the race does harm — a lost interrupt, a deadlock, any contract broken.
 */
import type { Device } from '../device/device.js';
import type { FaultOptions } from '../schedule/faults.js';
import type { InterruptOptions } from '../interrupts/interrupt-object.js';
import type { MiniportDefinition } from '../ndis/miniport.js';
import { E1000Nic } from '../device/e1000/e1000-nic.js';
import type { Report } from '../verifier/report-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';
import {
  formatSchedule,
  RandomScheduler,
  ReplayScheduler,
  type Deviation,
  type Schedule,
  type Scheduler,
  type ScheduleStep,
} from '../schedule/scheduler.js';
import type { RunResult } from '../simulation/options.js';
import { createSimulation, type Simulation } from '../simulation/simulation.js';
import { DriverError } from '../simulation/driver-error.js';
import type { DriverFrame } from '../simulation/driver-frames.js';
import { SimulationError } from '../verifier/verifier.js';
import type { RunProbe } from '../core/probe.js';
import type { RoleFrameReport } from '../verifier/report-types.js';
import type { CostModel, TimeBudgets } from '../core/time.js';
import type { TraceOptions, TraceSnapshot } from '../core/trace.js';

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
}

export const SCENARIO_TICKS_DEFAULT = 5_000;
export const EXPLORE_PREEMPTIONS_DEFAULT = 2;
export const EXPLORE_BUDGET_DEFAULT = 10_000;
/** Chance in 1000 of a departure at each choice point of a random schedule. */
export const EXPLORE_RANDOM_PER_MILLE_DEFAULT = 50;
/** Bytes of choice-point counts the systematic search keeps before it re-runs parents instead. */
const FRONTIER_BYTES_MAX = 32 * 1024 * 1024;
/** Runs one shrink may make. */
const SHRINK_RUNS_MAX = 400;

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
}

export interface ExploreOptions extends RunTarget {
  /** Most preemptions of the systematic search (K). Default 2. */
  readonly preemptions?: number;
  /** Schedules to run at most, systematic and random together. Default 10,000. */
  readonly budget?: number;
  /** Fill the budget with random schedules after the systematic search. Default true. */
  readonly random?: boolean;
  readonly randomPerMille?: number;
  /** Called every `progressEvery` schedules. */
  readonly onProgress?: (progress: ExploreProgress) => void;
  readonly progressEvery?: number;
}

export interface ExploreProgress {
  readonly schedules: number;
  readonly phase: 'systematic' | 'random' | 'shrink';
  /** Preemptions of the schedules being run (systematic phase). */
  readonly level: number;
}

export interface ExploreFailure {
  /** The shrunk schedule. */
  readonly schedule: Schedule;
  /** The schedule as the search found it. */
  readonly found: Schedule;
  /** Which schedule found it (1-based). */
  readonly foundAt: number;
  readonly phase: 'systematic' | 'random';
  /** Run length of the shrunk schedule (the run ends just after the failure). */
  readonly ticks: number;
  /** The departures of the shrunk schedule, described. */
  readonly steps: readonly ScheduleStep[];
  /** The first error of the shrunk run that is not a lockset report. */
  readonly report: Report;
  /** Every report of the shrunk run. */
  readonly reports: readonly Report[];
  /**
   * The failure came back when its schedule was run again. False: it did not (the driver keeps state
   * from one run to the next, in module variables or by changing the ndis table), and `schedule` is
   * the one as found, unshrunk, with the report of the run that found it.
   */
  readonly reproduced: boolean;
}

/** A schedule whose run did not finish: the driver threw, or the simulation failed. */
export interface ExploreCrash {
  readonly schedule: Schedule;
  readonly foundAt: number;
  readonly phase: 'systematic' | 'random';
  readonly ticks: number;
  /** The departures, described (empty when the run could not be replayed to describe them). */
  readonly steps: readonly ScheduleStep[];
  /** The error's message, ending with seed= and tick=. */
  readonly message: string;
  /** The tick it happened at. */
  readonly tick: number;
  /** What the driver threw (its message), null when the simulation itself failed. */
  readonly thrown: string | null;
  /** The role frames it was thrown in, innermost first. */
  readonly frames: readonly RoleFrameReport[];
  /** The driver's own stack frames, innermost first. */
  readonly driverFrames: readonly DriverFrame[];
}

export interface ExploreResult {
  readonly driver: string;
  readonly seed: number;
  readonly processors: number;
  readonly ticks: number;
  readonly preemptions: number;
  readonly budget: number;
  /** Schedules run (shrinking not counted). */
  readonly schedules: number;
  readonly systematic: number;
  readonly random: number;
  /** Every schedule with up to `preemptions` preemptions was run. */
  readonly exhaustive: boolean;
  /** Interrupt causes arrived at choice points (RunTarget.arrivals), asked for or turned on by the search. */
  readonly arrivals: boolean;
  /** Schedules that were different runs (random schedules that departed nowhere new count once). */
  readonly distinct: number;
  /**
   * Every schedule of the driver ran — with any number of preemptions, not only up to the bound: no
   * run left a choice point with an alternative unexplored. The random phase is then skipped.
   */
  readonly spaceExhausted: boolean;
  /** Schedules with 0, 1, … preemptions that were run, per level. */
  readonly perLevel: readonly number[];
  readonly failure: ExploreFailure | null;
  /** The first schedule whose run threw (the search stops there), or null. */
  readonly crash: ExploreCrash | null;
  /** Races lockset analysis found, each once, from the first schedule that showed it. */
  readonly races: readonly Report[];
  /**
   * Warnings (ISR-CLAIM, …), each once per rule, subject and function, from the first schedule that
   * showed it. A warning does not make a schedule fail (the search goes on), but the result is not
   * clean: `ddikit explore` exits 1 on one, as `ddikit simulate` does.
   */
  readonly warnings: readonly Report[];
}

export interface ReplayOptions extends RunTarget {
  readonly schedule: Schedule;
  /** Record the trace (for the timeline). */
  readonly trace?: boolean | TraceOptions;
}

export interface ReplayResult {
  readonly result: RunResult;
  /** The departures taken, described. */
  readonly steps: readonly ScheduleStep[];
  /** Departures that did not apply (the run never reached their index, or the alternative did not exist). */
  readonly unmatched: readonly Deviation[];
  readonly trace: TraceSnapshot | null;
}

interface Resolved {
  readonly driver: MiniportDefinition;
  readonly seed: number;
  readonly ticks: number;
  readonly processors: number;
}

function resolveTarget(target: RunTarget): Resolved {
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

/** A simulation for a target (collect mode: a run goes on past its first report). */
export function scenarioSimulation(target: RunTarget, trace?: boolean | TraceOptions): Simulation {
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
  });
}

/** The first error of a run that lockset analysis did not find (what makes a schedule fail). */
export function manifestError(result: RunResult): Report | null {
  for (const report of result.reports) {
    if (report.severity === 'error' && !LOCKSET_RULES.includes(report.rule)) return report;
  }
  return null;
}

/** Runs one schedule and describes its departures. A run that throws throws (DriverError, SimulationError). */
export function replay(options: ReplayOptions): ReplayResult {
  const resolved = resolveTarget(options);
  const sim = scenarioSimulation(options, options.trace);
  const scheduler = new ReplayScheduler(options.schedule, { describe: true });
  options.probe?.run(resolved.seed, formatSchedule(options.schedule));
  const result = sim.run(resolved.driver, { ticks: resolved.ticks, scheduler });
  return {
    result,
    steps: [...scheduler.steps],
    unmatched: [...scheduler.unmatched, ...scheduler.unreached()],
    trace: sim.trace?.snapshot(result.tick) ?? null,
  };
}

/** Searches the schedules of a driver for one that fails (see the module comment). */
export function explore(exploreOptions: ExploreOptions): ExploreResult {
  let options = exploreOptions;
  const resolved = resolveTarget(options);
  const preemptions = options.preemptions ?? EXPLORE_PREEMPTIONS_DEFAULT;
  if (!Number.isInteger(preemptions) || preemptions < 0 || preemptions > 16)
    throw new RangeError(`explore: preemptions must be an integer in 0..16 (got ${String(preemptions)})`);
  const budget = options.budget ?? EXPLORE_BUDGET_DEFAULT;
  if (!Number.isSafeInteger(budget) || budget < 1)
    throw new RangeError(`explore: budget must be a positive integer (got ${String(budget)})`);
  let search = new ScheduleSearch(options, resolved, budget);
  search.systematic(preemptions);
  if (options.arrivals === undefined && search.spaceExhausted && search.schedules === 1) {
    // Nothing to search: the driver masks its interrupts wherever it could be preempted. Let causes arrive there.
    options = { ...options, arrivals: true };
    search = new ScheduleSearch(options, resolved, budget);
    search.systematic(preemptions);
  }
  if (search.found === null && search.crash === null && !search.spaceExhausted && options.random !== false)
    search.random(options.randomPerMille ?? EXPLORE_RANDOM_PER_MILLE_DEFAULT);
  let failure: ExploreFailure | null = null;
  const found = search.found;
  if (found !== null) {
    options.onProgress?.({ schedules: search.schedules, phase: 'shrink', level: found.schedule.length });
    failure = shrink(options, resolved, found);
  }
  return {
    driver: resolved.driver.name,
    seed: resolved.seed,
    processors: resolved.processors,
    ticks: resolved.ticks,
    preemptions,
    budget,
    schedules: search.schedules,
    systematic: search.systematicCount,
    random: search.randomCount,
    exhaustive: search.exhaustive && found === null && search.crash === null,
    arrivals: options.arrivals === true,
    distinct: search.distinct.size,
    spaceExhausted: search.spaceExhausted && found === null && search.crash === null,
    perLevel: search.perLevel,
    failure,
    crash: search.crash === null ? null : describeCrash(options, resolved, search.crash),
    races: [...search.races.values()],
    warnings: [...search.warnings.values()],
  };
}

/** A failing schedule as the search found it (before shrinking). */
interface Found {
  readonly schedule: Schedule;
  /** How many schedules had run when it failed. */
  readonly at: number;
  readonly phase: 'systematic' | 'random';
  /** The error that made it fail, in the run that found it. */
  readonly report: Report;
  /** Every report of that run. */
  readonly reports: readonly Report[];
}

/** A schedule whose run threw, as the search found it. */
interface Crashed {
  readonly schedule: Schedule;
  readonly at: number;
  readonly phase: 'systematic' | 'random';
  readonly error: SimulationError;
}

/** What one run gave: its result, or the error it threw. */
type Outcome =
  | { readonly result: RunResult; readonly error: null }
  | { readonly result: null; readonly error: SimulationError };

/** Runs the driver once; a run that throws a SimulationError (the driver threw) is an outcome, not an exception. */
function runOnce(sim: Simulation, resolved: Resolved, ticks: number, scheduler: Scheduler): Outcome {
  try {
    return { result: sim.run(resolved.driver, { ticks, scheduler }), error: null };
  } catch (error) {
    if (error instanceof SimulationError) return { result: null, error };
    throw error;
  }
}

/** A schedule of the systematic search whose children are still to run. */
interface SearchNode {
  readonly schedule: Schedule;
  /** Counts of the choice points after the node's last departure (null: re-run to learn them). */
  counts: Uint8Array | null;
  /** Index of the first choice point `counts` describes. */
  readonly from: number;
}

/** The state of one exploration: the runs made, the races gathered, the failure found. */
class ScheduleSearch {
  schedules = 0;
  systematicCount = 0;
  randomCount = 0;
  readonly perLevel: number[] = [];
  readonly races = new Map<string, Report>();
  readonly warnings = new Map<string, Report>();
  found: Found | null = null;
  crash: Crashed | null = null;
  /** Every schedule up to the preemption bound ran (the budget did not run out). */
  exhaustive = true;
  /** The schedules run, as text (each distinct run once). */
  readonly distinct = new Set<string>();
  /** No run of the last level left a choice point with an alternative after its departures. */
  spaceExhausted = false;
  /** Whether a run of the level being run had alternatives left after its last departure. */
  private deeper = false;
  private phase: 'systematic' | 'random' = 'systematic';
  private level = 0;
  private readonly sim: Simulation;
  private readonly reused = new ReplayScheduler([]);
  private readonly progressEvery: number;
  private readonly probe: RunProbe | null;

  constructor(
    private readonly options: ExploreOptions,
    private readonly resolved: Resolved,
    private readonly budget: number,
  ) {
    this.sim = scenarioSimulation(options);
    this.progressEvery = options.progressEvery ?? 500;
    this.probe = options.probe ?? null;
  }

  /** Whether the search is over (a failure or a crash found). */
  private get done(): boolean {
    return this.found !== null || this.crash !== null;
  }

  /** Runs one schedule, recording its choice points' counts when `record`. */
  private run(schedule: Schedule, record: boolean): { outcome: Outcome; scheduler: ReplayScheduler } {
    const scheduler = this.reused.follow(schedule, record);
    this.probe?.run(this.resolved.seed, formatSchedule(schedule));
    const outcome = runOnce(this.sim, this.resolved, this.resolved.ticks, scheduler);
    this.counted(outcome, schedule);
    return { outcome, scheduler };
  }

  /** A schedule ran: count it, gather its races, note a failure or a crash, tell the progress listener. */
  private counted(outcome: Outcome, schedule: Schedule): void {
    this.schedules++;
    this.distinct.add(formatSchedule(schedule));
    const { result } = outcome;
    if (result === null) {
      this.crash = { schedule, at: this.schedules, phase: this.phase, error: outcome.error };
    } else {
      for (const report of result.reports) {
        if (report.severity === 'warning') {
          const key = `${report.rule}|${report.subject}|${report.function ?? ''}`;
          if (!this.warnings.has(key)) this.warnings.set(key, report);
          continue;
        }
        if (!LOCKSET_RULES.includes(report.rule)) continue;
        const key = `${report.rule}|${report.subject}`;
        if (!this.races.has(key)) this.races.set(key, report);
      }
      const error = manifestError(result);
      if (error !== null)
        this.found = { schedule, at: this.schedules, phase: this.phase, report: error, reports: result.reports };
    }
    if (this.options.onProgress !== undefined && this.schedules % this.progressEvery === 0)
      this.options.onProgress({ schedules: this.schedules, phase: this.phase, level: this.level });
  }

  /** 1. Systematic, by level: every schedule with 0, 1, … up to `preemptions` departures. */
  systematic(preemptions: number): void {
    const root = this.run([], true);
    this.systematicCount++;
    this.perLevel.push(1);
    if (this.done) return;
    if (!hasAlternatives(root.scheduler.recordedCounts())) {
      this.spaceExhausted = true;
      return;
    }
    let frontier: SearchNode[] = [
      { schedule: [], counts: preemptions > 0 ? root.scheduler.recordedCounts().slice() : null, from: 0 },
    ];
    let frontierBytes = 0;
    for (this.level = 1; this.level <= preemptions && !this.done && this.exhaustive; this.level++) {
      const next: SearchNode[] = [];
      const expand = this.level < preemptions;
      this.deeper = false;
      const runs = this.runLevel(frontier, next, expand, frontierBytes);
      this.perLevel.push(runs);
      if (!this.done && this.exhaustive && !this.deeper) {
        this.spaceExhausted = true;
        return;
      }
      frontier = next;
      frontierBytes = next.reduce((bytes, node) => bytes + (node.counts?.length ?? 0), 0);
    }
  }

  /** Runs every child of the frontier (one more departure each); returns how many ran. */
  private runLevel(frontier: SearchNode[], next: SearchNode[], expand: boolean, frontierBytes: number): number {
    let runs = 0;
    let nextBytes = 0;
    for (const node of frontier) {
      let counts = node.counts;
      if (counts === null) {
        // Re-run the parent to learn its choice points (not counted as a schedule).
        const scheduler = new ReplayScheduler(node.schedule, { record: true });
        this.probe?.run(this.resolved.seed, formatSchedule(node.schedule));
        runOnce(this.sim, this.resolved, this.resolved.ticks, scheduler);
        counts = scheduler.recordedCounts().subarray(node.from).slice();
      }
      for (let k = 0; k < counts.length; k++) {
        const index = node.from + k;
        for (let alternative = 1; alternative < counts[k]!; alternative++) {
          if (this.schedules >= this.budget) {
            this.exhaustive = false;
            return runs;
          }
          const schedule: Schedule = [...node.schedule, { index, alternative }];
          const { scheduler } = this.run(schedule, true);
          this.systematicCount++;
          runs++;
          if (this.done) return runs;
          if (!this.deeper && hasAlternatives(scheduler.recordedCounts().subarray(index + 1))) this.deeper = true;
          if (expand) {
            const suffix = scheduler.recordedCounts().subarray(index + 1);
            const keep = frontierBytes + nextBytes + suffix.length <= FRONTIER_BYTES_MAX;
            if (keep) nextBytes += suffix.length;
            next.push({ schedule, counts: keep ? suffix.slice() : null, from: index + 1 });
          }
        }
      }
      node.counts = null;
    }
    return runs;
  }

  /** 2. Random schedules for the rest of the budget. */
  random(perMille: number): void {
    this.phase = 'random';
    const probe = this.probe;
    for (let r = 0; this.schedules < this.budget; r++) {
      const scheduler = new RandomScheduler(mixSeed(this.resolved.seed, r), perMille);
      if (probe !== null) {
        probe.run(this.resolved.seed, '');
        scheduler.onDeparture = (schedule) => probe.run(this.resolved.seed, formatSchedule(schedule));
      }
      const outcome = runOnce(this.sim, this.resolved, this.resolved.ticks, scheduler);
      this.randomCount++;
      this.counted(outcome, [...scheduler.schedule()]);
      if (this.done) return;
    }
  }
}

/** Shrinks a failing schedule: fewer departures, lower alternatives, a shorter run. */
function shrink(target: RunTarget, resolved: Resolved, found: Found): ExploreFailure {
  const sim = scenarioSimulation(target);
  const probe = target.probe;
  let runs = 0;
  const failsWith = (schedule: Schedule, ticks: number): Report | null => {
    probe?.run(resolved.seed, formatSchedule(schedule));
    const { result } = runOnce(sim, resolved, ticks, new ReplayScheduler(schedule));
    const error = result === null ? null : manifestError(result);
    return error !== null && error.rule === found.report.rule ? error : null;
  };
  const fails = (schedule: Schedule, ticks = resolved.ticks): boolean => {
    if (runs >= SHRINK_RUNS_MAX) return false;
    runs++;
    return failsWith(schedule, ticks) !== null;
  };
  const unshrunk = (): ExploreFailure => ({
    schedule: found.schedule,
    found: found.schedule,
    foundAt: found.at,
    phase: found.phase,
    ticks: resolved.ticks,
    steps: describeSteps(target, resolved, found.schedule, resolved.ticks),
    report: found.report,
    reports: found.reports,
    reproduced: false,
  });
  // The failure must come back when its schedule runs again, or there is nothing to shrink.
  if (failsWith(found.schedule, resolved.ticks) === null) return unshrunk();
  let schedule = [...found.schedule];
  // Remove departures, one at a time, while the failure stays.
  for (let i = 0; i < schedule.length; ) {
    const candidate = [...schedule.slice(0, i), ...schedule.slice(i + 1)];
    if (fails(candidate)) schedule = candidate;
    else i++;
  }
  // Lower each alternative as far as the failure allows.
  for (let i = 0; i < schedule.length; i++) {
    for (let alternative = 1; alternative < schedule[i]!.alternative; alternative++) {
      const candidate = schedule.map((d, j) => (j === i ? { index: d.index, alternative } : d));
      if (fails(candidate)) {
        schedule = candidate;
        break;
      }
    }
  }
  // Cut the run short just after the failure.
  const first = failsWith(schedule, resolved.ticks);
  if (first === null) return unshrunk();
  let ticks = resolved.ticks;
  if (first.tick + 1 < ticks && fails(schedule, first.tick + 1)) ticks = first.tick + 1;
  let final: ReplayResult;
  try {
    final = replay({ ...target, seed: resolved.seed, ticks, schedule });
  } catch (error) {
    if (error instanceof SimulationError) return unshrunk();
    throw error;
  }
  const finalReport = manifestError(final.result);
  if (finalReport === null || finalReport.rule !== found.report.rule) return unshrunk();
  return {
    schedule,
    found: found.schedule,
    foundAt: found.at,
    phase: found.phase,
    ticks,
    steps: final.steps,
    report: finalReport,
    reports: final.result.reports,
    reproduced: true,
  };
}

/** The departures of a schedule, described (empty when its run throws). */
function describeSteps(target: RunTarget, resolved: Resolved, schedule: Schedule, ticks: number): ScheduleStep[] {
  if (schedule.length === 0) return [];
  const sim = scenarioSimulation(target);
  const scheduler = new ReplayScheduler(schedule, { describe: true });
  runOnce(sim, resolved, ticks, scheduler);
  return [...scheduler.steps];
}

/** A crash as the result shows it: what threw, where, and the departures that led there. */
function describeCrash(target: RunTarget, resolved: Resolved, crash: Crashed): ExploreCrash {
  const { error } = crash;
  const driverError = error instanceof DriverError ? error : null;
  return {
    schedule: crash.schedule,
    foundAt: crash.at,
    phase: crash.phase,
    ticks: resolved.ticks,
    steps: describeSteps(target, resolved, crash.schedule, resolved.ticks),
    message: error.message,
    tick: error.tick,
    thrown: driverError?.thrownMessage ?? null,
    frames: driverError?.frames ?? [],
    driverFrames: driverError?.driverFrames ?? [],
  };
}

/** Whether some choice point of a run had an alternative to going on. */
function hasAlternatives(counts: Uint8Array): boolean {
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 1) return true;
  return false;
}

/** A seed for the r-th random schedule (splitmix-style mixing, stays a safe integer). */
function mixSeed(seed: number, r: number): number {
  let z = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(r + 1, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
