/**
 * Schedules: who runs at each point where more than one thing could happen next.
 *
 * In a scheduled run (`sim.run(driver, { ticks, scheduler })`) the harness stops at every choice
 * point and asks the scheduler. A choice point is a place where something other than "go on" is
 * possible:
 *
 * - `register`, `field`, `lock`, `sync`, `stall`: the driver just accessed a register or a field
 *   it shares with the ISR (`resources.shared`), released a spin lock, returned from
 *   NdisMSynchronizeWithInterruptEx or stalled, below the DIRQL of a pending interrupt. Alternatives: go on (0); run the ISR on a processor whose IRQL is below the DIRQL and
 *   whose interrupt lock is free (the current processor: the ISR runs between the driver's read and
 *   its write; another processor: the ISR runs concurrently); run the DPCs queued on another
 *   processor (only while no spin lock is held anywhere, so the nested code can never wait on a lock
 *   held by code suspended beneath it).
 * - `deliver`: the run loop delivers an interrupt; which processor takes it (a choice only when
 *   the processors differ, i.e. some have DPCs queued).
 * - `dpc`: several processors have DPCs queued; which runs first.
 *
 * Points with a single possibility are not choice points. Alternative 0 is always the default
 * schedule's choice, so a schedule is the short list of points where it departs from the default:
 * its deviations, written `index:alternative,…` (`14:1,40:2`). A seed plus that list replays a
 * run exactly.
 */
import { Prng } from '../core/prng.js';

export type ChoiceKind = 'register' | 'field' | 'lock' | 'sync' | 'stall' | 'deliver' | 'dpc';

/** A choice point, valid during {@link Scheduler.choose} only (the harness reuses the object). */
export interface ChoicePoint {
  /** 0-based index among the run's choice points. */
  readonly index: number;
  readonly kind: ChoiceKind;
  /** Alternatives, ≥ 2; 0 is the default. */
  readonly count: number;
  readonly tick: number;
  /** The processor whose code reached the point. */
  readonly processor: number;
  /** Where the point is: `LostDpc (MINIPORT_INTERRUPT_DPC) on processor 0 after write IMS`. */
  site(): string;
  /** What an alternative does: `go on`, `ISR LostIsr on processor 1 (line)`, `DPCs of processor 1`. */
  describe(alternative: number): string;
}

export interface Scheduler {
  /** A run begins. */
  begin(): void;
  /** The alternative to take at `point`: 0 (default) … point.count - 1. */
  choose(point: ChoicePoint): number;
}

/** A departure from the default schedule. */
export interface Deviation {
  readonly index: number;
  readonly alternative: number;
}

/** The deviations of a schedule, by increasing index. */
export type Schedule = readonly Deviation[];

/** A deviation as it was taken in a run, described. */
export interface ScheduleStep extends Deviation {
  readonly kind: ChoiceKind;
  readonly tick: number;
  readonly processor: number;
  readonly site: string;
  readonly choice: string;
  readonly count: number;
}

/** Most deviations one schedule may have. */
export const SCHEDULE_DEVIATIONS_MAX = 4096;

/** `14:1,40:2` (the empty schedule is `-`). */
export function formatSchedule(schedule: Schedule): string {
  return schedule.length === 0 ? '-' : schedule.map((d) => `${d.index}:${d.alternative}`).join(',');
}

/** Parses `14:1,40:2` (or `-` / the empty string for the default schedule). Throws a RangeError naming the bad part. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '-') return [];
  const out: Deviation[] = [];
  for (const part of trimmed.split(',')) {
    const match = /^(\d{1,9}):(\d{1,3})$/.exec(part.trim());
    if (match === null)
      throw new RangeError(
        `a schedule is a list of INDEX:ALTERNATIVE pairs such as 14:1,40:2 (got ${JSON.stringify(part)})`,
      );
    const index = Number(match[1]);
    const alternative = Number(match[2]);
    if (alternative < 1)
      throw new RangeError(`alternative 0 is the default and is never listed (got ${JSON.stringify(part)})`);
    if (out.length > 0 && index <= out[out.length - 1]!.index)
      throw new RangeError(
        `schedule indexes must increase (got ${JSON.stringify(part)} after ${out[out.length - 1]!.index})`,
      );
    out.push({ index, alternative });
  }
  if (out.length > SCHEDULE_DEVIATIONS_MAX)
    throw new RangeError(`a schedule has at most ${SCHEDULE_DEVIATIONS_MAX} deviations (got ${out.length})`);
  return out;
}

/** Alternatives recorded per choice point are capped here (a count above is stored as this). */
const COUNT_CAP = 255;

/**
 * Follows a schedule: the listed deviations, the default everywhere else. Optionally records the
 * alternative count of every choice point it passes (for a systematic search) and describes the
 * deviations it takes.
 */
export class ReplayScheduler implements Scheduler {
  /** Choice points seen in the last run. */
  points = 0;
  /** Deviations taken, described (when `describe` is on). */
  readonly steps: ScheduleStep[] = [];
  /** Deviations of the schedule that did not apply (index never reached, or alternative out of range). */
  readonly unmatched: Deviation[] = [];
  private counts: Uint8Array;
  private byIndex: Map<number, number>;
  /** The schedule followed. */
  schedule: Schedule;
  /** Record the alternative counts of every choice point (for a systematic search). */
  record: boolean;
  private readonly describe: boolean;
  private readonly recordMax: number;

  constructor(
    schedule: Schedule,
    options: { readonly record?: boolean; readonly describe?: boolean; readonly recordMax?: number } = {},
  ) {
    this.schedule = schedule;
    this.byIndex = new Map(schedule.map((d) => [d.index, d.alternative]));
    this.record = options.record === true;
    this.describe = options.describe === true;
    this.recordMax = options.recordMax ?? 1 << 20;
    this.counts = new Uint8Array(1024);
  }

  /** Follows another schedule from the next run on (reuses this scheduler). */
  follow(schedule: Schedule, record = this.record): this {
    this.schedule = schedule;
    this.byIndex = new Map(schedule.map((d) => [d.index, d.alternative]));
    this.record = record;
    return this;
  }

  begin(): void {
    this.points = 0;
    this.steps.length = 0;
    this.unmatched.length = 0;
  }

  choose(point: ChoicePoint): number {
    const index = this.points++;
    if (this.record && index < this.recordMax) {
      if (index >= this.counts.length) {
        const grown = new Uint8Array(Math.min(this.counts.length * 2, this.recordMax));
        grown.set(this.counts);
        this.counts = grown;
      }
      this.counts[index] = point.count > COUNT_CAP ? COUNT_CAP : point.count;
    }
    const wanted = this.byIndex.get(index);
    if (wanted === undefined) return 0;
    if (wanted >= point.count) {
      this.unmatched.push({ index, alternative: wanted });
      return 0;
    }
    if (this.describe) {
      this.steps.push({
        index,
        alternative: wanted,
        kind: point.kind,
        tick: point.tick,
        processor: point.processor,
        site: point.site(),
        choice: point.describe(wanted),
        count: point.count,
      });
    }
    return wanted;
  }

  /** The alternative counts of the choice points of the last run (recording on). */
  recordedCounts(): Uint8Array {
    return this.counts.subarray(0, Math.min(this.points, this.recordMax));
  }

  /** Deviations of the schedule whose index the last run never reached. */
  unreached(): Deviation[] {
    return this.schedule.filter((d) => d.index >= this.points);
  }
}

/**
 * Random schedules: at each choice point, with probability `perMille`/1000, a uniformly drawn
 * non-default alternative. Draws from its own generator (seeded from `seed`), so the simulation's
 * generator — device traffic, faults — stays the same as in a replay of the recorded deviations.
 */
export class RandomScheduler implements Scheduler {
  /** Told of the departures so far at each departure (a watchdog keeps the schedule to replay). */
  onDeparture: ((schedule: Schedule) => void) | null = null;
  private readonly prng: Prng;
  private deviations: Deviation[] = [];
  private points = 0;

  constructor(
    readonly seed: number,
    readonly perMille = 100,
    readonly deviationsMax = 64,
  ) {
    if (!(perMille >= 0 && perMille <= 1000))
      throw new RangeError(`RandomScheduler: perMille must be in 0..1000 (got ${String(perMille)})`);
    this.prng = new Prng(seed);
  }

  begin(): void {
    this.prng.reset();
    this.deviations = [];
    this.points = 0;
  }

  choose(point: ChoicePoint): number {
    const index = this.points++;
    if (this.deviations.length >= this.deviationsMax || this.prng.below(1000) >= this.perMille) return 0;
    const alternative = 1 + this.prng.below(point.count - 1);
    this.deviations.push({ index, alternative });
    this.onDeparture?.(this.deviations);
    return alternative;
  }

  /** The deviations the last run took: replaying them with {@link ReplayScheduler} gives the same run. */
  schedule(): Schedule {
    return this.deviations;
  }
}
