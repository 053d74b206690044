/**
 * The choice points of a scheduled run (scheduler.ts), on top of dispatch and the DPC queues.
 *
 * Every preemption point is a choice point: the alternatives are the ISRs that could be delivered
 * now (on a processor below the DIRQL whose interrupt lock is free), other processors' queued DPCs
 * and a timer that is due, its function run on another processor (both while no lock is held
 * anywhere); the chosen one runs nested at that point, on its processor. The
 * run loop's picks of a processor — which one takes an interrupt, whose DPCs run first — are choices
 * too.
 *
 * Owns: the scheduler, the running count of choice points, the nesting depth, the alternatives of
 * the current point and where it is (the site: what the driver just did).
 */
import type { Prng } from '../core/prng.js';
import type { Clock } from '../core/time.js';
import { TRACE_CHOICE, type Trace } from '../core/trace.js';
import type { Device } from '../device/device.js';
import { DISPATCH_LEVEL, type IrqlEngine, type Processor } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks } from '../kernel/spinlock.js';
import type { ResolvedFaults } from '../schedule/faults.js';
import type { ChoiceKind, ChoicePoint, Scheduler } from '../schedule/scheduler.js';
import type { InterruptDispatch } from './dispatch.js';
import type { DpcQueues } from './dpc-queues.js';
import type { InterruptDeps } from './interrupt-deps.js';
import { isrName, type InterruptObject, type InterruptOptions } from './interrupt-object.js';
import type { InterruptTable } from './interrupt-table.js';

/** Alternatives one choice point offers at most (ISRs per message and processor, DPCs per processor). */
export const CHOICE_ALTERNATIVES_MAX = 64;
/** How deep scheduled runs nest other processors' ISRs and DPCs at choice points. */
export const SCHEDULE_NESTING_MAX = 8;

/** Site codes: what the driver just did where a preemption point is, for the scheduler's descriptions. */
export const SITE_READ = 1;
export const SITE_WRITE = 2;
export const SITE_LOCK = 3;
export const SITE_SYNC = 4;
export const SITE_STALL = 5;
export const SITE_FIELD = 6;

const SITE_VERBS = [
  '',
  'after read',
  'after write',
  'after releasing',
  'after returning from',
  'after',
  'after touching',
] as const;

const ALT_ISR = 1;
const ALT_DPC = 2;
/** The device raises an interrupt cause right here (traffic arriving now), masked or not. */
const ALT_ARRIVAL = 3;
/** A timer that is due expires on another processor: its function runs there now. */
const ALT_TIMER = 4;

/** The run's timer objects, as choice points see them (ndis/timers.ts). */
export interface DueTimers {
  /** The timer due first whose due tick has passed (still queued), or null. */
  dueNow(): object | null;
  /** Runs `timer`'s function on processor `cpu`, as if it expired there now. */
  runOn(timer: object, cpu: number): void;
  /** The name its function was declared with, for descriptions. */
  nameOf(timer: object): string;
}

export class ChoicePoints {
  /** The run's scheduler; null: not a scheduled run (the seeded delivery decides). */
  scheduler: Scheduler | null = null;
  /** The run's timers (set by the simulation), whose due timers are alternatives too. */
  timers: DueTimers | null = null;
  /** The due timer the current point's ALT_TIMER alternatives run. */
  private altTimer: object | null = null;
  /** What the current point follows (a register name and SITE_* code), for descriptions. */
  private siteName = '';
  private siteCode = 0;
  private choiceIndex = 0;
  private nesting = 0;
  private readonly altKind = new Uint8Array(CHOICE_ALTERNATIVES_MAX);
  private readonly altCpu = new Uint8Array(CHOICE_ALTERNATIVES_MAX);
  private readonly altMessage = new Uint8Array(CHOICE_ALTERNATIVES_MAX);
  private readonly point = new PointState(this);

  private readonly engine: IrqlEngine;
  private readonly locks: SpinLocks;
  private readonly monitor: RoleMonitor;
  private readonly clock: Clock;
  private readonly prng: Prng;
  private readonly device: Device;
  private readonly options: InterruptOptions;
  private readonly faults: ResolvedFaults;
  /** Offer "an interrupt cause arrives" where nothing else could preempt (InterruptOptions.arrivals). */
  private readonly arrivals: boolean;
  private readonly trace: Trace | null;

  constructor(
    deps: InterruptDeps,
    private readonly table: InterruptTable,
    private readonly dpcs: DpcQueues,
    private readonly dispatch: InterruptDispatch,
  ) {
    this.engine = deps.engine;
    this.locks = deps.locks;
    this.monitor = deps.monitor;
    this.clock = deps.clock;
    this.prng = deps.prng;
    this.device = deps.device;
    this.options = deps.options;
    this.faults = deps.faults;
    this.trace = deps.trace;
    this.arrivals = deps.options.arrivals === true;
  }

  reset(): void {
    this.siteName = '';
    this.siteCode = 0;
    this.choiceIndex = 0;
    this.nesting = 0;
    this.scheduler?.begin();
  }

  /**
   * The current processor's code reached a preemption point (SITE_* `siteCode`, after `siteName`).
   * Builds the alternatives (ISRs that could be delivered, other processors' DPCs that could run),
   * asks the scheduler, and runs the chosen one nested here.
   */
  reached(kind: ChoiceKind, siteCode: number, siteName: string): void {
    this.siteName = siteName;
    this.siteCode = siteCode;
    const object = this.table.active;
    if (object === null || this.nesting >= SCHEDULE_NESTING_MAX) return;
    let n = 1;
    if (!object.messageBased) {
      if (this.device.lineAsserted()) n = this.addIsrAlternatives(object, 0, n);
    } else {
      const pending = this.device.pendingMessages();
      for (let m = 0; pending !== 0 && m < object.messageCount; m++) {
        if ((pending & (1 << m)) !== 0) n = this.addIsrAlternatives(object, m, n);
      }
    }
    n = this.addDpcAlternatives(object, n);
    n = this.addTimerAlternatives(n);
    if (n === 1 && this.arrivals && this.device.raiseInterrupt !== undefined) {
      // Nothing could preempt here (the device is masked or quiet): an interrupt may still arrive.
      this.altKind[n] = ALT_ARRIVAL;
      this.altCpu[n] = this.engine.cpu.index;
      this.altMessage[n] = 0;
      n++;
    }
    if (n === 1) return;
    const cpu = this.engine.cpu;
    const choice = this.choose(kind, n, cpu.index, object);
    if (choice === 0) return;
    this.traceChoice(choice, cpu.index, cpu.irql);
    this.runAlternative(object, this.altKind[choice]!, this.altCpu[choice]!, this.altMessage[choice]!);
  }

  /** Adds "run the ISR of `message` on processor p" for every processor that could take it now. */
  private addIsrAlternatives(object: InterruptObject, message: number, n: number): number {
    const dirql = object.dirqls[message]!;
    if (object.locks[message]!.holder >= 0) return n;
    const processors = this.engine.processors;
    for (let p = 0; p < processors.length && n < CHOICE_ALTERNATIVES_MAX; p++) {
      if (processors[p]!.irql >= dirql) continue;
      this.altKind[n] = ALT_ISR;
      this.altCpu[n] = p;
      this.altMessage[n] = message;
      n++;
    }
    return n;
  }

  /**
   * Adds "run the DPCs queued on processor p" for other processors below DISPATCH_LEVEL — only while
   * no spin lock is held anywhere, so the nested DPC never waits on code suspended beneath it.
   */
  private addDpcAlternatives(object: InterruptObject, n: number): number {
    const mask = this.dpcs.pendingMask();
    if (mask === 0 || this.dpcs.held()) return n;
    for (const lock of object.locks) if (lock.holder >= 0) return n;
    if (this.locks.heldAny()) return n;
    const current = this.engine.cpu.index;
    const processors = this.engine.processors;
    for (let p = 0; p < processors.length && n < CHOICE_ALTERNATIVES_MAX; p++) {
      if (p === current || (mask & (1 << p)) === 0 || this.dpcs.draining(p) || processors[p]!.irql >= DISPATCH_LEVEL)
        continue;
      this.altKind[n] = ALT_DPC;
      this.altCpu[n] = p;
      this.altMessage[n] = 0;
      n++;
    }
    return n;
  }

  /**
   * Adds "the due timer's function runs on processor p" for other processors below DISPATCH_LEVEL,
   * under the conditions of other processors' DPCs (no lock held anywhere).
   */
  private addTimerAlternatives(n: number): number {
    const timers = this.timers;
    if (timers === null || this.dpcs.held() || this.locks.heldAny()) return n;
    const object = this.table.active;
    if (object !== null) for (const lock of object.locks) if (lock.holder >= 0) return n;
    const timer = timers.dueNow();
    if (timer === null) return n;
    this.altTimer = timer;
    const current = this.engine.cpu.index;
    const processors = this.engine.processors;
    for (let p = 0; p < processors.length && n < CHOICE_ALTERNATIVES_MAX; p++) {
      if (p === current || this.dpcs.draining(p) || processors[p]!.irql >= DISPATCH_LEVEL) continue;
      this.altKind[n] = ALT_TIMER;
      this.altCpu[n] = p;
      this.altMessage[n] = 0;
      n++;
    }
    return n;
  }

  private runAlternative(object: InterruptObject, kind: number, p: number, message: number): void {
    const engine = this.engine;
    const saved = engine.cpu;
    const target = engine.processors[p]!;
    const before = this.clock.nowTicks;
    const noDrain = this.dpcs.noDrainCpu;
    if (kind === ALT_ARRIVAL) {
      this.device.raiseInterrupt?.();
      return;
    }
    this.nesting++;
    try {
      if (kind === ALT_ISR) {
        // An ISR on another processor leaves its DPC queued there: a later choice (or the run loop) runs it.
        if (target !== saved) this.dpcs.noDrainCpu = target;
        engine.cpu = target;
        if (object.messageBased) this.dispatch.dispatchMessage(object, message);
        else this.dispatch.dispatch(object, 0, true);
      } else if (kind === ALT_TIMER) {
        this.timers!.runOn(this.altTimer!, p);
      } else {
        this.dpcs.drain(target);
      }
    } finally {
      this.nesting--;
      this.dpcs.noDrainCpu = noDrain;
      engine.cpu = saved;
    }
    // Another processor's work ran concurrently in fact: the suspended frames did not spend that time.
    if (target !== saved) this.monitor.creditTicks(this.clock.nowTicks - before);
  }

  /** The run loop's delivery: which processor takes the interrupt is a choice. Returns whether an ISR ran. */
  deliver(object: InterruptObject): boolean {
    let message = -1;
    if (!object.messageBased) {
      if (this.device.lineAsserted()) message = 0;
    } else {
      const pending = this.device.pendingMessages();
      for (let m = 0; pending !== 0 && m < object.messageCount; m++) {
        if ((pending & (1 << m)) !== 0) {
          message = m;
          break;
        }
      }
    }
    if (message < 0) return this.deliverUnasserted(object);
    this.dpcs.maybeHold();
    this.engine.cpu = this.chooseProcessor(object, 'deliver');
    return object.messageBased
      ? this.dispatch.dispatchMessage(object, message)
      : this.dispatch.dispatch(object, 0, true);
  }

  /** Nothing pending: another device on the shared line, or a spurious interrupt (faults), or nothing. */
  private deliverUnasserted(object: InterruptObject): boolean {
    const shared = this.options.sharedLinePerMille ?? 0;
    if (!object.messageBased && shared > 0 && this.prng.below(1000) < shared) {
      this.engine.cpu = this.chooseProcessor(object, 'deliver');
      return this.dispatch.dispatch(object, 0, false);
    }
    const spurious = this.faults.spuriousPerMille;
    if (spurious === 0 || this.prng.below(1000) >= spurious) return false;
    const spuriousMessage = object.messageBased ? this.prng.below(object.messageCount) : 0;
    this.engine.cpu = this.chooseProcessor(object, 'deliver');
    return this.dispatch.dispatch(object, spuriousMessage, object.messageBased);
  }

  /**
   * The processor that takes an interrupt in the run loop: processor 0 when all are alike (none has
   * DPCs queued), else a choice (alternative p: processor p).
   */
  private chooseProcessor(object: InterruptObject, kind: ChoiceKind): Processor {
    const processors = this.engine.processors;
    if (processors.length === 1 || this.dpcs.pendingMask() === 0) return processors[0]!;
    const n = Math.min(processors.length, CHOICE_ALTERNATIVES_MAX);
    for (let p = 0; p < n; p++) {
      this.altKind[p] = ALT_ISR;
      this.altCpu[p] = p;
      this.altMessage[p] = 0;
    }
    const choice = this.choose(kind, n, -1, object);
    if (choice !== 0) this.traceChoice(choice, choice, 0);
    return processors[choice]!;
  }

  /** The run loop's DPC turn: which processor's DPCs run first is a choice. */
  runDpcs(mask: number): boolean {
    let pick = 31 - Math.clz32(mask & -mask);
    const object = this.table.active;
    if ((mask & (mask - 1)) !== 0 && object !== null) {
      let n = 0;
      for (let p = 0; p < 32 && n < CHOICE_ALTERNATIVES_MAX; p++) {
        if ((mask & (1 << p)) === 0) continue;
        this.altKind[n] = ALT_DPC;
        this.altCpu[n] = p;
        this.altMessage[n] = 0;
        n++;
      }
      const choice = this.choose('dpc', n, -1, object);
      if (choice !== 0) this.traceChoice(choice, this.altCpu[choice]!, 0);
      pick = this.altCpu[choice]!;
    }
    const cpu = this.engine.processors[pick]!;
    this.engine.cpu = cpu;
    this.clock.nowTicks += 1;
    this.dpcs.drain(cpu);
    return true;
  }

  /** Asks the scheduler about the point whose `count` alternatives are set; returns the alternative taken. */
  private choose(kind: ChoiceKind, count: number, processor: number, object: InterruptObject): number {
    const point = this.point;
    point.index = this.choiceIndex++;
    point.kind = kind;
    point.count = count;
    point.tick = this.clock.nowTicks;
    point.processor = processor;
    point.object = object;
    const choice = this.scheduler!.choose(point);
    return Number.isInteger(choice) && choice > 0 && choice < count ? choice : 0;
  }

  private traceChoice(choice: number, processor: number, irql: number): void {
    const trace = this.trace;
    if (trace === null) return;
    const point = this.point;
    trace.record(
      this.clock.nowTicks,
      TRACE_CHOICE,
      processor,
      irql,
      trace.intern(point.describe(choice)),
      point.index,
      choice,
    );
  }

  /** @internal describes alternative `a` of the current choice point. */
  describeAlternative(point: PointState, a: number): string {
    if (a === 0)
      return point.processor < 0 && point.kind === 'deliver'
        ? 'processor 0 takes it'
        : point.processor < 0
          ? `DPCs of processor ${this.altCpu[0]} first`
          : 'go on';
    const p = this.altCpu[a]!;
    if (point.kind === 'deliver') return `processor ${p} takes it`;
    if (point.kind === 'dpc') return `DPCs of processor ${p} first`;
    if (this.altKind[a] === ALT_DPC) return `run the DPCs queued on processor ${p}`;
    if (this.altKind[a] === ALT_TIMER)
      return `timer function ${this.timers!.nameOf(this.altTimer!)} runs on processor ${p}`;
    if (this.altKind[a] === ALT_ARRIVAL) return 'an interrupt cause arrives';
    const object = point.object!;
    const what = object.messageBased ? `message ${this.altMessage[a]}` : 'line';
    return p === point.processor
      ? `${isrName(object)} (${what}) preempts on processor ${p}`
      : `${isrName(object)} (${what}) runs on processor ${p}`;
  }

  /** @internal where the current choice point is. */
  describeSite(point: PointState): string {
    if (point.processor < 0)
      return point.kind === 'deliver' ? 'the run loop delivers an interrupt' : 'the run loop runs DPCs';
    const fn = this.monitor.topName();
    const role = this.monitor.topRoleName();
    const who = fn === '' ? `processor ${point.processor}` : `${fn} (${role}) on processor ${point.processor}`;
    const verb = SITE_VERBS[this.siteCode] ?? 'at';
    const what = this.siteCode === SITE_STALL ? 'NdisStallExecution' : this.siteName;
    return `${who} ${verb} ${what}`;
  }
}

/** The choice point handed to schedulers (one object, reused). */
class PointState implements ChoicePoint {
  index = 0;
  kind: ChoiceKind = 'register';
  count = 0;
  tick = 0;
  processor = 0;
  object: InterruptObject | null = null;
  constructor(private readonly owner: ChoicePoints) {}
  site(): string {
    return this.owner.describeSite(this);
  }
  describe(alternative: number): string {
    if (!(Number.isInteger(alternative) && alternative >= 0 && alternative < this.count))
      throw new RangeError(`alternative ${alternative} is not in 0..${this.count - 1}`);
    return this.owner.describeAlternative(this, alternative);
  }
}
