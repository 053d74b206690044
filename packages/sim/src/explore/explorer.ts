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
 * SPINLOCK-FOR-ISR-STATE, DPC-SHARED-RACE): lockset analysis finds a race without any particular interleaving, so
 * those reports are gathered (each once) as the races of the driver; the search goes on for a
 * schedule where the race does harm — a lost interrupt, a deadlock, any contract broken.
 */
import type { RoleFrameReport } from '../verifier/report-types.js';
import type { Report } from '../verifier/report-types.js';
import { ReplayScheduler, type Deviation, type Schedule, type ScheduleStep } from '../schedule/scheduler.js';
import { formatSchedule } from '../schedule/scheduler.js';
import type { RunResult } from '../simulation/options.js';
import type { LateCall } from '../simulation/simulation.js';
import type { DriverFrame } from '../simulation/driver-frames.js';
import { SimulationError } from '../verifier/verifier.js';
import type { TraceOptions, TraceSnapshot } from '../core/trace.js';
import {
  manifestError,
  resolveTarget,
  runOnce,
  scenarioSimulation,
  type Resolved,
  type RunTarget,
} from './run-target.js';
import { createJobRunner, runJobs, runJobsSettled, type LateCallInfo } from './search-jobs.js';
import {
  driveSearch,
  ScheduleSearch,
  type Crashed,
  type ExploreShard,
  type Found,
  type Search,
} from './schedule-search.js';

export { manifestError, scenarioSimulation, SCENARIO_TICKS_DEFAULT } from './run-target.js';
export type { RunTarget, Scenario } from './run-target.js';

export const EXPLORE_PREEMPTIONS_DEFAULT = 2;
export const EXPLORE_BUDGET_DEFAULT = 10_000;
/** Chance in 1000 of a departure at each choice point of a random schedule. */
export const EXPLORE_RANDOM_PER_MILLE_DEFAULT = 50;
/** Runs one shrink may make. */
const SHRINK_RUNS_MAX = 400;

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
   * Where in the driver's source `report` was raised (RunResult.reportLocations: `file:line:col`),
   * from the shrunk run; null when not known (no driver frame, or the failure did not come back).
   */
  readonly location: string | null;
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

/** The first schedule whose driver called DDIs after its run ended (from timers, promises it left behind). */
export interface ExploreLateCall extends LateCallInfo {
  readonly schedule: Schedule;
  readonly foundAt: number;
  readonly phase: 'systematic' | 'random';
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
   * The schedule whose run first reported each race, in the order of `races`: the race's accesses
   * are that run's (a lockset race needs no particular interleaving, but its code may run only in
   * some schedules), so `--replay` of it shows the full report.
   */
  readonly raceSchedules: readonly Schedule[];
  /**
   * Warnings (ISR-CLAIM, …), each once per rule, subject and function, from the first schedule that
   * showed it. A warning does not make a schedule fail (the search goes on), but the result is not
   * clean: `ddikit explore` exits 1 on one, as `ddikit simulate` does.
   */
  readonly warnings: readonly Report[];
  /**
   * The first schedule whose driver called a DDI after its run ended, from a timer (of 0 ms) or a
   * promise it left behind; null when none did, and always null from `explore`, which never lets
   * them run (`exploreSettled` and `ddikit explore` do). The search goes on, but the result is not
   * clean: `ddikit explore` exits 1 on one, as `ddikit simulate` does.
   */
  readonly lateCall: ExploreLateCall | null;
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
  /**
   * DDIs the driver called after the run ended: the simulation's own list, which fills as the
   * timers and promises the driver left behind run (let the event loop turn, then read it).
   */
  readonly lateCalls: readonly LateCall[];
}

/** Runs one schedule and describes its departures. A run that throws throws (DriverError, SimulationError). */
export function replay(options: ReplayOptions): ReplayResult {
  const resolved = resolveTarget(options);
  const sim = scenarioSimulation(options, options.trace, true);
  const scheduler = new ReplayScheduler(options.schedule, { describe: true });
  options.probe?.run(resolved.seed, formatSchedule(options.schedule));
  const result = sim.run(resolved.driver, { ticks: resolved.ticks, scheduler });
  return {
    result,
    steps: [...scheduler.steps],
    unmatched: [...scheduler.unmatched, ...scheduler.unreached()],
    trace: sim.trace?.snapshot(result.tick) ?? null,
    lateCalls: sim.lateCalls,
  };
}

/**
 * Searches the schedules of a driver for one that fails (see the module comment). Synchronous: what
 * the driver leaves on timers and promises never runs during the search (`exploreSettled` lets it).
 */
export function explore(options: ExploreOptions): ExploreResult {
  const runner = createJobRunner(options);
  const exploration = driveSearch(searchExploration(options), (jobs) => runJobs(runner, jobs));
  return finishExploration(exploration);
}

/**
 * `explore`, letting the timers and promises the driver left behind run after each batch of runs,
 * as `ddikit explore` does: the result also names the first schedule whose driver called a DDI after
 * its run ended (`lateCall`).
 */
export async function exploreSettled(options: ExploreOptions): Promise<ExploreResult> {
  const runner = createJobRunner(options, { settled: true });
  const search = searchExploration(options);
  let step = search.next();
  while (step.done !== true) step = search.next(await runJobsSettled(runner, step.value));
  return finishExploration(step.value);
}

/** How a search is run besides its options: a shard of it, and how many runs a batch holds. */
export interface ExplorationSettings {
  readonly shard?: ExploreShard | null;
  /** Most runs per batch the search yields (default 64). */
  readonly batch?: number;
}

/** A search that ran: what `finishExploration` turns into the result. */
export interface Exploration {
  readonly options: ExploreOptions;
  readonly preemptions: number;
  readonly budget: number;
  readonly search: ScheduleSearch;
}

/**
 * The search of `explore`, as a generator of batches of runs (schedule-search.ts): drive it with any
 * runner — the same summaries in the same order give the same exploration.
 */
export function* searchExploration(
  exploreOptions: ExploreOptions,
  settings: ExplorationSettings = {},
): Search<Exploration> {
  let options = exploreOptions;
  resolveTarget(options);
  const preemptions = options.preemptions ?? EXPLORE_PREEMPTIONS_DEFAULT;
  if (!Number.isInteger(preemptions) || preemptions < 0 || preemptions > 16)
    throw new RangeError(`explore: preemptions must be an integer in 0..16 (got ${String(preemptions)})`);
  const budget = options.budget ?? EXPLORE_BUDGET_DEFAULT;
  if (!Number.isSafeInteger(budget) || budget < 1)
    throw new RangeError(`explore: budget must be a positive integer (got ${String(budget)})`);
  const shard = settings.shard ?? null;
  if (
    shard !== null &&
    !(
      Number.isInteger(shard.count) &&
      shard.count >= 1 &&
      Number.isInteger(shard.index) &&
      shard.index >= 0 &&
      shard.index < shard.count
    )
  )
    throw new RangeError(
      `explore: a shard is an index in 0..count-1 of a count ≥ 1 (got ${shard.index} of ${shard.count})`,
    );
  const batch = settings.batch ?? 64;
  const searchFor = (arrivals: boolean | undefined): ScheduleSearch =>
    new ScheduleSearch({
      budget,
      arrivals,
      batch,
      shard,
      progressEvery: options.progressEvery ?? 500,
      onProgress: options.onProgress,
    });
  let search = searchFor(options.arrivals);
  yield* search.systematic(preemptions);
  if (options.arrivals === undefined && search.exhaustedAtRoot) {
    // Nothing to search: the driver masks its interrupts wherever it could be preempted. Let causes arrive there.
    options = { ...options, arrivals: true };
    search = searchFor(true);
    yield* search.systematic(preemptions);
  }
  // A shard cannot know whether the whole space was exhausted (other shards' parts may go deeper): only the root tells.
  const exhausted = shard === null ? search.spaceExhausted : search.exhaustedAtRoot;
  if (!search.done && !exhausted && options.random !== false)
    yield* search.random(options.randomPerMille ?? EXPLORE_RANDOM_PER_MILLE_DEFAULT);
  return { options, preemptions, budget, search };
}

/** The result of a search that ran: its failure shrunk and its crash described (runs of their own, in this thread). */
export function finishExploration(exploration: Exploration): ExploreResult {
  const { options, preemptions, budget, search } = exploration;
  const resolved = resolveTarget(options);
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
    raceSchedules: [...search.raceSchedules.values()],
    warnings: [...search.warnings.values()],
    lateCall:
      search.late === null
        ? null
        : { schedule: search.late.schedule, foundAt: search.late.at, phase: search.late.phase, ...search.late.late },
  };
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
    location: null,
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
    location: final.result.reportLocations[final.result.reports.indexOf(finalReport)] ?? null,
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
  return {
    schedule: crash.schedule,
    foundAt: crash.at,
    phase: crash.phase,
    ticks: resolved.ticks,
    steps: describeSteps(target, resolved, crash.schedule, resolved.ticks),
    ...crash.crash,
  };
}
