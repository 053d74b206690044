/**
 * The runs a search asks for (`SearchJob`) and what each gave (`RunSummary`): plain data, so a run
 * may happen in this thread, in a worker thread or on another machine (a shard), and the search
 * reads the same summary whichever ran it. `createJobRunner` runs jobs for one target, reusing a
 * simulation per arrivals setting; `runJobs` runs a batch in order and stops at the first run that
 * ends the search.
 */
import type { DriverFrame } from '../simulation/driver-frames.js';
import { DriverError } from '../simulation/driver-error.js';
import type { Simulation } from '../simulation/simulation.js';
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
}

/** Runs one job; the same jobs give the same summaries in any thread. */
export type JobRunner = (job: SearchJob) => RunSummary;

/** A runner for a target: one simulation per arrivals setting, reused from run to run. */
export function createJobRunner(target: RunTarget): JobRunner {
  const resolved = resolveTarget(target);
  const simulations = new Map<boolean | undefined, Simulation>();
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
  return (job) => {
    const sim = simulationFor(job.arrivals);
    if (job.kind === 'random') {
      const scheduler = new RandomScheduler(mixSeed(resolved.seed, job.round), job.perMille);
      if (probe !== null) {
        probe.run(resolved.seed, '');
        scheduler.onDeparture = (schedule) => probe.run(resolved.seed, formatSchedule(schedule));
      }
      const outcome = runOnce(sim, resolved, resolved.ticks, scheduler);
      return summarize(outcome, [...scheduler.schedule()], null, false);
    }
    const scheduler = replayScheduler.follow(job.schedule, true);
    probe?.run(resolved.seed, formatSchedule(job.schedule));
    const outcome = runOnce(sim, resolved, resolved.ticks, scheduler);
    const suffix = scheduler.recordedCounts().subarray(job.from);
    return summarize(outcome, job.schedule, job.expand ? suffix.slice() : null, hasAlternatives(suffix));
  };
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
    return { schedule, counts, deeper, error: null, reports: null, notes: [], crash };
  }
  const { reports } = outcome.result;
  const notes = reports.filter((r) => r.severity === 'warning' || LOCKSET_RULES.includes(r.rule));
  const error = manifestError(outcome.result);
  return { schedule, counts, deeper, error, reports: error !== null ? reports : null, notes, crash: null };
}

/** Whether a summary ends the search: its schedule failed, or its run threw. */
export function endsSearch(job: SearchJob, summary: RunSummary): boolean {
  return (job.kind === 'random' || job.counted) && (summary.error !== null || summary.crash !== null);
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
