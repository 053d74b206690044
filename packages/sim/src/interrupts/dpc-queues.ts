/**
 * The DPC queues, one per processor. A DPC object exists per (interrupt, message, processor) and is
 * queued at most once at a time (NdisMQueueDpcEx clears the bit of a processor where it was already
 * queued). Queued DPCs run at DISPATCH_LEVEL when their processor's IRQL drops below
 * DISPATCH_LEVEL, or when the run loop gives that processor time.
 *
 * Owns: the queues, the hold of the DPC-coalescing fault, the processor whose DPCs a scheduled run
 * keeps queued for a later choice, and the last DPC that returned (for INT-LOST reports).
 */
import type { RoleDeclaration } from '@ddikit/ndis';
import type { Prng } from '../core/prng.js';
import type { Clock } from '../core/time.js';
import { DISPATCH_LEVEL, type IrqlEngine, type Processor } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { ResolvedFaults } from '../schedule/faults.js';
import type { InterruptDeps } from './interrupt-deps.js';
import { MESSAGES_MAX, type Fn, type InterruptObject, type InterruptStats } from './interrupt-object.js';

/** Most DPCs one processor runs in one drain before giving the run loop a turn. */
export const DPC_DRAIN_MAX = 256;

/** A processor's DPC queue: a ring of (interrupt, message). */
class DpcQueue {
  readonly objects: (InterruptObject | null)[];
  readonly messages: Int32Array;
  head = 0;
  count = 0;
  draining = false;
  constructor(readonly capacity: number) {
    this.objects = new Array<InterruptObject | null>(capacity).fill(null);
    this.messages = new Int32Array(capacity);
  }

  reset(): void {
    this.objects.fill(null);
    this.head = 0;
    this.count = 0;
    this.draining = false;
  }

  holds(object: InterruptObject): boolean {
    for (let k = 0; k < this.count; k++) if (this.objects[(this.head + k) % this.capacity] === object) return true;
    return false;
  }
}

export class DpcQueues {
  /** Until this tick, queued DPCs wait (the DPC-coalescing fault). */
  holdUntilTick = 0;
  /** A processor whose ISR a choice point nested: its DPCs stay queued for a later choice. */
  noDrainCpu: Processor | null = null;
  /** INT-LOST: the last DPC that returned (its declaration: the report names it and where it is defined). */
  lastDpc: RoleDeclaration | null = null;
  lastDpcCpu = -1;
  lastDpcTick = 0;

  private readonly queues: DpcQueue[] = [];
  /** Per message (the line's: 0): DPCs queued on any processor. */
  private readonly queuedOf = new Int32Array(MESSAGES_MAX);
  private readonly engine: IrqlEngine;
  private readonly monitor: RoleMonitor;
  private readonly checks: boolean;
  private readonly clock: Clock;
  private readonly prng: Prng;
  private readonly faults: ResolvedFaults;
  private readonly fail: (message: string) => never;

  /** `stats`: the counters shared with dispatch; the queues count the DPCs. */
  constructor(
    deps: InterruptDeps,
    private readonly stats: InterruptStats,
  ) {
    this.engine = deps.engine;
    this.monitor = deps.monitor;
    this.checks = deps.checks;
    this.clock = deps.clock;
    this.prng = deps.prng;
    this.faults = deps.faults;
    this.fail = deps.fail;
    for (let i = 0; i < deps.engine.processorCount; i++) this.queues.push(new DpcQueue(MESSAGES_MAX * 2));
  }

  reset(): void {
    this.holdUntilTick = 0;
    this.noDrainCpu = null;
    this.lastDpc = null;
    this.lastDpcCpu = -1;
    this.lastDpcTick = 0;
    for (const queue of this.queues) queue.reset();
    this.queuedOf.fill(0);
  }

  /** Any DPC queued on any processor. */
  pending(): boolean {
    for (const queue of this.queues) if (queue.count > 0) return true;
    return false;
  }

  /** The processors with DPCs queued, as a bit mask. */
  pendingMask(): number {
    let mask = 0;
    for (let i = 0; i < this.queues.length; i++) if (this.queues[i]!.count > 0) mask |= 1 << i;
    return mask;
  }

  /** Whether a processor other than `cpu` has DPCs queued. */
  pendingElsewhere(cpu: number): boolean {
    for (let i = 0; i < this.queues.length; i++) if (i !== cpu && this.queues[i]!.count > 0) return true;
    return false;
  }

  /** Whether the DPC of (object, message) is queued on a processor other than `cpu`. */
  queuedElsewhere(object: InterruptObject, message: number, cpu: number): boolean {
    return this.queuedOf[message]! - object.dpcQueued[message * this.engine.processorCount + cpu]! > 0;
  }

  /** Whether processor `p` is running its DPCs now. */
  draining(p: number): boolean {
    return this.queues[p]!.draining;
  }

  /** Whether queued DPCs wait now (the DPC-coalescing fault holds them back). */
  held(): boolean {
    return this.clock.nowTicks < this.holdUntilTick;
  }

  /** The DPC-coalescing fault: hold the coming ISR's DPC back, so later requests find it queued. */
  maybeHold(): void {
    const chance = this.faults.dpcCoalescingPerMille;
    if (chance === 0 || this.prng.below(1000) >= chance) return;
    this.holdUntilTick = this.clock.nowTicks + this.prng.between(20, this.faults.dpcHoldTicksMax);
  }

  /** Ends a DPC hold (before the final drain of a run). */
  releaseHold(): void {
    this.holdUntilTick = 0;
  }

  /** Queues the DPC of (object, message) on processor `p`; false if it was queued already. */
  enqueue(object: InterruptObject, message: number, p: number, context: unknown): boolean {
    const slot = message * this.engine.processorCount + p;
    if (object.dpcQueued[slot] === 1) return false;
    const queue = this.queues[p]!;
    if (queue.count >= queue.capacity) this.fail(`the DPC queue of processor ${p} is full (${queue.capacity})`);
    object.dpcQueued[slot] = 1;
    object.dpcContext[slot] = context;
    this.queuedOf[message]!++;
    const tail = (queue.head + queue.count) % queue.capacity;
    queue.objects[tail] = object;
    queue.messages[tail] = message;
    queue.count++;
    this.engine.processors[p]!.dpcCount = queue.count;
    return true;
  }

  /** Runs, on their processors, the queued DPCs of an interrupt being deregistered. */
  drainHolding(object: InterruptObject): void {
    const saved = this.engine.cpu;
    for (const cpu of this.engine.processors) {
      const queue = this.queues[cpu.index]!;
      if (queue.count === 0 || !queue.holds(object)) continue;
      this.engine.cpu = cpu;
      this.drain(cpu);
      this.engine.cpu = saved;
    }
  }

  /**
   * IRQL went back to `level` after a raise (an ISR or a synchronize function returned): run the
   * DPCs the lower unmasks, unless they are held or kept queued for a later choice.
   */
  drainAfterRestore(cpu: Processor, level: number): void {
    if (
      level < DISPATCH_LEVEL &&
      cpu.dpcCount > 0 &&
      cpu !== this.noDrainCpu &&
      this.clock.nowTicks >= this.holdUntilTick
    )
      this.drain(cpu);
  }

  /** For NdisReleaseSpinLock and others that lower IRQL: run DPCs the lower unmasks. */
  afterLower(): void {
    const cpu = this.engine.cpu;
    if (cpu.irql < DISPATCH_LEVEL && cpu.dpcCount > 0 && this.clock.nowTicks >= this.holdUntilTick) this.drain(cpu);
  }

  /** Runs the DPCs queued on `cpu` at DISPATCH_LEVEL (bounded), then returns to the entry IRQL. */
  drain(cpu: Processor): void {
    const queue = this.queues[cpu.index]!;
    if (queue.draining || queue.count === 0) return;
    const engine = this.engine;
    const saved = engine.cpu;
    engine.cpu = cpu;
    const from = cpu.irql;
    if (from >= DISPATCH_LEVEL) {
      engine.cpu = saved;
      return;
    }
    queue.draining = true;
    try {
      engine.raise(DISPATCH_LEVEL, 'dpc');
      for (let n = 0; n < DPC_DRAIN_MAX && queue.count > 0; n++) {
        this.runNext(queue, cpu);
        if (cpu.irql !== DISPATCH_LEVEL) engine.set(DISPATCH_LEVEL, 'dpc');
      }
      engine.set(from, 'dpc return');
    } finally {
      queue.draining = false;
      engine.cpu = saved;
    }
  }

  /** Takes the DPC at the head of `queue` and calls it (unless its interrupt is gone). */
  private runNext(queue: DpcQueue, cpu: Processor): void {
    const object = queue.objects[queue.head]!;
    const message = queue.messages[queue.head]!;
    queue.objects[queue.head] = null;
    queue.head = (queue.head + 1) % queue.capacity;
    queue.count--;
    cpu.dpcCount = queue.count;
    const slot = message * this.engine.processorCount + cpu.index;
    const context = object.dpcContext[slot];
    object.dpcQueued[slot] = 0;
    object.dpcContext[slot] = null;
    this.queuedOf[message]!--;
    if (!object.registered) return;
    this.stats.dpcs++;
    const declaration = object.dpcDeclaration;
    if (this.checks && declaration !== null) {
      const args = object.dpcArgs;
      if (object.messageBased) {
        args[1] = message;
        args[2] = context;
        this.monitor.nextDpcMessage = message;
      } else args[1] = context;
      this.monitor.nextDpcSource = message;
      this.monitor.callRole(declaration, undefined, args);
      args[object.messageBased ? 2 : 1] = null;
      this.lastDpc = declaration;
      this.lastDpcCpu = cpu.index;
      this.lastDpcTick = this.clock.nowTicks;
    } else {
      const dpc = declaration !== null ? (declaration.impl as Fn) : object.dpc;
      if (object.messageBased) dpc(object.context, message, context, null, null);
      else dpc(object.context, context, null, null);
    }
  }
}
