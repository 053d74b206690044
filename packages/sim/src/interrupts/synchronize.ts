/**
 * NdisMSynchronizeWithInterruptEx: raise to the interrupt's DIRQL, take its interrupt lock, call the
 * MINIPORT_SYNCHRONIZE_INTERRUPT function, release, restore, and return its BOOLEAN — the hot path
 * of most drivers, so it allocates nothing and caches the functions it accepted. In a scheduled run
 * the return is a choice point. Owns: the call count and those caches.
 */
import { roleOf, type RoleDeclaration } from '@ddikit/ndis';
import { DISPATCH_LEVEL, type IrqlEngine } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks } from '../kernel/spinlock.js';
import type { RaceDetector } from '../race/race-detector.js';
import type { ContextTracker } from '../race/shared-fields.js';
import { ddiInfo } from '../verifier/contract-table.js';
import { SITE_SYNC, type ChoicePoints } from './choice-points.js';
import type { InterruptDispatch } from './dispatch.js';
import type { DpcQueues } from './dpc-queues.js';
import type { InterruptDeps } from './interrupt-deps.js';
import { isInterruptObject, lockBitIndex, type InterruptObject } from './interrupt-object.js';
import type { InterruptTable } from './interrupt-table.js';

const SYNC = ddiInfo('NdisMSynchronizeWithInterruptEx');

export class Synchronizer {
  /** NdisMSynchronizeWithInterruptEx calls that ran their function. */
  count = 0;
  /** Synchronize functions already accepted, with their declarations (a 4-entry cache). */
  private readonly acceptedFunctions: unknown[] = [null, null, null, null];
  private readonly acceptedDeclarations: (RoleDeclaration | null)[] = [null, null, null, null];
  private acceptedNext = 0;
  private readonly args: unknown[] = [null];
  private lastUncheckedFunction: unknown = null;
  private lastUncheckedImpl: ((c: unknown) => unknown) | null = null;
  /** The last SynchronizeContext walked (most drivers hand over one adapter every time). */
  private lastContext: unknown = undefined;

  private readonly engine: IrqlEngine;
  private readonly locks: SpinLocks;
  private readonly monitor: RoleMonitor;
  private readonly race: RaceDetector | null;
  private readonly fail: (message: string) => never;

  constructor(
    deps: InterruptDeps,
    private readonly table: InterruptTable,
    private readonly dpcs: DpcQueues,
    private readonly dispatch: InterruptDispatch,
    private readonly points: ChoicePoints,
    private readonly contexts: ContextTracker | null = null,
  ) {
    this.engine = deps.engine;
    this.locks = deps.locks;
    this.monitor = deps.monitor;
    this.race = deps.race;
    this.fail = deps.fail;
  }

  reset(): void {
    this.count = 0;
    this.acceptedFunctions.fill(null);
    this.acceptedDeclarations.fill(null);
    this.acceptedNext = 0;
    this.lastUncheckedFunction = null;
    this.lastUncheckedImpl = null;
    this.lastContext = undefined;
  }

  /** NdisMSynchronizeWithInterruptEx with the verifier on. */
  synchronize(handle: unknown, messageId: number, fn: unknown, context: unknown): boolean {
    const engine = this.engine;
    const cpu = engine.cpu;
    let object: InterruptObject | null;
    if (isInterruptObject(handle) && handle.registered) object = handle;
    else {
      this.monitor.checkDdi(SYNC, 0);
      object = this.table.registeredObject(handle, SYNC.name);
      if (object === null) return false;
    }
    let index = 0;
    if (object.messageBased) {
      if (!this.table.messageIdValid(object, messageId, SYNC.name)) return false;
      index = messageId;
    }
    const dirql = object.dirqls[index]!;
    const from = cpu.irql;
    let target = dirql;
    if (!this.monitor.checkDdi(SYNC, dirql) && from > dirql) target = from;
    const declaration = this.acceptedDeclaration(fn);
    if (declaration === null) return false;
    this.count++;
    if (context !== this.lastContext) {
      this.lastContext = context;
      this.contexts?.track(context);
    }
    engine.raise(target, SYNC.name);
    const lock = object.locks[index]!;
    const locked = this.locks.acquireInterruptLock(lock, SYNC.name);
    this.monitor.nextDirql = dirql;
    const race = this.race;
    const lockBit = race !== null ? lockBitIndex(object, index) : 0;
    if (race !== null && locked) race.holdInterruptLock(cpu.index, lockBit);
    // The same as calling fn(context) with the monitor installed, without the argument array
    // a call through the declared wrapper allocates.
    const args = this.args;
    args[0] = context;
    // (A throw ends the run; the detector is reset with the next one.)
    const result = this.monitor.callRole(declaration, undefined, args);
    if (race !== null && locked) race.releaseInterruptLock(cpu.index, lockBit);
    args[0] = null;
    if (locked) this.locks.releaseInterruptLock(lock, SYNC.name);
    this.dispatch.lowerTo(cpu, from, SYNC.name);
    const points = this.points;
    if (points.scheduler !== null) points.reached('sync', SITE_SYNC, SYNC.name);
    return result === true;
  }

  /**
   * The declaration of a SynchronizeFunction, or null after ROLE-TYPE. Declared functions are frozen:
   * once accepted, a function stays acceptable. A few are cached.
   */
  private acceptedDeclaration(fn: unknown): RoleDeclaration | null {
    const accepted = this.acceptedFunctions;
    if (accepted[0] === fn) return this.acceptedDeclarations[0]!;
    if (accepted[1] === fn) return this.acceptedDeclarations[1]!;
    if (accepted[2] === fn) return this.acceptedDeclarations[2]!;
    if (accepted[3] === fn) return this.acceptedDeclarations[3]!;
    if (!this.table.handlerAccepted(fn, SYNC.handlers[0]!.accepted, 'SynchronizeFunction', SYNC.name)) return null;
    const declaration = roleOf(fn)!;
    const slot = this.acceptedNext;
    accepted[slot] = fn;
    this.acceptedDeclarations[slot] = declaration;
    this.acceptedNext = (slot + 1) & 3;
    return declaration;
  }

  /** NdisMSynchronizeWithInterruptEx with the verifier off: raise, call, restore. */
  synchronizeUnchecked(handle: unknown, messageId: number, fn: unknown, context: unknown): boolean {
    if (!isInterruptObject(handle) || !handle.registered)
      return this.table.registeredObject(handle, SYNC.name) !== null;
    let index = 0;
    if (handle.messageBased) {
      if (!this.table.messageIdValid(handle, messageId, SYNC.name)) return false;
      index = messageId;
    }
    const cpu = this.engine.cpu;
    const from = cpu.irql;
    const dirql = handle.dirqls[index]!;
    if (from < dirql) cpu.irql = dirql;
    this.count++;
    let impl = this.lastUncheckedImpl;
    if (fn !== this.lastUncheckedFunction || impl === null) {
      // Call the declared function's implementation directly: the same as calling the declared
      // function with no monitor installed, one call layer less.
      impl = (roleOf(fn)?.impl ?? fn) as (c: unknown) => unknown;
      if (typeof impl !== 'function')
        this.fail('NdisMSynchronizeWithInterruptEx: SynchronizeFunction must be a function');
      this.lastUncheckedFunction = fn;
      this.lastUncheckedImpl = impl;
    }
    const result = impl(context);
    cpu.irql = from;
    if (from < DISPATCH_LEVEL && cpu.dpcCount > 0) this.dpcs.drain(cpu);
    return result === true;
  }
}
