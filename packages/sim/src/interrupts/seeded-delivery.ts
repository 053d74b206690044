/**
 * Delivery in a run without a scheduler: what happens is drawn from the seed. At a preemption point
 * a pending interrupt whose DIRQL is above the processor's IRQL is delivered right there with chance
 * `preemptPerMille`; the run loop delivers what the device asserts to a processor drawn from the
 * seed (and, with a shared line, sometimes another device's interrupt), and gives one of the
 * processors with DPCs queued its turn. The faults that act at delivery (spurious interrupts, DPC
 * coalescing) are drawn here too. Owns: the preemption chance.
 */
import type { Prng } from '../core/prng.js';
import type { Clock } from '../core/time.js';
import type { Device } from '../device/device.js';
import type { IrqlEngine } from '../kernel/irql.js';
import type { ResolvedFaults } from '../schedule/faults.js';
import type { InterruptDispatch } from './dispatch.js';
import type { DpcQueues } from './dpc-queues.js';
import type { InterruptDeps } from './interrupt-deps.js';
import type { InterruptObject, InterruptOptions } from './interrupt-object.js';

export class SeededDelivery {
  private readonly preemptPerMille: number;
  private readonly engine: IrqlEngine;
  private readonly clock: Clock;
  private readonly prng: Prng;
  private readonly device: Device;
  private readonly options: InterruptOptions;
  private readonly faults: ResolvedFaults;

  constructor(
    deps: InterruptDeps,
    private readonly dpcs: DpcQueues,
    private readonly dispatch: InterruptDispatch,
  ) {
    this.engine = deps.engine;
    this.clock = deps.clock;
    this.prng = deps.prng;
    this.device = deps.device;
    this.options = deps.options;
    this.faults = deps.faults;
    this.preemptPerMille = deps.options.preemptPerMille ?? 500;
    if (!(this.preemptPerMille >= 0 && this.preemptPerMille <= 1000)) {
      throw new RangeError(
        `interrupt.preemptPerMille must be in 0..1000 (got ${String(deps.options.preemptPerMille)})`,
      );
    }
  }

  /** A register access (or a stall) just happened on the current processor, below `object`'s DIRQL maybe. */
  preemptionPoint(object: InterruptObject | null): void {
    if (object === null || this.preemptPerMille === 0) return;
    const cpu = this.engine.cpu;
    if (!object.messageBased) {
      if (cpu.irql < object.dirqls[0]! && this.device.lineAsserted() && this.prng.below(1000) < this.preemptPerMille) {
        this.dispatch.dispatch(object, 0, true);
      }
      return;
    }
    const pending = this.device.pendingMessages();
    if (pending === 0) return;
    for (let i = 0; i < object.messageCount; i++) {
      if ((pending & (1 << i)) !== 0 && cpu.irql < object.dirqls[i]!) {
        if (this.prng.below(1000) < this.preemptPerMille) this.dispatch.dispatchMessage(object, i);
        return;
      }
    }
  }

  /** The run loop's delivery step. Returns whether an ISR ran. */
  deliver(object: InterruptObject): boolean {
    const engine = this.engine;
    const processors = engine.processors;
    const cpu = processors.length === 1 ? processors[0]! : processors[this.prng.below(processors.length)]!;
    engine.cpu = cpu;
    if (!object.messageBased) {
      if (this.device.lineAsserted()) {
        this.dpcs.maybeHold();
        return this.dispatch.dispatch(object, 0, true);
      }
      const shared = this.options.sharedLinePerMille ?? 0;
      if (shared > 0 && this.prng.below(1000) < shared) return this.dispatch.dispatch(object, 0, false);
      return this.spuriousInterrupt(object);
    }
    const pending = this.device.pendingMessages();
    if (pending === 0) return this.spuriousInterrupt(object);
    for (let i = 0; i < object.messageCount; i++) {
      if ((pending & (1 << i)) !== 0) {
        this.dpcs.maybeHold();
        return this.dispatch.dispatchMessage(object, i);
      }
    }
    return false;
  }

  /** The spurious-interrupt fault: the line or a message fires with no cause behind it. */
  private spuriousInterrupt(object: InterruptObject): boolean {
    const spurious = this.faults.spuriousPerMille;
    if (spurious === 0 || this.prng.below(1000) >= spurious) return false;
    // A message ISR claims every message (messages are never shared); a line ISR must not.
    const message = object.messageBased ? this.prng.below(object.messageCount) : 0;
    return this.dispatch.dispatch(object, message, object.messageBased);
  }

  /** The run loop's DPC turn: one of the processors in `mask` (drawn from the seed) runs its DPCs. */
  runDpcs(mask: number): boolean {
    let pick = -1;
    if ((mask & (mask - 1)) === 0) pick = 31 - Math.clz32(mask);
    else {
      let count = 0;
      for (let m = mask; m !== 0; m &= m - 1) count++;
      let k = this.prng.below(count);
      for (let i = 0; i < 32; i++) {
        if ((mask & (1 << i)) !== 0 && k-- === 0) {
          pick = i;
          break;
        }
      }
    }
    const cpu = this.engine.processors[pick]!;
    this.engine.cpu = cpu;
    this.clock.nowTicks += 1;
    this.dpcs.drain(cpu);
    return true;
  }
}
