/**
 * NDIS timer objects on the simulation's clock: NdisAllocateTimerObject, NdisSetTimerObject,
 * NdisSetCoalescableTimerObject, NdisCancelTimerObject and NdisFreeTimerObject. A set timer is
 * queued until its due tick; the run loop then runs its NDIS_TIMER_FUNCTION (a DPC) at
 * DISPATCH_LEVEL on the processor that set it (a timer's DPC runs where the timer was queued), once,
 * or every MillisecondsPeriod for a periodic timer, which is queued again before its function runs. Only one instance of a timer is queued at a time.
 * Every run starts with no timer objects; a handle of an earlier run is no timer of this one.
 *
 * Rules: TIMER-HANDLE (a handle no NdisAllocateTimerObject of the run returned, or one freed),
 * TIMER-PENDING (a timer still queued when it is freed, when MiniportHaltEx returns or when
 * MiniportInitializeEx fails; the harness then cancels it), TIMER-LEAK (timer objects not freed by
 * then); IRQL-CALL for a periodic timer canceled above PASSIVE_LEVEL (the conditional contract of
 * NdisCancelTimerObject, read from the spec).
 */
import {
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_STATUS_BAD_CHARACTERISTICS,
  NDIS_STATUS_SUCCESS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  roleOf,
  type Box,
  type NDIS_STATUS,
} from '@ddikit/ndis';
import type { Prng } from '../core/prng.js';
import type { Clock } from '../core/time.js';
import { DISPATCH_LEVEL, type IrqlEngine } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import { ddiInfo } from '../verifier/contract-table.js';
import type { ViolationSink } from '../verifier/violation-sink.js';

/** System time units (100 ns, one tick) per millisecond: MillisecondsPeriod in ticks. */
const TICKS_PER_MILLISECOND = 10_000;
/** MAXLONG: the largest MillisecondsPeriod the reference page allows. */
const PERIOD_MILLISECONDS_MAX = 0x7fff_ffff;
/** The widest tolerance drawn within, in ticks (about 214 s; a larger one is drawn within this). */
const TOLERANCE_TICKS_MAX = 0x7fff_ffff;
/** Most timer objects one run may allocate (a driver allocating in a loop fails the run, not the heap). */
export const TIMER_OBJECTS_MAX = 4096;

const ALLOCATE = ddiInfo('NdisAllocateTimerObject');
const SET = ddiInfo('NdisSetTimerObject');
const SET_COALESCABLE = ddiInfo('NdisSetCoalescableTimerObject');
const CANCEL = ddiInfo('NdisCancelTimerObject');
const FREE = ddiInfo('NdisFreeTimerObject');
/**
 * NdisCancelTimerObject's conditions in words (the spec's `when`, read from the remarks of its page:
 * "canceling periodic timer"), stated for a periodic and for a one-shot timer.
 */
const PERIODIC = statedConditions(true);
const ONE_SHOT = statedConditions(false);

function statedConditions(periodic: boolean): Readonly<Record<string, boolean>> {
  const stated: Record<string, boolean> = {};
  for (const condition of CANCEL.meta.irql.when)
    if (condition.param === null && condition.condition !== undefined) stated[condition.condition] = periodic;
  return Object.freeze(stated);
}

/** The roles a TimerFunction may be declared with. */
const TIMER_FUNCTION_ROLES: readonly string[] = ['NDIS_TIMER_FUNCTION'];

/** One timer object of a run. */
export class NdisTimer {
  /** Queued: the tick it expires at; Infinity when not queued. */
  dueTick = Infinity;
  /** Ticks between expirations of a periodic timer; 0 for a one-shot timer. */
  periodTicks = 0;
  periodMilliseconds = 0;
  /** NdisSetCoalescableTimerObject's Tolerance, in ticks: each expiry is drawn within ± this. */
  toleranceTicks = 0;
  /** The context its function gets (NdisSetTimerObject's, else the characteristics'). */
  runContext: unknown;
  /** The processor whose timer queue it is on. */
  processor = 0;
  freed = false;
  /** Expirations so far. */
  fired = 0;
  constructor(
    readonly id: number,
    /** The run it was allocated in. */
    readonly run: number,
    /** The TimerFunction of its characteristics. */
    readonly fn: unknown,
    /** The FunctionContext of its characteristics. */
    readonly context: unknown,
    readonly tag: number,
    /** The driver function that allocated it (for reports). */
    readonly allocatedBy: string,
  ) {
    this.runContext = context;
  }

  get queued(): boolean {
    return this.dueTick !== Infinity;
  }
}

/** What the timers need from the simulation. */
export interface TimerDeps {
  readonly engine: IrqlEngine;
  readonly clock: Clock;
  /** Draws a coalescable timer's expiries within its tolerance (the run's seed). */
  readonly prng: Prng;
  readonly monitor: RoleMonitor;
  readonly checks: boolean;
  /** Where reports go (the verifier; it leaves out disabled rules). */
  readonly sink: ViolationSink;
  /** Checks a handler as NdisMRegisterInterruptEx does its characteristics' (ROLE-TYPE). */
  handlerAccepted(value: unknown, accepted: readonly string[], where: string, subject: string): boolean;
  /** The driver handed NDIS a context (the timer function's): its fields are tracked for races. */
  track(context: unknown): void;
  fail(message: string): never;
}

/** An opaque handle: the driver never holds the timer object itself. */
interface TimerHandle {
  readonly timer: number;
}

export class Timers {
  /** The earliest due tick of a queued timer (Infinity: none queued). */
  nextDueTick = Infinity;
  /** Timer functions run, over the simulation's life. */
  calls = 0;
  /** This run's: timer functions run, and timers set (NdisSetTimerObject, NdisSetCoalescableTimerObject). */
  runCalls = 0;
  runSets = 0;
  private run = 0;
  private nextId = 1;
  /** This run's timer objects, allocated and not freed, in allocation order. */
  private readonly live: NdisTimer[] = [];
  private readonly byHandle = new WeakMap<object, NdisTimer>();
  private readonly args: unknown[] = [null, null, null, null];

  constructor(private readonly deps: TimerDeps) {}

  /** A new run: no timer objects (the handles of the last run are no longer timers). */
  reset(): void {
    this.run++;
    this.runCalls = 0;
    this.runSets = 0;
    this.nextId = 1;
    this.live.length = 0;
    this.nextDueTick = Infinity;
  }

  /** NdisAllocateTimerObject. */
  allocate(characteristics: unknown, out: unknown, caller: string): NDIS_STATUS {
    const deps = this.deps;
    if (deps.checks) deps.monitor.checkDdi(ALLOCATE, 0);
    if (typeof out !== 'object' || out === null)
      deps.fail('NdisAllocateTimerObject: pTimerObject must be a box ({ value }) to receive the timer handle');
    const box = out as Box<unknown>;
    box.value = null;
    if (typeof characteristics !== 'object' || characteristics === null)
      deps.fail('NdisAllocateTimerObject: TimerCharacteristics must be an NDIS_TIMER_CHARACTERISTICS object');
    const chars = characteristics as Record<string, unknown>;
    // NDIS checks the header first: the type, and a revision it knows.
    const header = chars['Header'] as { Type?: unknown; Revision?: unknown } | null | undefined;
    if (
      typeof header !== 'object' ||
      header === null ||
      header.Type !== NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS ||
      typeof header.Revision !== 'number' ||
      header.Revision < NDIS_TIMER_CHARACTERISTICS_REVISION_1
    )
      return NDIS_STATUS_BAD_CHARACTERISTICS;
    const fn = chars['TimerFunction'];
    if (!deps.handlerAccepted(fn, TIMER_FUNCTION_ROLES, 'NDIS_TIMER_CHARACTERISTICS.TimerFunction', ALLOCATE.name))
      return NDIS_STATUS_BAD_CHARACTERISTICS;
    const tag = chars['AllocationTag'];
    if (typeof tag !== 'number' || !Number.isInteger(tag) || tag <= 0 || tag > 0xffff_ffff) {
      // "You must provide this tag."
      return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    if (this.live.length >= TIMER_OBJECTS_MAX)
      deps.fail(`NdisAllocateTimerObject: more than ${TIMER_OBJECTS_MAX} timer objects allocated in one run`);
    const timer = new NdisTimer(this.nextId++, this.run, fn, chars['FunctionContext'] ?? null, tag, caller);
    deps.track(timer.context);
    this.live.push(timer);
    const handle: TimerHandle = Object.freeze({ timer: timer.id });
    this.byHandle.set(handle, timer);
    box.value = handle;
    return NDIS_STATUS_SUCCESS;
  }

  /** NdisSetTimerObject: true if the timer was queued already (it is queued again from now). */
  set(handle: unknown, dueTime: unknown, period: unknown, context: unknown): boolean {
    return this.setTimer(SET.name, handle, dueTime, period, context, 0);
  }

  /**
   * NdisSetCoalescableTimerObject: as NdisSetTimerObject, but each expiry falls anywhere within
   * ± Tolerance milliseconds of its time (the first of DueTime, the next of each period), drawn from
   * the seed: a driver that counts on the exact time shows it.
   */
  setCoalescable(handle: unknown, dueTime: unknown, period: unknown, context: unknown, tolerance: unknown): boolean {
    const deps = this.deps;
    const toleranceMs = milliseconds(SET_COALESCABLE.name, 'Tolerance', tolerance, deps.fail);
    return this.setTimer(SET_COALESCABLE.name, handle, dueTime, period, context, toleranceMs * TICKS_PER_MILLISECOND);
  }

  private setTimer(
    subject: string,
    handle: unknown,
    dueTime: unknown,
    period: unknown,
    context: unknown,
    toleranceTicks: number,
  ): boolean {
    const deps = this.deps;
    if (deps.checks) deps.monitor.checkDdi(subject === SET.name ? SET : SET_COALESCABLE, 0);
    const timer = this.timerOf(handle, subject);
    if (timer === null) return false;
    this.runSets++;
    const now = deps.clock.nowTicks;
    const periodMs = milliseconds(subject, 'MillisecondsPeriod', period, deps.fail);
    const due = this.jittered(dueTicks(subject, dueTime, now, deps.fail), toleranceTicks, now);
    const was = timer.queued;
    timer.dueTick = due;
    timer.periodMilliseconds = periodMs;
    timer.periodTicks = periodMs * TICKS_PER_MILLISECOND;
    timer.toleranceTicks = toleranceTicks;
    timer.runContext = context === undefined || context === null ? timer.context : context;
    deps.track(timer.runContext);
    timer.processor = deps.engine.cpu.index;
    if (due < this.nextDueTick) this.nextDueTick = due;
    else if (was) this.recomputeDue();
    return was;
  }

  /** `tick` moved by up to ± `tolerance` ticks (drawn from the seed), never to now or before. */
  private jittered(tick: number, tolerance: number, now: number): number {
    const span = tolerance < TOLERANCE_TICKS_MAX ? tolerance : TOLERANCE_TICKS_MAX;
    const at = span === 0 ? tick : tick - span + this.deps.prng.below(2 * span + 1);
    return at > now ? at : now + 1;
  }

  /** NdisCancelTimerObject: true if the timer was queued (it is not from now). */
  cancel(handle: unknown): boolean {
    const deps = this.deps;
    const timer = this.timerOf(handle, CANCEL.name, true);
    // The contract depends on the timer: a periodic one is canceled at PASSIVE_LEVEL only. In
    // collect mode a call out of contract still cancels, as the DDI would.
    if (deps.checks)
      deps.monitor.checkDdi(CANCEL, 0, [handle], timer !== null && timer.periodTicks > 0 ? PERIODIC : ONE_SHOT);
    if (timer === null) return false;
    if (timer.freed) {
      this.reportHandle(timer, CANCEL.name);
      return false;
    }
    return this.dequeue(timer);
  }

  /** NdisFreeTimerObject. */
  free(handle: unknown, caller: string): void {
    const deps = this.deps;
    if (deps.checks) deps.monitor.checkDdi(FREE, 0);
    const timer = this.timerOf(handle, FREE.name);
    if (timer === null) return;
    if (timer.queued) {
      this.pending(
        timer,
        FREE.name,
        `${caller} freed timer ${timer.id} with NdisFreeTimerObject while it was still set`,
      );
      this.dequeue(timer);
    }
    timer.freed = true;
    const index = this.live.indexOf(timer);
    if (index >= 0) this.live.splice(index, 1);
  }

  /**
   * The driver freed memory (`ddi`, e.g. NdisFreeMemory; `what` names the block) that a queued
   * timer's FunctionContext points into (`inside` says which contexts do): TIMER-PENDING for each
   * such timer, whose function would run on freed memory; the harness then cancels it. Returns how
   * many there were.
   */
  contextFreed(inside: (context: unknown) => boolean, ddi: string, what: string): number {
    let found = 0;
    for (const timer of this.live) {
      if (!timer.queued || !inside(timer.runContext)) continue;
      found++;
      const caller = this.deps.monitor.topName() || '(harness)';
      this.pending(
        timer,
        ddi,
        `${caller} freed ${what} with ${ddi} while timer ${timer.id}, whose FunctionContext points into it, was still set: its function would run on freed memory; cancel the timer first`,
      );
      this.dequeue(timer);
    }
    return found;
  }

  /**
   * Runs the timer due first, if one is due: its function at DISPATCH_LEVEL on the processor it was
   * set on. Returns whether one ran (the run loop then looks again before it lets time pass).
   */
  runDue(): boolean {
    const timer = this.dueNow();
    if (timer === null) return false;
    this.fire(timer, timer.processor);
    return true;
  }

  /** The timer due first whose due tick has passed, or null (a choice point may run it elsewhere). */
  dueNow(): NdisTimer | null {
    const now = this.deps.clock.nowTicks;
    if (this.nextDueTick > now) return null;
    let timer: NdisTimer | null = null;
    for (const t of this.live) if (t.dueTick <= now && (timer === null || t.dueTick < timer.dueTick)) timer = t;
    if (timer === null) this.recomputeDue();
    return timer;
  }

  /** Runs a due timer's function on processor `cpu`: a scheduled run's choice, it expired there. */
  runOn(timer: object, cpu: number): void {
    const due = timer as NdisTimer;
    if (!this.live.includes(due) || !due.queued) return;
    this.fire(due, cpu);
  }

  /** The name its function was declared with (for choice descriptions). */
  nameOf(timer: object): string {
    const fn = (timer as NdisTimer).fn;
    return roleOf(fn)?.name ?? 'the timer function';
  }

  /** Dequeues (or, periodic, queues again) a due timer and runs its function on processor `cpu`. */
  private fire(timer: NdisTimer, cpu: number): void {
    const now = this.deps.clock.nowTicks;
    if (timer.periodTicks > 0) {
      // Queued again before the function runs; a period the loop jumped past counts from now.
      const next = timer.dueTick + timer.periodTicks;
      timer.dueTick = this.jittered(next > now ? next : now + timer.periodTicks, timer.toleranceTicks, now);
    } else timer.dueTick = Infinity;
    this.recomputeDue();
    timer.fired++;
    this.calls++;
    this.runCalls++;
    this.call(timer, cpu);
  }

  /**
   * At MiniportHaltEx's return or a failed MiniportInitializeEx: TIMER-PENDING for each timer still
   * queued (then canceled), TIMER-LEAK for the timer objects not freed. `what` says which, `role`
   * is the role of `fn` (MINIPORT_HALT or MINIPORT_INITIALIZE).
   */
  checkAtEnd(what: string, role: string, fn: string): void {
    const queued = this.live.filter((t) => t.queued);
    for (const timer of queued) {
      this.pending(
        timer,
        role,
        `${what} with timer ${timer.id} still set (${timer.periodTicks > 0 ? `periodic, every ${timer.periodMilliseconds} ms` : 'one-shot'}); call NdisCancelTimerObject first`,
        fn,
      );
      this.dequeue(timer);
    }
    if (this.live.length > 0 && this.deps.checks && this.deps.sink.enabled('TIMER-LEAK')) {
      const ids = this.live.map((t) => t.id).join(', ');
      this.deps.sink.report({
        rule: 'TIMER-LEAK',
        subject: role,
        message: `${what} with ${this.live.length} timer object${this.live.length === 1 ? '' : 's'} never freed (${ids}, allocated by ${[...new Set(this.live.map((t) => t.allocatedBy))].join(', ')}); free each with NdisFreeTimerObject`,
        p2: this.live.length,
        function: fn,
      });
    }
  }

  /** The timer `handle` stands for, or null after TIMER-HANDLE. `keepFreed`: return a freed timer too. */
  private timerOf(handle: unknown, subject: string, keepFreed = false): NdisTimer | null {
    const timer = typeof handle === 'object' && handle !== null ? this.byHandle.get(handle) : undefined;
    if (timer !== undefined && timer.run === this.run && (keepFreed || !timer.freed)) return timer;
    this.reportHandle(timer !== undefined && timer.run === this.run ? timer : null, subject);
    return null;
  }

  private reportHandle(timer: NdisTimer | null, subject: string): void {
    const message =
      timer !== null
        ? `${subject} was called with timer ${timer.id}, which NdisFreeTimerObject already freed`
        : `${subject} was called with a handle that no NdisAllocateTimerObject of this run returned`;
    if (!this.deps.checks) this.deps.fail(message);
    this.deps.sink.report({ rule: 'TIMER-HANDLE', subject, message, p2: timer?.id ?? 0 });
  }

  private pending(timer: NdisTimer, subject: string, message: string, fn?: string): void {
    if (!this.deps.checks) return;
    this.deps.sink.report({
      rule: 'TIMER-PENDING',
      subject,
      message,
      p2: timer.id,
      ...(fn === undefined ? {} : { function: fn }),
    });
  }

  private dequeue(timer: NdisTimer): boolean {
    if (!timer.queued) return false;
    timer.dueTick = Infinity;
    this.recomputeDue();
    return true;
  }

  private recomputeDue(): void {
    let due = Infinity;
    for (const t of this.live) if (t.dueTick < due) due = t.dueTick;
    this.nextDueTick = due;
  }

  /** The timer's function at DISPATCH_LEVEL on its processor, through the role monitor. */
  private call(timer: NdisTimer, processor: number): void {
    const { engine, monitor, checks } = this.deps;
    const saved = engine.cpu;
    const cpu = engine.processors[processor]!;
    engine.cpu = cpu;
    const from = cpu.irql;
    engine.raise(DISPATCH_LEVEL, 'timer');
    const args = this.args;
    args[1] = timer.runContext;
    try {
      const declaration = roleOf(timer.fn);
      if (checks && declaration !== undefined) monitor.callRole(declaration, undefined, args);
      else {
        const fn = (declaration !== undefined ? declaration.impl : timer.fn) as (...a: unknown[]) => unknown;
        fn(null, timer.runContext, null, null);
      }
    } finally {
      args[1] = null;
      if (cpu.irql !== from) engine.set(from, 'timer return');
      engine.cpu = saved;
    }
  }
}

/** MillisecondsPeriod or Tolerance (optional: 0), checked: an integer in 0..MAXLONG. */
function milliseconds(subject: string, name: string, value: unknown, fail: (message: string) => never): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > PERIOD_MILLISECONDS_MAX)
    fail(`${subject}: ${name} must be an integer in 0..${PERIOD_MILLISECONDS_MAX} (got ${String(value)})`);
  return value;
}

/**
 * DueTime in ticks from now on: negative is relative (100 ns units, one tick each), zero or positive
 * is absolute system time (the simulation's clock); a time already past expires at the next tick.
 */
function dueTicks(subject: string, dueTime: unknown, now: number, fail: (message: string) => never): number {
  let value: number;
  if (typeof dueTime === 'bigint') value = Number(dueTime);
  else if (typeof dueTime === 'number' && Number.isInteger(dueTime)) value = dueTime;
  else if (
    typeof dueTime === 'object' &&
    dueTime !== null &&
    (dueTime as { QuadPart?: unknown }).QuadPart !== undefined
  ) {
    // One level only: a QuadPart is a number, never another LARGE_INTEGER (nor the object itself).
    const quad = (dueTime as { QuadPart: unknown }).QuadPart;
    if (typeof quad !== 'bigint' && typeof quad !== 'number')
      fail(`${subject}: DueTime.QuadPart must be a bigint or an integer number (got ${typeof quad})`);
    return dueTicks(subject, quad, now, fail);
  } else if (typeof dueTime === 'object' && dueTime !== null && typeof (dueTime as { u?: unknown }).u === 'object') {
    // The union's halves: HighPart signed, LowPart unsigned.
    const { LowPart, HighPart } = (dueTime as { u: { LowPart?: unknown; HighPart?: unknown } }).u;
    if (!Number.isInteger(LowPart) || !Number.isInteger(HighPart))
      fail(`${subject}: DueTime.u must have integer LowPart and HighPart`);
    return dueTicks(subject, (BigInt(HighPart as number) << 32n) | BigInt((LowPart as number) >>> 0), now, fail);
  } else
    fail(
      `${subject}: DueTime must be a LARGE_INTEGER ({ QuadPart } or { u: { LowPart, HighPart } }) in 100 ns units, or from JavaScript a bigint or an integer number (got ${typeof dueTime === 'object' ? 'an object with neither' : String(dueTime)})`,
    );
  if (!Number.isSafeInteger(value)) fail(`${subject}: DueTime ${String(dueTime)} is out of range`);
  const due = value < 0 ? now - value : value;
  return due > now ? due : now + 1;
}
