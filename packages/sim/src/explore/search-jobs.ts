/**
 * The runs a search asks for (`SearchJob`) and what each gave (`RunSummary`): plain data, so a run
 * may happen in this thread, in a worker thread or on another machine (a shard), and the search
 * reads the same summary whichever ran it. `createJobRunner` runs jobs for one target, reusing a
 * simulation per arrivals setting; `runJobs` runs a batch in order and stops at the first run that
 * ends the search; `runJobsSettled` also lets what the drivers left behind run, so the summaries say
 * which runs called DDIs after they ended.
 */
import type { DriverFrame } from '../simulation/driver-frames.js';
import { DriverError } from '../simulation/driver-error.js';
import { LATE_CALLS_MAX, type LateCall, type Simulation } from '../simulation/simulation.js';
import { formatSchedule, RandomScheduler, ReplayScheduler, type Schedule } from '../schedule/scheduler.js';
import type { Report, RoleFrameReport } from '../verifier/report-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';
import { manifestError, resolveTarget, runOnce, scenarioSimulation, type RunTarget } from './run-target.js';

/** One run a search asks for: a schedule of the systematic search, or the r-th random schedule. */
export type SearchJob = ScheduleJob | RandomJob;

export interface ScheduleJob {
  readonly kind: 'schedule';
  readonly schedule: Schedule;
  /** Interrupt causes arrive at choice points (RunTarget.arrivals) in this search. */
  readonly arrivals: boolean | undefined;
  /** The first choice point whose alternatives the search wants to know (the one after the last departure). */
  readonly from: number;
  /** Return the choice points' counts from `from` on (the search expands this schedule). */
  readonly expand: boolean;
  /** False: a parent run again only to learn its counts (not a schedule of the search). */
  readonly counted: boolean;
  /**
   * A shard's search: another shard's schedule, run only to learn its choice points (not counted,
   * not recorded in the shard's file); a failure or a crash in it ends the whole search.
   */
  readonly foreign?: boolean;
}

export interface RandomJob {
  readonly kind: 'random';
  /** Which random schedule (its scheduler's seed is mixed from the search's seed and this). */
  readonly round: number;
  readonly perMille: number;
  readonly arrivals: boolean | undefined;
}

/** A run that threw: what the driver threw, or how the simulation failed. */
export interface CrashInfo {
  /** The error's message, ending with seed= and tick=. */
  readonly message: string;
  readonly tick: number;
  /** What the driver threw (its message), null when the simulation itself failed. */
  readonly thrown: string | null;
  /** The role frames it was thrown in, innermost first. */
  readonly frames: readonly RoleFrameReport[];
  /** The driver's own stack frames, innermost first. */
  readonly driverFrames: readonly DriverFrame[];
}

/**
 * The DDIs a run's driver called after the run ended, from timers and promises it left behind — in
 * terms that do not depend on when those ran: an interval fires once or twice in the same wait, and
 * an immediate runs before or after a timer by the phase the wait began in, so neither how many calls
 * there were nor which came first is kept; the places they came from are.
 */
export interface LateCallInfo {
  /** The DDI of the first place (by DDI name, then file, line and column). */
  readonly ddi: string;
  /** Where the driver called it, innermost first. */
  readonly driverFrames: readonly DriverFrame[];
  /** Places (a DDI and the driver's line that called it) that called NDIS late, 1 or more. */
  readonly places: number;
  /** The run made LATE_CALLS_MAX late calls, the most it keeps: there may be more places. */
  readonly capped: boolean;
}

/** A run's late calls (at least one) as a LateCallInfo. */
export function lateCallInfo(calls: readonly LateCall[]): LateCallInfo {
  const places = new Map<string, LateCall>();
  for (const call of calls) {
    const frame = call.driverFrames[0];
    const key = `${call.ddi}\u0000${frame === undefined ? '' : `${frame.file}\u0000${String(frame.line).padStart(10, '0')}\u0000${String(frame.column).padStart(10, '0')}`}`;
    if (!places.has(key)) places.set(key, call);
  }
  const first = places.get([...places.keys()].sort()[0]!)!;
  return {
    ddi: first.ddi,
    driverFrames: first.driverFrames,
    places: places.size,
    capped: calls.length >= LATE_CALLS_MAX,
  };
}

/** What one job's run gave, as the search reads it. */
export interface RunSummary {
  /** The departures of the run (a random job's as drawn). */
  readonly schedule: Schedule;
  /** The choice points' alternative counts from the job's `from` on, when it asked to expand. */
  readonly counts: Uint8Array | null;
  /** Some choice point from the job's `from` on had an alternative to going on. */
  readonly deeper: boolean;
  /** The first error that is not a lockset report: the schedule fails. */
  readonly error: Report | null;
  /** Every report of the run, when it failed. */
  readonly reports: readonly Report[] | null;
  /** The warnings and lockset reports of the run (the races and warnings the search gathers). */
  readonly notes: readonly Report[];
  /** The run threw (the search stops). */
  readonly crash: CrashInfo | null;
  /**
   * DDIs its driver called after the run ended, once what the driver left behind has run
   * (`runJobsSettled`); null when it called none, or before that.
   */
  readonly late: LateCallInfo | null;
}

/** Runs one job; the same jobs give the same summaries in any thread. */
export interface JobRunner {
  (job: SearchJob): RunSummary;
  /**
   * Lets the timers (of 0 ms) and promises the driver left behind in the runs since the last settle
   * run — `wait`, by default two turns of the event loop's timers — and writes the DDIs they called
   * into those runs' summaries (`late`). A call is counted against the run that left it behind,
   * however many runs came between: the same jobs give the same summaries whatever runs shared a
   * settle. What has not run by then (a longer timer) is not seen. Only for a runner made with
   * `{ settled: true }`.
   */
  readonly settle: (wait?: () => Promise<void>) => Promise<void>;
}

/** Two turns of the event loop's timers: what a driver left on timers of 0 ms and on promises has run. */
export async function twoTimerTurns(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
}

/** How a runner is used. */
export interface JobRunnerOptions {
  /**
   * Its runs are settled (`settle`, `runJobsSettled`): it keeps each run's summary until then, to
   * write the run's late calls into it. Default false: nothing is kept, `settle` throws.
   */
  readonly settled?: boolean;
}

/** A runner for a target: one simulation per arrivals setting, reused from run to run. */
export function createJobRunner(target: RunTarget, options: JobRunnerOptions = {}): JobRunner {
  const resolved = resolveTarget(target);
  const settled = options.settled === true;
  const simulations = new Map<boolean | undefined, Simulation>();
  /** The summaries of the runs since the last settle, by simulation and run number. */
  const unsettled = new Map<Simulation, Map<number, { late: LateCallInfo | null }>>();
  /** A settle's late calls by run. */
  const byRun = new Map<number, LateCall[]>();
  const track = (sim: Simulation, summary: RunSummary): RunSummary => {
    if (!settled) return summary;
    let runs = unsettled.get(sim);
    if (runs === undefined) unsettled.set(sim, (runs = new Map()));
    runs.set(sim.runs, summary as { late: LateCallInfo | null });
    return summary;
  };
  const replayScheduler = new ReplayScheduler([]);
  const probe = target.probe ?? null;
  const simulationFor = (arrivals: boolean | undefined): Simulation => {
    let sim = simulations.get(arrivals);
    if (sim === undefined) {
      sim = scenarioSimulation(arrivals === target.arrivals ? target : { ...target, arrivals });
      simulations.set(arrivals, sim);
    }
    return sim;
  };
  const run = (job: SearchJob): RunSummary => {
    const sim = simulationFor(job.arrivals);
    if (job.kind === 'random') {
      const scheduler = new RandomScheduler(mixSeed(resolved.seed, job.round), job.perMille);
      if (probe !== null) {
        probe.run(resolved.seed, '');
        scheduler.onDeparture = (schedule) => probe.run(resolved.seed, formatSchedule(schedule));
      }
      const outcome = runOnce(sim, resolved, resolved.ticks, scheduler);
      return track(sim, summarize(outcome, [...scheduler.schedule()], null, false));
    }
    const scheduler = replayScheduler.follow(job.schedule, true);
    probe?.run(resolved.seed, formatSchedule(job.schedule));
    const outcome = runOnce(sim, resolved, resolved.ticks, scheduler);
    const suffix = scheduler.recordedCounts().subarray(job.from);
    return track(sim, summarize(outcome, job.schedule, job.expand ? suffix.slice() : null, hasAlternatives(suffix)));
  };
  const settle = async (wait: () => Promise<void> = twoTimerTurns): Promise<void> => {
    if (!settled)
      throw new Error('explore: settle needs a runner made with createJobRunner(target, { settled: true })');
    await wait();
    for (const [sim, runs] of unsettled) {
      for (const call of sim.lateCalls) {
        if (!runs.has(call.run)) continue;
        let calls = byRun.get(call.run);
        if (calls === undefined) byRun.set(call.run, (calls = []));
        calls.push(call);
      }
      for (const [run, calls] of byRun) runs.get(run)!.late = lateCallInfo(calls);
      byRun.clear();
      // Read: a later settle sees only what comes after.
      sim.lateCalls.length = 0;
    }
    unsettled.clear();
  };
  return Object.assign(run, { settle });
}

function summarize(
  outcome: ReturnType<typeof runOnce>,
  schedule: Schedule,
  counts: Uint8Array | null,
  deeper: boolean,
): RunSummary {
  if (outcome.result === null) {
    const { error } = outcome;
    const driverError = error instanceof DriverError ? error : null;
    const crash: CrashInfo = {
      message: error.message,
      tick: error.tick,
      thrown: driverError?.thrownMessage ?? null,
      frames: driverError?.frames ?? [],
      driverFrames: driverError?.driverFrames ?? [],
    };
    return { schedule, counts, deeper, error: null, reports: null, notes: [], crash, late: null };
  }
  const { reports } = outcome.result;
  const notes = reports.filter((r) => r.severity === 'warning' || LOCKSET_RULES.includes(r.rule));
  const error = manifestError(outcome.result);
  return { schedule, counts, deeper, error, reports: error !== null ? reports : null, notes, crash: null, late: null };
}

/** Whether a summary ends the search: its schedule failed, or its run threw. */
export function endsSearch(job: SearchJob, summary: RunSummary): boolean {
  return (
    (job.kind === 'random' || job.counted || job.foreign === true) && (summary.error !== null || summary.crash !== null)
  );
}

/** Runs a batch in order, stopping after the first run that ends the search. */
export function runJobs(runner: JobRunner, jobs: readonly SearchJob[]): RunSummary[] {
  const out: RunSummary[] = [];
  for (const job of jobs) {
    const summary = runner(job);
    out.push(summary);
    if (endsSearch(job, summary)) break;
  }
  return out;
}

/**
 * `runJobs`, then the runner's settle (with `wait`, see JobRunner.settle): the summaries also say
 * which runs called DDIs after they ended (`late`). What `ddikit explore` runs, in every thread.
 */
export async function runJobsSettled(
  runner: JobRunner,
  jobs: readonly SearchJob[],
  wait?: () => Promise<void>,
): Promise<RunSummary[]> {
  const summaries = runJobs(runner, jobs);
  await runner.settle(wait);
  return summaries;
}

/** Whether some choice point of a run had an alternative to going on. */
export function hasAlternatives(counts: Uint8Array): boolean {
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 1) return true;
  return false;
}

/** A seed for the r-th random schedule (splitmix-style mixing, stays a safe integer). */
export function mixSeed(seed: number, r: number): number {
  let z = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(r + 1, 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A job's identity across threads and machines (what a merge looks a shard's summary up by): the
 * arrivals setting, then the schedule as text or the random schedule's number.
 */
export function jobKey(job: SearchJob): string {
  const arrivals = job.arrivals === undefined ? '' : job.arrivals ? 'arrivals ' : 'no-arrivals ';
  return job.kind === 'random' ? `${arrivals}random ${job.round}` : `${arrivals}${formatSchedule(job.schedule) || '-'}`;
}
