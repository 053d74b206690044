/**
 * Spin locks: NDIS spin locks (NdisAllocateSpinLock and friends) and the interrupt spin locks that
 * NdisMSynchronizeWithInterruptEx and ISR dispatch take. Tracks, per lock, whether it is allocated,
 * who holds it, the IRQL saved inside it and since when it is held; per processor, the stack of locks
 * held; across the run, the order in which locks were nested (a lock-order graph, as Driver
 * Verifier's deadlock detection keeps).
 *
 * Checks: LOCK-REACQUIRE, LOCK-RELEASE-UNHELD, LOCK-MISMATCH, LOCK-ORDER (out-of-LIFO release and
 * both-order nesting), LOCK-UNINIT, TIME-BUDGET (held too long). LOCK-LEAK is checked where a role
 * function returns (role-monitor.ts) with {@link SpinLocks.releaseAbove}.
 *
 * In collect mode every violation is followed by a repair that leaves locks and IRQL as a correct
 * driver would have left them, so the same bug does not cascade into other reports.
 */
import type { NDIS_SPIN_LOCK } from '@ddikit/ndis';
import { DISPATCH_LEVEL, type IrqlEngine } from './irql.js';
import { ticksToMicroseconds, type Clock, type TimeBudgets } from '../core/time.js';
import { TRACE_LOCK_ACQUIRE, TRACE_LOCK_RELEASE, type Trace } from '../core/trace.js';
import type { ViolationSink } from '../verifier/violation-sink.js';

/** How a held lock was taken. */
export const KIND_ACQUIRE = 1;
export const KIND_DPR = 2;
export const KIND_INTERRUPT = 3;

const KIND_NAMES = ['', 'NdisAcquireSpinLock', 'NdisDprAcquireSpinLock', 'interrupt lock'] as const;

/** Most locks one processor may hold at once. */
export const HELD_LOCKS_MAX = 32;
/** Most locks one run may allocate (NDIS and interrupt locks together). */
export const LOCKS_MAX = 4096;

const STATE: unique symbol = Symbol('ddikit.sim.spinLockState');
/** Where namedSpinLock keeps the name a driver gave a lock. */
const GIVEN_NAME: unique symbol = Symbol('ddikit.sim.spinLockName');

/** Longest name a driver may give a spin lock. */
export const LOCK_NAME_LENGTH_MAX = 80;

/**
 * An NDIS_SPIN_LOCK for NdisAllocateSpinLock that reports call by `name`
 * (`rxLock (spin lock #2)`) rather than by number:
 *
 * ```ts
 * const adapter = { rxLock: namedSpinLock('rxLock'), … };
 * ndis.NdisAllocateSpinLock(adapter.rxLock);
 * ```
 *
 * Without it, a lock kept in a context the driver hands NDIS is named by where it is kept.
 */
export function namedSpinLock(name: string): NDIS_SPIN_LOCK {
  if (typeof name !== 'string' || name.length === 0 || name.length > LOCK_NAME_LENGTH_MAX)
    throw new TypeError(
      `namedSpinLock: the name must be a string of 1..${LOCK_NAME_LENGTH_MAX} characters (got ${JSON.stringify(name)})`,
    );
  const lock: NDIS_SPIN_LOCK = {};
  Object.defineProperty(lock, GIVEN_NAME, { value: name, enumerable: false });
  return lock;
}

/** The harness's record of one lock. */
export class SpinLockState {
  readonly id: number;
  /**
   * `spin lock #2`, `interrupt lock #1`; a spin lock the driver named (namedSpinLock) or keeps in a
   * context the harness walked: `rxLock (spin lock #2)`.
   */
  name: string;
  /** Named by the driver (namedSpinLock) or after its first place: not renamed again. */
  named = false;
  /** The driver function that allocated it (or the interrupt it belongs to). */
  readonly origin: string;
  readonly interrupt: boolean;
  freed = false;
  /** Index of the holding processor, or -1. */
  holder = -1;
  /** How the holder took it (KIND_*), 0 when free. */
  kind = 0;
  /** The IRQL saved by NdisAcquireSpinLock (the NDIS_SPIN_LOCK's OldIrql). */
  savedIrql = 0;
  acquiredTick = 0;
  /** The DDI that took it last (NdisAcquireSpinLock, NdisDprAcquireSpinLock, …), for reports. */
  acquiredWith = '';
  /**
   * Where in the driver's source it was taken last (`at Fn (file:line:col)`), when the simulation
   * asks for it (SpinLocks.siteOf, the lockSites option); null otherwise.
   */
  acquiredAt: string | null = null;
  /** Lock-order graph: locks acquired while this one was held. */
  readonly after: SpinLockState[] = [];
  /** The simulation run this state belongs to. */
  readonly epoch: number;

  constructor(id: number, name: string, origin: string, interrupt: boolean, epoch: number) {
    this.id = id;
    this.name = name;
    this.origin = origin;
    this.interrupt = interrupt;
    this.epoch = epoch;
  }
}

/** One entry of a processor's held-lock stack (preallocated, reused). */
class HeldEntry {
  lock: SpinLockState | null = null;
  kind = 0;
  /** The IRQL to go back to when this entry is released. */
  restoreIrql = 0;
  /** Set when a lock released out of order handed its restore level to this entry (repair). */
  inherited = false;
}

class HeldStack {
  readonly entries: HeldEntry[] = [];
  depth = 0;
  constructor() {
    for (let i = 0; i < HELD_LOCKS_MAX; i++) this.entries.push(new HeldEntry());
  }
}

export class SpinLocks {
  verifier: ViolationSink | null = null;
  /** The run's trace, when on: lock holds are spans there. */
  trace: Trace | null = null;
  /**
   * Where the driver's source is now (`at Fn (file:line:col)`), asked at every acquire of a driver's
   * spin lock: a stack capture each, so only when the lockSites option asks for it (a replay, the
   * re-run of a seed whose run leaked a lock); null: not asked.
   */
  siteOf: (() => string | null) | null = null;
  private readonly engine: IrqlEngine;
  private readonly clock: Clock;
  private readonly budgets: TimeBudgets;
  private readonly fail: (message: string) => never;
  private readonly held: HeldStack[] = [];
  private nextId = 1;
  private epoch = 0;
  /** Every lock of this run, for the order graph search bound. */
  private count = 0;

  constructor(engine: IrqlEngine, clock: Clock, budgets: TimeBudgets, fail: (message: string) => never) {
    this.engine = engine;
    this.clock = clock;
    this.budgets = budgets;
    this.fail = fail;
    for (let i = 0; i < engine.processorCount; i++) this.held.push(new HeldStack());
  }

  /** Forgets every lock (a new run). Lock objects from an earlier run read as never allocated. */
  reset(): void {
    this.epoch++;
    this.nextId = 1;
    this.count = 0;
    for (const stack of this.held) {
      for (let i = 0; i < stack.depth; i++) stack.entries[i]!.lock = null;
      stack.depth = 0;
    }
  }

  /** Whether any processor holds an NDIS spin lock. */
  heldAny(): boolean {
    for (const stack of this.held) if (stack.depth > 0) return true;
    return false;
  }

  private traced(kind: number, state: SpinLockState): void {
    const trace = this.trace!;
    const cpu = this.engine.cpu;
    trace.record(this.clock.nowTicks, kind, cpu.index, cpu.irql, trace.intern(state.name), state.id, 0);
  }

  /** Number of locks the current processor holds. */
  depth(): number {
    return this.held[this.engine.cpu.index]!.depth;
  }

  /**
   * The spin locks the current processor holds, as a bit mask: lock id modulo 32 (the race
   * detector's lock set; two locks share a bit only past 32 locks in a run).
   */
  heldMask(): number {
    const stack = this.held[this.engine.cpu.index]!;
    let mask = 0;
    for (let i = 0; i < stack.depth; i++) mask |= 1 << (stack.entries[i]!.lock!.id & 31);
    return mask;
  }

  /** The lock at `index` of the current processor's held stack (0 = outermost). */
  heldAt(index: number): SpinLockState {
    const stack = this.held[this.engine.cpu.index]!;
    if (index < 0 || index >= stack.depth)
      this.fail(`no held lock at depth ${index} (processor ${this.engine.cpu.index} holds ${stack.depth})`);
    return stack.entries[index]!.lock!;
  }

  /** The locks the current processor holds, outermost first (for tests and reports). */
  heldNames(): string[] {
    const stack = this.held[this.engine.cpu.index]!;
    const out: string[] = [];
    for (let i = 0; i < stack.depth; i++) out.push(stack.entries[i]!.lock!.name);
    return out;
  }

  private newState(name: string, origin: string, interrupt: boolean): SpinLockState {
    if (this.count >= LOCKS_MAX) this.fail(`more than ${LOCKS_MAX} spin locks allocated in one run`);
    this.count++;
    const id = this.nextId++;
    return new SpinLockState(id, `${name} #${id}`, origin, interrupt, this.epoch);
  }

  /** NdisAllocateSpinLock. */
  allocate(lock: NDIS_SPIN_LOCK, origin: string): void {
    if (typeof lock !== 'object' || lock === null) {
      this.fail(
        `NdisAllocateSpinLock: SpinLock must be an object the driver owns (got ${lock === null ? 'null' : typeof lock})`,
      );
    }
    const existing = (lock as { [STATE]?: SpinLockState })[STATE];
    if (existing !== undefined && existing.epoch === this.epoch && existing.holder >= 0 && !existing.freed) {
      this.fail(
        `NdisAllocateSpinLock: ${existing.name} is held by processor ${existing.holder} and cannot be initialized again`,
      );
    }
    const state = this.newState('spin lock', origin, false);
    const given = (lock as { [GIVEN_NAME]?: string })[GIVEN_NAME];
    if (given !== undefined) {
      state.name = `${given} (${state.name})`;
      state.named = true;
    }
    Object.defineProperty(lock, STATE, { value: state, writable: true, configurable: true, enumerable: false });
  }

  /**
   * Names an allocated spin lock of this run after where the driver keeps it (`rxLock`,
   * `queues[1].lock`), unless the driver named it; anything else is left alone.
   */
  nameByPlace(object: object, place: string): void {
    const state = (object as { [STATE]?: SpinLockState })[STATE];
    if (state === undefined || state.epoch !== this.epoch || state.interrupt || state.named) return;
    state.name = `${place} (spin lock #${state.id})`;
    state.named = true;
  }

  /**
   * NdisFreeSpinLock. Freeing a lock a processor holds is LOCK-FREE-HELD, reported here rather than
   * at the release that would touch freed memory; in collect mode the free is skipped (the lock stays
   * allocated, so its holder's release goes through).
   */
  free(lock: NDIS_SPIN_LOCK, ddi: string): void {
    const state = this.stateOf(lock, ddi);
    if (state === null) return;
    const verifier = this.verifier;
    if (state.holder >= 0 && verifier !== null) {
      const cpu = this.engine.cpu.index;
      verifier.report({
        rule: 'LOCK-FREE-HELD',
        subject: ddi,
        message: `${ddi} freed ${state.name}, which processor ${state.holder} holds${state.holder === cpu ? ' (the caller itself)' : ''}; release it first — its release would touch freed memory`,
        p2: state.id,
        p3: state.holder,
        p4: cpu,
        site: state.name,
      });
      return;
    }
    state.freed = true;
  }

  /** The state of an NDIS spin lock; LOCK-UNINIT (null in collect mode) when never allocated or freed. */
  stateOf(lock: NDIS_SPIN_LOCK, ddi: string): SpinLockState | null {
    const state = typeof lock === 'object' && lock !== null ? (lock as { [STATE]?: SpinLockState })[STATE] : undefined;
    if (state !== undefined && state.epoch === this.epoch && !state.freed) return state;
    if (this.verifier === null) {
      if (state !== undefined && state.epoch === this.epoch) return state;
      this.fail(`${ddi}: the spin lock was never allocated`);
    }
    const freed = state !== undefined && state.epoch === this.epoch;
    this.verifier.report({
      rule: 'LOCK-UNINIT',
      subject: ddi,
      message: freed
        ? `${ddi} used ${state!.name}, which NdisFreeSpinLock already freed`
        : `${ddi} used a spin lock that NdisAllocateSpinLock never initialized`,
      p2: freed ? state!.id : 0,
      p3: this.engine.cpu.index,
      site: freed ? state!.name : 'unallocated',
    });
    return null;
  }

  /** NdisAcquireSpinLock (dpr false) and NdisDprAcquireSpinLock (dpr true). */
  acquire(lock: NDIS_SPIN_LOCK, dpr: boolean, ddi: string): void {
    const state = this.stateOf(lock, ddi);
    if (state === null) return;
    const cpu = this.engine.cpu;
    const from = cpu.irql;
    if (state.holder >= 0 && !this.checkAcquirable(state, ddi)) return;
    // NdisAcquireSpinLock raises to DISPATCH_LEVEL; from above it (already an IRQL-CALL / MAY-CALL
    // report) the level is kept so the matching release restores it.
    if (!dpr) this.engine.raise(from > DISPATCH_LEVEL ? from : DISPATCH_LEVEL, ddi);
    this.push(state, dpr ? KIND_DPR : KIND_ACQUIRE, from, ddi);
    if (!dpr) state.savedIrql = from;
  }

  /** NdisReleaseSpinLock (dpr false) and NdisDprReleaseSpinLock (dpr true). */
  release(lock: NDIS_SPIN_LOCK, dpr: boolean, ddi: string): void {
    const state = this.stateOf(lock, ddi);
    if (state === null) return;
    this.releaseState(state, dpr ? KIND_DPR : KIND_ACQUIRE, ddi);
  }

  /** A new interrupt spin lock. */
  createInterruptLock(origin: string): SpinLockState {
    return this.newState('interrupt lock', origin, true);
  }

  /**
   * Takes an interrupt lock on the current processor (the caller has raised IRQL already). Returns
   * false when the lock cannot be taken (LOCK-REACQUIRE in collect mode): the caller goes on without it.
   *
   * Interrupt locks are not pushed on the held-lock stack: only the harness takes and releases them,
   * always in LIFO order around one call, so there is nothing to check there — and the stack stays
   * the driver's own locks, which LOCK-LEAK and LOCK-ORDER are about.
   */
  acquireInterruptLock(state: SpinLockState, by: string): boolean {
    if (state.holder >= 0 && !this.checkAcquirable(state, by)) return false;
    state.holder = this.engine.cpu.index;
    state.kind = KIND_INTERRUPT;
    state.acquiredTick = this.clock.nowTicks;
    if (this.trace !== null) this.traced(TRACE_LOCK_ACQUIRE, state);
    return true;
  }

  /** Releases an interrupt lock taken by {@link acquireInterruptLock}; the caller restores IRQL. */
  releaseInterruptLock(state: SpinLockState, by: string): void {
    if (this.verifier !== null && this.clock.nowTicks - state.acquiredTick > this.budgets.lockHeldTicksMax)
      this.checkHoldTime(state, by);
    if (this.trace !== null) this.traced(TRACE_LOCK_RELEASE, state);
    state.holder = -1;
    state.kind = 0;
  }

  /**
   * Releases every lock the current processor took above `depth` (a function returned holding them)
   * and restores the IRQL that held before the first of them. Returns the first leaked lock, or null.
   */
  releaseAbove(depth: number, by: string): SpinLockState | null {
    const stack = this.held[this.engine.cpu.index]!;
    if (stack.depth <= depth) return null;
    const first = stack.entries[depth]!;
    const leaked = first.lock!;
    const restore = first.restoreIrql;
    while (stack.depth > depth) {
      const entry = stack.entries[stack.depth - 1]!;
      const state = entry.lock!;
      if (this.trace !== null) this.traced(TRACE_LOCK_RELEASE, state);
      state.holder = -1;
      state.kind = 0;
      entry.lock = null;
      stack.depth--;
    }
    this.engine.set(restore, by);
    return leaked;
  }

  // ---- internals -------------------------------------------------------------------------------

  /** A lock that is held: report the self-deadlock (or cross-processor deadlock); false = skip. */
  private checkAcquirable(state: SpinLockState, ddi: string): boolean {
    const cpu = this.engine.cpu;
    const self = state.holder === cpu.index;
    if (this.verifier === null) {
      this.fail(`${ddi}: ${state.name} is already held by processor ${state.holder}; the processor would spin forever`);
    }
    this.verifier.report({
      rule: 'LOCK-REACQUIRE',
      subject: ddi,
      message: self
        ? `${ddi} acquired ${state.name}, which processor ${cpu.index} already holds (self-deadlock)`
        : `${ddi} acquired ${state.name}, held by processor ${state.holder}, which waits for processor ${cpu.index} (deadlock)`,
      p2: state.id,
      p3: cpu.index,
      irqlFound: cpu.irql,
      site: state.name,
    });
    return false;
  }

  private push(state: SpinLockState, kind: number, restoreIrql: number, ddi: string): void {
    const cpu = this.engine.cpu;
    const stack = this.held[cpu.index]!;
    if (stack.depth >= HELD_LOCKS_MAX) this.fail(`processor ${cpu.index} holds more than ${HELD_LOCKS_MAX} spin locks`);
    if (stack.depth > 0 && this.verifier !== null) this.recordOrder(stack, state, ddi);
    const entry = stack.entries[stack.depth++]!;
    entry.lock = state;
    entry.kind = kind;
    entry.restoreIrql = restoreIrql;
    entry.inherited = false;
    state.holder = cpu.index;
    state.kind = kind;
    state.acquiredTick = this.clock.nowTicks;
    state.acquiredWith = ddi;
    state.acquiredAt = this.siteOf === null ? null : this.siteOf();
    if (this.trace !== null) this.traced(TRACE_LOCK_ACQUIRE, state);
  }

  /** Adds edges held → state to the order graph; a new edge that closes a cycle is LOCK-ORDER. */
  private recordOrder(stack: HeldStack, state: SpinLockState, ddi: string): void {
    for (let i = 0; i < stack.depth; i++) {
      const outer = stack.entries[i]!.lock!;
      if (outer === state || outer.after.includes(state)) continue;
      outer.after.push(state);
      if (this.reaches(state, outer)) {
        this.verifier!.report({
          rule: 'LOCK-ORDER',
          form: 1,
          subject: ddi,
          message: `${ddi} took ${state.name} while holding ${outer.name}; elsewhere ${outer.name} was taken while holding ${state.name}, so two processors can deadlock`,
          p2: state.id,
          p3: this.engine.cpu.index,
          p4: outer.id,
          site: `${Math.min(state.id, outer.id)}<>${Math.max(state.id, outer.id)}`,
        });
      }
    }
  }

  /** Whether `to` is reachable from `from` in the order graph (bounded by the number of locks). */
  private reaches(from: SpinLockState, to: SpinLockState): boolean {
    const seen = new Set<SpinLockState>();
    const work: SpinLockState[] = [from];
    let steps = 0;
    while (work.length > 0 && steps++ <= this.count) {
      const node = work.pop()!;
      if (node === to) return true;
      if (seen.has(node)) continue;
      seen.add(node);
      for (const next of node.after) work.push(next);
    }
    return false;
  }

  private releaseState(state: SpinLockState, kind: number, ddi: string): void {
    const cpu = this.engine.cpu;
    const stack = this.held[cpu.index]!;
    const verifier = this.verifier;
    let index = stack.depth - 1;
    while (index >= 0 && stack.entries[index]!.lock !== state) index--;
    if (index < 0) {
      if (verifier === null) this.fail(`${ddi}: ${state.name} is not held by processor ${cpu.index}`);
      verifier.report({
        rule: 'LOCK-RELEASE-UNHELD',
        subject: ddi,
        message:
          state.holder < 0
            ? `${ddi} released ${state.name}, which no processor holds (a double release?)`
            : `${ddi} released ${state.name}, which processor ${state.holder} holds, not processor ${cpu.index}`,
        p2: state.id,
        p3: cpu.index,
        irqlFound: cpu.irql,
        site: state.name,
      });
      return;
    }
    const entry = stack.entries[index]!;
    if (verifier !== null) {
      if (entry.kind !== kind) {
        verifier.report({
          rule: 'LOCK-MISMATCH',
          subject: ddi,
          message: `${ddi} released ${state.name}, which was taken with ${KIND_NAMES[entry.kind]}; pair it with ${entry.kind === KIND_DPR ? 'NdisDprReleaseSpinLock' : 'NdisReleaseSpinLock'}`,
          p2: state.id,
          p3: cpu.index,
          irqlFound: cpu.irql,
          site: state.name,
        });
        // Repair: release it as it was taken.
        kind = entry.kind;
      }
      this.checkHoldTime(state, ddi);
      if (index !== stack.depth - 1 && verifier.enabled('LOCK-ORDER')) {
        const above = stack.entries[index + 1]!.lock!;
        verifier.report({
          rule: 'LOCK-ORDER',
          form: 0,
          subject: ddi,
          message: `${ddi} released ${state.name} before ${above.name}, which was acquired after it; release nested locks in reverse order`,
          p2: state.id,
          p3: cpu.index,
          p4: above.id,
          irqlFound: cpu.irql,
          site: state.name,
        });
        // Repair: the entry above takes over the level this one would restore; IRQL stays.
        const next = stack.entries[index + 1]!;
        if (entry.kind === KIND_ACQUIRE || entry.inherited) {
          next.restoreIrql = entry.restoreIrql;
          next.inherited = true;
        }
        this.removeAt(stack, index);
        state.holder = -1;
        state.kind = 0;
        return;
      }
    }
    if (index !== stack.depth - 1) {
      // Unchecked: do what the kernel does, restore this lock's saved IRQL now.
      const restore = entry.restoreIrql;
      const restores = kind === KIND_ACQUIRE || entry.inherited;
      this.removeAt(stack, index);
      state.holder = -1;
      state.kind = 0;
      if (restores) this.engine.lower(restore, ddi);
      return;
    }
    this.popTop(stack, state);
    if (kind === KIND_ACQUIRE || entry.inherited) this.engine.lower(entry.restoreIrql, ddi);
  }

  private popTop(stack: HeldStack, state: SpinLockState): void {
    if (this.trace !== null) this.traced(TRACE_LOCK_RELEASE, state);
    const entry = stack.entries[--stack.depth]!;
    entry.lock = null;
    state.holder = -1;
    state.kind = 0;
  }

  private removeAt(stack: HeldStack, index: number): void {
    const removed = stack.entries[index]!;
    if (this.trace !== null && removed.lock !== null) this.traced(TRACE_LOCK_RELEASE, removed.lock);
    for (let i = index; i < stack.depth - 1; i++) stack.entries[i] = stack.entries[i + 1]!;
    stack.entries[stack.depth - 1] = removed;
    removed.lock = null;
    stack.depth--;
  }

  private checkHoldTime(state: SpinLockState, by: string): void {
    const heldTicks = this.clock.nowTicks - state.acquiredTick;
    if (heldTicks > this.budgets.lockHeldTicksMax && this.verifier !== null) {
      this.verifier.report({
        rule: 'TIME-BUDGET',
        subject: by,
        message: `${state.name} was held for ${ticksToMicroseconds(heldTicks)} µs; the budget is ${ticksToMicroseconds(this.budgets.lockHeldTicksMax)} µs`,
        p2: heldTicks,
        p3: this.budgets.lockHeldTicksMax,
        site: state.name,
      });
    }
  }
}
