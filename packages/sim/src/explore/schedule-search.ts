/**
 * The search of the explorer as a generator: it yields batches of runs to make (`SearchJob`) and is
 * handed back what they gave (`RunSummary`), in order, so whoever runs them — this thread
 * (`explore`), worker threads, or a merge reading shard files — the search reads the same summaries
 * in the same order and comes to the same result. A runner may stop a batch after the first run
 * that ends the search (a failure or a crash) or run it whole: the search ignores what comes after.
 *
 * The order of the schedules (one fixed enumeration):
 * - level 0: the default schedule;
 * - level L (1 ≤ L ≤ K): for each schedule of level L−1 in order, each choice point after its last
 *   departure in order, each alternative in order: that schedule plus one departure there;
 * - then random schedule r = 0, 1, … while the budget lasts.
 *
 * A shard K/N (`ExploreShard`, 0-based `index` here) runs a part of it, disjoint from every other
 * shard's and together with theirs the whole, by construction: the default schedule (every shard
 * runs it, all need its choice points); of each level, the schedules whose place in the level is
 * `index` modulo N; random schedule r when r is `index` modulo N. A shard's own order agrees with
 * the whole order. The budget counts places in the whole order, which a shard knows: the default
 * schedule's choice points place every level-1 schedule, and when the next level begins within the
 * budget, a shard also runs the other shards' schedules of a level (their runs are not its own:
 * nothing of them is counted, kept or recorded but their choice points, and whether one of them
 * fails, which ends the whole search there), which places every schedule of the next level and
 * gives the shard the choice points of its own schedules' parents. Random schedule r stands after
 * every systematic schedule. So a shard stops where the whole search stops: at the budget, at its
 * own first failure, and at another shard's failure that it ran; N shards together run the whole
 * search's schedules, each of them once, and besides its own part each runs the levels before the
 * last the budget reaches.
 */
import type { Report } from '../verifier/report-types.js';
import { LOCKSET_RULES } from '../verifier/rule-table.js';
import { formatSchedule, type Schedule } from '../schedule/scheduler.js';
import {
  endsSearch,
  hasAlternatives,
  type CrashInfo,
  type LateCallInfo,
  type RunSummary,
  type SearchJob,
} from './search-jobs.js';

/** Bytes of choice-point counts the systematic search keeps before it re-runs parents instead. */
const FRONTIER_BYTES_MAX = 32 * 1024 * 1024;

/** Which part of the schedule space a search runs (see the module comment). */
export interface ExploreShard {
  /** 0-based: shard 1/3 on the command line is index 0 of count 3. */
  readonly index: number;
  readonly count: number;
}

/** What the search is handed and how it reports its progress. */
export interface SearchSettings {
  readonly budget: number;
  readonly arrivals: boolean | undefined;
  /** Most runs per batch it yields. */
  readonly batch: number;
  readonly shard: ExploreShard | null;
  readonly progressEvery: number;
  readonly onProgress:
    | ((progress: { schedules: number; phase: 'systematic' | 'random' | 'shrink'; level: number }) => void)
    | undefined;
}

/** A failing schedule as the search found it (before shrinking). */
export interface Found {
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
export interface Crashed {
  readonly schedule: Schedule;
  readonly at: number;
  readonly phase: 'systematic' | 'random';
  readonly crash: CrashInfo;
}

/** The first schedule whose run called DDIs after it ended, as the search found it. */
export interface FoundLate {
  readonly schedule: Schedule;
  readonly at: number;
  readonly phase: 'systematic' | 'random';
  readonly late: LateCallInfo;
}

/** The generator type of a search: yields batches of jobs, is handed their summaries. */
export type Search<T> = Generator<readonly SearchJob[], T, readonly RunSummary[]>;

/** A schedule of the systematic search whose children are still to run. */
interface SearchNode {
  readonly schedule: Schedule;
  /** Counts of the choice points after the node's last departure (null: re-run to learn them). */
  counts: Uint8Array | null;
  /** Index of the first choice point `counts` describes. */
  readonly from: number;
  /** A schedule of another shard, run to place this shard's schedules (module comment). */
  readonly foreign?: boolean;
}

/** A job waiting in a batch, with what the search does with its summary. */
interface Pending {
  readonly job: SearchJob & { readonly kind: 'schedule' };
  readonly index: number;
  /** Another shard's schedule, run to learn its choice points. */
  readonly foreign: boolean;
}

/** How many schedules extend one whose choice points after its last departure have `counts` alternatives. */
function childrenOf(counts: Uint8Array): number {
  let children = 0;
  for (const count of counts) if (count > 1) children += count - 1;
  return children;
}

/** The state of one exploration: the runs made, the races gathered, the failure found. */
export class ScheduleSearch {
  schedules = 0;
  systematicCount = 0;
  randomCount = 0;
  readonly perLevel: number[] = [];
  readonly races = new Map<string, Report>();
  /** For each race (same keys): the schedule whose run reported it first. */
  readonly raceSchedules = new Map<string, Schedule>();
  readonly warnings = new Map<string, Report>();
  found: Found | null = null;
  crash: Crashed | null = null;
  /** The first schedule whose driver called DDIs after its run ended (the search goes on). */
  late: FoundLate | null = null;
  /** Every schedule up to the preemption bound ran (the budget did not run out). */
  exhaustive = true;
  /** The schedules run, as text (each distinct run once). */
  readonly distinct = new Set<string>();
  /** No run of the last level left a choice point with an alternative after its departures. */
  spaceExhausted = false;
  /** The default schedule alone had no choice point with an alternative. */
  exhaustedAtRoot = false;
  /**
   * The place in the whole search's order of the next schedule; the budget is counted in it. Without
   * a shard, the schedules run so far.
   */
  private position = 0;
  /** A shard's search: another shard's schedule failed or crashed, which ends the whole search there. */
  endedElsewhere = false;
  /** A shard's search: the other shards' schedules it ran to place its own (module comment). */
  placingRuns = 0;
  /** How many schedules the level about to run has (known when every schedule of the one before ran here). */
  private levelSize = 0;
  /** Whether a run of the level being run had alternatives left after its last departure. */
  private deeper = false;
  private phase: 'systematic' | 'random' = 'systematic';
  private level = 0;

  constructor(private readonly settings: SearchSettings) {}

  /** Whether the search is over (a failure or a crash found; a shard's, also in another shard's schedule). */
  get done(): boolean {
    return this.found !== null || this.crash !== null || this.endedElsewhere;
  }

  /** A schedule ran: count it, gather its races, note a failure or a crash, tell the progress listener. */
  private counted(summary: RunSummary): void {
    this.schedules++;
    const { schedule } = summary;
    this.distinct.add(formatSchedule(schedule));
    if (summary.late !== null && this.late === null)
      this.late = { schedule, at: this.schedules, phase: this.phase, late: summary.late };
    if (summary.crash !== null) {
      this.crash = { schedule, at: this.schedules, phase: this.phase, crash: summary.crash };
    } else {
      for (const report of summary.notes) {
        if (report.severity === 'warning') {
          const key = `${report.rule}|${report.subject}|${report.function ?? ''}`;
          if (!this.warnings.has(key)) this.warnings.set(key, report);
          continue;
        }
        if (!LOCKSET_RULES.includes(report.rule)) continue;
        const key = `${report.rule}|${report.subject}`;
        if (!this.races.has(key)) {
          this.races.set(key, report);
          this.raceSchedules.set(key, schedule);
        }
      }
      if (summary.error !== null)
        this.found = {
          schedule,
          at: this.schedules,
          phase: this.phase,
          report: summary.error,
          reports: summary.reports ?? [],
        };
    }
    const { onProgress, progressEvery } = this.settings;
    if (onProgress !== undefined && this.schedules % progressEvery === 0)
      onProgress({ schedules: this.schedules, phase: this.phase, level: this.level });
  }

  /** Yields a batch and checks that the runner answered each job it had to, in order. */
  private *ask(jobs: readonly SearchJob[]): Search<readonly RunSummary[]> {
    const summaries = yield jobs;
    const ended = summaries.length > 0 && endsSearch(jobs[summaries.length - 1]!, summaries.at(-1)!);
    if (summaries.length > jobs.length || (summaries.length < jobs.length && !ended))
      throw new Error(`explore: ${jobs.length} runs asked, ${summaries.length} answered`);
    return summaries;
  }

  /** 1. Systematic, by level: every schedule with 0, 1, … up to `preemptions` departures. */
  *systematic(preemptions: number): Search<void> {
    const { arrivals } = this.settings;
    const [root] = yield* this.ask([
      { kind: 'schedule', schedule: [], arrivals, from: 0, expand: preemptions > 0, counted: true },
    ]);
    this.counted(root!);
    this.systematicCount++;
    this.position = 1;
    this.perLevel.push(1);
    if (this.done) return;
    if (!root!.deeper) {
      this.spaceExhausted = true;
      this.exhaustedAtRoot = true;
      return;
    }
    let frontier: SearchNode[] = [{ schedule: [], counts: root!.counts, from: 0 }];
    this.levelSize = root!.counts === null ? 0 : childrenOf(root!.counts);
    let frontierBytes = 0;
    for (this.level = 1; this.level <= preemptions && !this.done && this.exhaustive; this.level++) {
      const next: SearchNode[] = [];
      this.deeper = false;
      const runs = yield* this.runLevel(frontier, next, this.level < preemptions, frontierBytes);
      this.perLevel.push(runs);
      if (!this.done && this.exhaustive && !this.deeper) {
        this.spaceExhausted = true;
        return;
      }
      frontier = next;
      frontierBytes = next.reduce((bytes, node) => bytes + (node.counts?.length ?? 0), 0);
    }
  }

  /** Runs every child of the frontier (one more departure each) that is this search's; returns how many ran. */
  private *runLevel(
    frontier: SearchNode[],
    next: SearchNode[],
    expand: boolean,
    frontierBytes: number,
  ): Search<number> {
    const { arrivals, batch, budget, shard } = this.settings;
    let runs = 0;
    let nextBytes = 0;
    let ordinal = 0;
    let pending: Pending[] = [];
    // A shard runs the other shards' schedules of this level too when the next level begins within the
    // budget: the places of the next level's schedules are then known (see the module comment).
    const placeOthers = shard !== null && expand && this.position + this.levelSize < budget;
    let nextSize = 0;
    const self = this;
    function* flush(): Search<void> {
      if (pending.length === 0) return;
      const asked = pending;
      pending = [];
      const summaries = yield* self.ask(asked.map((p) => p.job));
      for (const [i, summary] of summaries.entries()) {
        const { job, index, foreign } = asked[i]!;
        if (foreign) {
          self.placingRuns++;
          // Another shard's schedule: what it found is that shard's to report, and ends the whole search.
          if (summary.error !== null || summary.crash !== null) {
            self.endedElsewhere = true;
            return;
          }
          if (summary.deeper) self.deeper = true;
          const suffix = summary.counts!;
          const keep = frontierBytes + nextBytes + suffix.length <= FRONTIER_BYTES_MAX;
          if (keep) nextBytes += suffix.length;
          nextSize += childrenOf(suffix);
          next.push({ schedule: job.schedule, counts: keep ? suffix : null, from: index + 1, foreign: true });
          continue;
        }
        self.counted(summary);
        self.systematicCount++;
        runs++;
        if (self.done) return;
        if (summary.deeper) self.deeper = true;
        if (expand) {
          const suffix = summary.counts!;
          const keep = frontierBytes + nextBytes + suffix.length <= FRONTIER_BYTES_MAX;
          if (keep) nextBytes += suffix.length;
          nextSize += childrenOf(suffix);
          next.push({ schedule: job.schedule, counts: keep ? suffix : null, from: index + 1 });
        }
      }
    }
    /** The budget ends before the place of the next schedule. */
    function* outOfBudget(): Search<boolean> {
      if (self.position < budget) return false;
      yield* flush();
      if (!self.done) self.exhaustive = false;
      return true;
    }
    for (const node of frontier) {
      let counts = node.counts;
      if (counts === null) {
        // Re-run the parent to learn its choice points (not counted as a schedule).
        yield* flush();
        if (this.done) return runs;
        const [learned] = yield* this.ask([
          {
            kind: 'schedule',
            schedule: node.schedule,
            arrivals,
            from: node.from,
            expand: true,
            counted: false,
            ...(node.foreign === true ? { foreign: true } : {}),
          },
        ]);
        counts = learned!.counts!;
      }
      for (let k = 0; k < counts.length; k++) {
        const index = node.from + k;
        for (let alternative = 1; alternative < counts[k]!; alternative++) {
          if (yield* outOfBudget()) return runs;
          this.position++;
          const mine = shard === null || ordinal++ % shard.count === shard.index;
          if (!mine && !placeOthers) continue;
          const schedule: Schedule = [...node.schedule, { index, alternative }];
          pending.push({
            job: mine
              ? { kind: 'schedule', schedule, arrivals, from: index + 1, expand, counted: true }
              : { kind: 'schedule', schedule, arrivals, from: index + 1, expand: true, counted: false, foreign: true },
            index,
            foreign: !mine,
          });
          if (pending.length >= batch) {
            yield* flush();
            if (this.done) return runs;
          }
        }
      }
      node.counts = null;
    }
    yield* flush();
    this.levelSize = nextSize;
    return runs;
  }

  /** 2. Random schedules for the rest of the budget (a shard: those of its residue). */
  *random(perMille: number): Search<void> {
    this.phase = 'random';
    const { arrivals, batch, budget, shard } = this.settings;
    // Random schedule r stands at place (systematic schedules of the whole search) + r.
    const rounds = budget - this.position;
    let round = 0;
    while (round < rounds) {
      const jobs: SearchJob[] = [];
      for (; round < rounds && jobs.length < batch; round++)
        if (shard === null || round % shard.count === shard.index)
          jobs.push({ kind: 'random', round, perMille, arrivals });
      if (jobs.length === 0) continue;
      const summaries = yield* this.ask(jobs);
      for (const summary of summaries) {
        this.randomCount++;
        this.counted(summary);
        if (this.done) return;
      }
    }
  }
}

/** Drives a search with a runner in this thread. */
export function driveSearch<T>(search: Search<T>, run: (jobs: readonly SearchJob[]) => readonly RunSummary[]): T {
  let step = search.next();
  while (step.done !== true) step = search.next(run(step.value));
  return step.value;
}
