/**
 * ISR dispatch, as KeSynchronizeExecution does it: raise to the DIRQL, take the interrupt lock, call
 * the ISR, release, lower. The ISR's QueueDefaultInterruptDpc queues the DPC on the current processor
 * and TargetProcessors on others. A line ISR must claim exactly the interrupts its device raised
 * (ISR-CLAIM); a message ISR claims every message.
 *
 * Owns: whether a shared-line ISR's own device asserted the line meanwhile, and the interrupt counts.
 */
import type { Box } from '@ddikit/ndis';
import type { Clock, CostModel } from '../core/time.js';
import { TRACE_INTERRUPT, type Trace } from '../core/trace.js';
import { REGISTER_REMOVED_VALUE, type Device } from '../device/device.js';
import type { IrqlEngine, Processor } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks } from '../kernel/spinlock.js';
import type { RaceDetector } from '../race/race-detector.js';
import { requiredText } from '../verifier/contract-table.js';
import type { ViolationSink } from '../verifier/violation-sink.js';
import type { DpcQueues } from './dpc-queues.js';
import type { InterruptDeps } from './interrupt-deps.js';
import {
  isrName,
  lockBitIndex,
  MESSAGES_MAX,
  type Fn,
  type InterruptObject,
  type InterruptStats,
} from './interrupt-object.js';
import { LINE_ISR_ROLE, MESSAGE_ISR_ROLE } from './interrupt-table.js';

export class InterruptDispatch {
  /** During an ISR called for another device's interrupt: whether the NIC asserted the line meanwhile. */
  private watchingLine = false;
  private sawLine = false;
  /** ISRs running (nested across processors); register reads are watched for all-ones while any is. */
  private isrDepth = 0;
  /** ISRs running per message (the line's is message 0), nested across processors. */
  private readonly isrsOf = new Int32Array(MESSAGES_MAX);
  /** The first register an ISR read as 0xFFFFFFFF during its call ('' none): what a removed device reads. */
  private allOnesRegister = '';

  private readonly engine: IrqlEngine;
  private readonly locks: SpinLocks;
  private readonly monitor: RoleMonitor;
  private readonly sink: ViolationSink;
  private readonly checks: boolean;
  private readonly clock: Clock;
  private readonly device: Device;
  private readonly costs: CostModel;
  private readonly race: RaceDetector | null;
  private readonly trace: Trace | null;

  /** `stats`: the counters shared with the DPC queues; dispatch counts the interrupts. */
  constructor(
    deps: InterruptDeps,
    private readonly dpcs: DpcQueues,
    private readonly stats: InterruptStats,
  ) {
    this.engine = deps.engine;
    this.locks = deps.locks;
    this.monitor = deps.monitor;
    this.sink = deps.sink;
    this.checks = deps.checks;
    this.clock = deps.clock;
    this.device = deps.device;
    this.costs = deps.costs;
    this.race = deps.race;
    this.trace = deps.trace;
  }

  reset(): void {
    this.watchingLine = false;
    this.sawLine = false;
    this.isrDepth = 0;
    this.isrsOf.fill(0);
    this.allOnesRegister = '';
  }

  /** Whether the ISR of `message` (the line's: 0) runs now on some processor. */
  isrRunning(message: number): boolean {
    return this.isrsOf[message]! > 0;
  }

  /**
   * Calls the line ISR on the current processor. `asserted`: the NIC asserts the line (false: another
   * device on the shared line does). Returns false if the processor's IRQL masks the interrupt.
   */
  dispatchLine(object: InterruptObject, asserted: boolean): boolean {
    return this.dispatch(object, 0, asserted);
  }

  /** Calls message `message`'s ISR on the current processor and tells the device it was delivered. */
  dispatchMessage(object: InterruptObject, message: number): boolean {
    if (this.engine.cpu.irql >= object.dirqls[message]!) return false;
    this.device.messageDelivered(message);
    return this.dispatch(object, message, true);
  }

  /**
   * Calls the ISR of `message` on the current processor at its DIRQL, holding its interrupt lock, and
   * queues the DPCs it asks for. Returns false if the processor's IRQL masks the interrupt.
   */
  dispatch(object: InterruptObject, message: number, asserted: boolean): boolean {
    const engine = this.engine;
    const cpu = engine.cpu;
    const dirql = object.dirqls[message]!;
    const from = cpu.irql;
    if (from >= dirql) return false;
    this.stats.interrupts++;
    if (!asserted) this.stats.spuriousInterrupts++;
    this.clock.nowTicks += this.costs.interruptDispatchTicks;
    const trace = this.trace;
    if (trace !== null)
      trace.record(
        this.clock.nowTicks,
        TRACE_INTERRUPT,
        cpu.index,
        from,
        trace.intern(object.messageBased ? `message ${message}` : 'line'),
        message,
        asserted ? 1 : 0,
      );
    engine.raise(dirql, 'interrupt');
    const lock = object.locks[message]!;
    const locked = this.locks.acquireInterruptLock(lock, 'interrupt');
    const race = this.race;
    const lockBit = race !== null ? lockBitIndex(object, message) : 0;
    if (race !== null) {
      if (locked) race.holdInterruptLock(cpu.index, lockBit);
      race.enterIsr(cpu.index);
    }
    this.monitor.nextDirql = dirql;
    // A line raised by another device may be joined by the NIC while the ISR runs: watch the line
    // at each register access of the ISR, so an ISR that finds its NIC's cause is not blamed.
    const watching = this.watchingLine;
    const sawLine = this.sawLine;
    this.watchingLine = !asserted;
    this.sawLine = asserted;
    const allOnesOuter = this.allOnesRegister;
    this.allOnesRegister = '';
    // (A throw ends the run; reset() puts the depth back.)
    this.isrDepth++;
    this.isrsOf[message]!++;
    const claimed = this.callIsr(object, message);
    this.isrsOf[message]!--;
    this.isrDepth--;
    const allOnes = this.allOnesRegister;
    this.allOnesRegister = allOnesOuter;
    if (race !== null) {
      if (locked) race.releaseInterruptLock(cpu.index, lockBit);
      race.exitIsr(cpu.index);
    }
    if (locked) this.locks.releaseInterruptLock(lock, 'interrupt');
    if (cpu.irql !== dirql) engine.set(dirql, 'interrupt');
    const raised = this.sawLine;
    this.watchingLine = watching;
    this.sawLine = sawLine;
    if (this.checks) this.checkClaim(object, message, claimed === true, raised, allOnes);
    if (claimed === true) this.queueRequestedDpcs(object, message, cpu);
    this.lowerTo(cpu, from, 'interrupt return');
    return true;
  }

  /** The ISR call itself, through the role monitor when checks are on; returns what the ISR returned. */
  private callIsr(object: InterruptObject, message: number): unknown {
    const queueBox = object.queueDpcBox;
    const targetBox = object.targetProcessorsBox;
    resetOutParameters(queueBox, targetBox);
    const declaration = object.isrDeclaration;
    if (this.checks && declaration !== null) {
      const args = object.isrArgs;
      if (object.messageBased) args[1] = message;
      return this.monitor.callRole(declaration, undefined, args);
    }
    const isr = declaration !== null ? (declaration.impl as Fn) : object.isr;
    return object.messageBased
      ? isr(object.context, message, queueBox, targetBox)
      : isr(object.context, queueBox, targetBox);
  }

  /** QueueDefaultInterruptDpc: the DPC on this processor; TargetProcessors: on those. */
  private queueRequestedDpcs(object: InterruptObject, message: number, cpu: Processor): void {
    if (object.queueDpcBox.value === true) this.dpcs.enqueue(object, message, cpu.index, null);
    const targets = object.targetProcessorsBox.value >>> 0;
    if (targets === 0) return;
    for (let i = 0; i < this.engine.processorCount && i < 32; i++) {
      if ((targets & (1 << i)) !== 0) this.dpcs.enqueue(object, message, i, null);
    }
  }

  private checkClaim(
    object: InterruptObject,
    message: number,
    claimed: boolean,
    asserted: boolean,
    allOnes: string,
  ): void {
    if (claimed === asserted) return;
    const name = isrName(object);
    const role = object.messageBased ? MESSAGE_ISR_ROLE : LINE_ISR_ROLE;
    const message_ = object.messageBased
      ? `${name} returned FALSE for message ${message}; message interrupts are never shared, so a message ISR returns TRUE`
      : claimed
        ? allOnes !== ''
          ? `${name} returned TRUE for an interrupt its NIC did not raise: its read of ${allOnes} returned 0xFFFFFFFF, what every register of a device that left the bus (surprise removal) reads — take all-ones as "not mine" and return FALSE (another device on the shared line raised it)`
          : `${name} returned TRUE for an interrupt its NIC did not raise (another device on the shared line did)`
        : `${name} returned FALSE though its NIC raised the interrupt`;
    this.sink.report({
      rule: 'ISR-CLAIM',
      subject: role,
      message: message_,
      irqlFound: object.dirqls[message]!,
      irqlRequired: requiredText(object.dirqls[message]!, object.dirqls[message]!, object.dirqls[message]!),
      site: object.messageBased ? 'message' : claimed ? 'claims foreign' : 'disowns own',
      function: name,
    });
  }

  /** Restores `level` after a raise; drains DPCs when it drops below DISPATCH_LEVEL. */
  lowerTo(cpu: Processor, level: number, by: string): void {
    if (cpu.irql !== level) this.engine.set(level, by);
    this.dpcs.drainAfterRestore(cpu, level);
  }

  /** Called before each register access: notes whether the NIC asserts the line during a shared-line ISR. */
  beforeRegisterAccess(): void {
    if (this.watchingLine && !this.sawLine && this.device.lineAsserted()) this.sawLine = true;
  }

  /** Called after each register read: notes an all-ones read inside an ISR (what ISR-CLAIM blames). */
  afterRegisterRead(register: string, value: number): void {
    if (value === REGISTER_REMOVED_VALUE && this.isrDepth > 0 && this.allOnesRegister === '')
      this.allOnesRegister = register;
  }
}

/** Clears the ISR's out parameters before a call (a function, so the compiler does not narrow them). */
function resetOutParameters(queueDpc: Box<boolean>, targetProcessors: Box<number>): void {
  queueDpc.value = false;
  targetProcessors.value = 0;
}
