/**
 * Interrupts: the interrupt side of NDIS, put together from parts that each own their state, as
 * QEMU's e1000e groups its interrupt manager by the timers it owns:
 *
 * - the interrupt table (interrupt-table.ts): registration, the registered object, handle and
 *   handler checks;
 * - the DPC queues (dpc-queues.ts): one per processor, drained at DISPATCH_LEVEL;
 * - dispatch (dispatch.ts): an ISR at its DIRQL under its interrupt lock, ISR-CLAIM;
 * - NdisMSynchronizeWithInterruptEx (synchronize.ts);
 * - on top, what decides where interrupts go: the seeded delivery (seeded-delivery.ts) in a plain
 *   run, the choice points (choice-points.ts) in a scheduled one;
 * - INT-LOST (lost-interrupt.ts), checked when the run loop finds nothing to do.
 *
 * This class builds the parts and is what NDIS's DDIs and the run loop call: the DDI entry points
 * that span parts (register, deregister, queue a DPC) and the run loop's steps.
 */
import type { GROUP_AFFINITY, NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, NDIS_STATUS, Box } from '@ddikit/ndis';
import { NDIS_STATUS_SUCCESS } from '@ddikit/ndis';
import type { Clock } from '../core/time.js';
import type { Device } from '../device/device.js';
import type { DeviceStepper } from '../device/device-stepper.js';
import type { IrqlEngine } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { RaceDetector } from '../race/race-detector.js';
import { ContextTracker } from '../race/shared-fields.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { ddiInfo } from '../verifier/contract-table.js';
import { ChoicePoints, SITE_FIELD, SITE_LOCK, SITE_STALL } from './choice-points.js';
import { InterruptDispatch } from './dispatch.js';
import { DpcQueues } from './dpc-queues.js';
import type { InterruptDeps } from './interrupt-deps.js';
import type { InterruptObject, InterruptOptions, InterruptOwner, InterruptStats } from './interrupt-object.js';
import { InterruptTable } from './interrupt-table.js';
import { LostInterruptCheck } from './lost-interrupt.js';
import { SeededDelivery } from './seeded-delivery.js';
import { Synchronizer } from './synchronize.js';

const DEREGISTER = ddiInfo('NdisMDeregisterInterruptEx');
const QUEUE_DPC = ddiInfo('NdisMQueueDpcEx');

export class Interrupts {
  readonly stats: InterruptStats = { interrupts: 0, spuriousInterrupts: 0, dpcs: 0 };
  readonly table: InterruptTable;
  readonly dpcs: DpcQueues;
  readonly dispatch: InterruptDispatch;
  readonly synchronizer: Synchronizer;
  readonly points: ChoicePoints;
  /** Walks the contexts the driver hands NDIS: tracks their fields, names the spin locks kept there. */
  readonly contexts: ContextTracker | null;
  private readonly delivery: SeededDelivery;
  private readonly lost: LostInterruptCheck;

  private readonly checks: boolean;
  private readonly engine: IrqlEngine;
  private readonly monitor: RoleMonitor;
  private readonly device: Device;
  private readonly stepper: DeviceStepper;
  private readonly clock: Clock;
  private readonly options: InterruptOptions;
  /** Another device may raise the line (sharedLinePerMille above 0, the fault's included). */
  get lineShared(): boolean {
    return (this.options.sharedLinePerMille ?? 0) > 0;
  }
  private readonly race: RaceDetector | null;
  private readonly faults: InterruptDeps['faults'];
  private readonly sink: InterruptDeps['sink'];
  private readonly fail: (message: string) => never;

  constructor(deps: InterruptDeps) {
    this.checks = deps.checks;
    this.engine = deps.engine;
    this.monitor = deps.monitor;
    this.device = deps.device;
    this.stepper = deps.stepper;
    this.clock = deps.clock;
    this.options = deps.options;
    this.race = deps.race;
    this.faults = deps.faults;
    this.sink = deps.sink;
    this.fail = deps.fail;
    const locks = deps.locks;
    this.contexts = deps.checks
      ? new ContextTracker(deps.race, (object, place) => locks.nameByPlace(object, place))
      : null;
    if (deps.race !== null) deps.race.isrBlocked = () => this.isrBlocked();
    this.table = new InterruptTable(deps);
    this.dpcs = new DpcQueues(deps, this.stats);
    if (deps.race !== null) {
      const monitor = deps.monitor;
      deps.race.otherDpcsIdle = (cpu) => !this.dpcs.pendingElsewhere(cpu) && !monitor.messageDpcElsewhere(cpu);
      deps.race.sameDpcCanStart = (cpu, source, deviceBlocked) => this.sameDpcCanStart(cpu, source, deviceBlocked);
    }
    this.dispatch = new InterruptDispatch(deps, this.dpcs, this.stats);
    this.points = new ChoicePoints(deps, this.table, this.dpcs, this.dispatch);
    this.synchronizer = new Synchronizer(deps, this.table, this.dpcs, this.dispatch, this.points, this.contexts);
    this.delivery = new SeededDelivery(deps, this.dpcs, this.dispatch);
    this.lost = new LostInterruptCheck(deps, this.table, this.dpcs);
  }

  /** The run's scheduler; null: the seeded random preemption of `preemptPerMille`. */
  get scheduler(): Scheduler | null {
    return this.points.scheduler;
  }

  set scheduler(scheduler: Scheduler | null) {
    this.points.scheduler = scheduler;
  }

  /** The interrupt of the device, while registered. */
  get active(): InterruptObject | null {
    return this.table.active;
  }

  /** NdisMSynchronizeWithInterruptEx calls that ran their function. */
  get synchronizeCount(): number {
    return this.synchronizer.count;
  }

  reset(): void {
    this.table.reset();
    this.dpcs.reset();
    this.dispatch.reset();
    this.synchronizer.reset();
    this.points.reset();
    this.lost.reset();
    this.contexts?.reset();
    this.stats.interrupts = 0;
    this.stats.spuriousInterrupts = 0;
    this.stats.dpcs = 0;
  }

  // ---- DDIs -----------------------------------------------------------------------------------------

  /** NdisMRegisterInterruptEx. With `isrBeforeRegisterReturns`, the ISR runs before it returns. */
  register(
    adapterHandle: unknown,
    context: unknown,
    chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
    handleOut: Box<unknown>,
    currentAdapter: InterruptOwner | null,
  ): NDIS_STATUS {
    const status = this.table.register(adapterHandle, context, chars, handleOut, currentAdapter);
    const object = this.table.active;
    if (status === NDIS_STATUS_SUCCESS) this.contexts?.track(context);
    if (status !== NDIS_STATUS_SUCCESS || object === null || this.options.isrBeforeRegisterReturns !== true)
      return status;
    if (object.messageBased) {
      const pending = this.device.pendingMessages();
      for (let i = 0; i < object.messageCount; i++) {
        if ((pending & (1 << i)) !== 0) {
          this.dispatch.dispatchMessage(object, i);
          break;
        }
      }
    } else {
      this.dispatch.dispatchLine(object, this.device.lineAsserted());
    }
    return status;
  }

  /** NdisMDeregisterInterruptEx: DPCs of the interrupt queued anywhere run now; then it is gone. */
  deregister(handle: unknown): void {
    if (this.checks) this.monitor.checkDdi(DEREGISTER, 0);
    const object = this.table.registeredObject(handle, DEREGISTER.name);
    if (object === null) return;
    this.dpcs.drainHolding(object);
    this.table.remove(object);
    this.race?.disarm();
    if (this.checks) this.checkLeftAsserting(object);
  }

  /**
   * INT-DEREGISTER-ASSERTED: the line-based interrupt is gone but the device still asserts the line —
   * a cause enabled and unmasked that no ISR will acknowledge (the OS sees an interrupt storm nobody
   * claims). A message the device still holds after the driver masked its causes is not reported:
   * nothing says a cause is unmasked.
   */
  private checkLeftAsserting(object: InterruptObject): void {
    if (object.messageBased || !this.device.lineAsserted()) return;
    const fn = this.monitor.depth > 0 ? this.monitor.frames()[0]!.function : '(harness)';
    this.sink.report({
      rule: 'INT-DEREGISTER-ASSERTED',
      subject: DEREGISTER.name,
      message: `${DEREGISTER.name} deregistered interrupt ${object.id} while the device still asserts its line: causes are enabled and unmasked with no ISR left to acknowledge them; mask the device's interrupts (in a function called through NdisMSynchronizeWithInterruptEx) before deregistering`,
      site: `interrupt ${object.id}`,
      function: fn,
    });
  }

  /** NdisMQueueDpcEx. */
  queueDpcEx(handle: unknown, messageId: number, target: GROUP_AFFINITY, context: unknown): bigint {
    if (this.checks) this.monitor.checkDdi(QUEUE_DPC, 0);
    const object = this.table.registeredObject(handle, QUEUE_DPC.name);
    if (object === null) return 0n;
    const message = object.messageBased ? messageId : 0;
    if (!this.table.messageIdValid(object, messageId, QUEUE_DPC.name)) return 0n;
    this.contexts?.track(context);
    if (typeof target !== 'object' || target === null || typeof target.Mask !== 'bigint') {
      this.fail('NdisMQueueDpcEx: TargetProcessors must be a GROUP_AFFINITY whose Mask is a bigint');
    }
    let queued = 0n;
    const mask = target.Mask;
    const processorCount = this.engine.processorCount;
    for (let i = 0; i < processorCount; i++) {
      if ((mask & (1n << BigInt(i))) === 0n) continue;
      if (this.dpcs.enqueue(object, message, i, context)) queued |= 1n << BigInt(i);
    }
    this.dpcs.afterLower();
    return queued;
  }

  /**
   * Whether no ISR of the registered interrupt can come, short of the driver unmasking: the device
   * says it can raise nothing (Device.interruptsBlocked), no spurious interrupt is injected and no
   * other device shares the line. Without a registered interrupt, none can.
   */
  private isrBlocked(): boolean {
    const object = this.table.active;
    if (object === null) return true;
    if (this.faults.spuriousPerMille > 0) return false;
    if (!object.messageBased && (this.options.sharedLinePerMille ?? 0) > 0) return false;
    const blocked = this.device.interruptsBlocked;
    return blocked !== undefined && blocked.call(this.device);
  }

  /**
   * Whether a new run of the interrupt DPC of `source` (a MessageId, the line's 0) could start beside
   * the one processor `cpu` runs: that interrupt's ISR runs, the DPC is queued on another processor,
   * or the device could raise that interrupt again (Device.interruptsBlocked, or messageBlocked for
   * a message; `deviceBlocked`: known not to). Spurious interrupts and a shared line do not count:
   * an ISR that finds no cause of its own queues no DPC. A device without the method that answers
   * is never taken to raise it again.
   */
  private sameDpcCanStart(cpu: number, source: number, deviceBlocked: boolean): boolean {
    const object = this.table.active;
    if (object === null) return false;
    if (this.dispatch.isrRunning(source) || this.dpcs.queuedElsewhere(object, source, cpu)) return true;
    if (deviceBlocked) return false;
    const device = this.device;
    if (!object.messageBased) return device.interruptsBlocked !== undefined && !device.interruptsBlocked();
    return device.messageBlocked !== undefined && !device.messageBlocked(source);
  }

  // ---- Preemption points ----------------------------------------------------------------------------

  /**
   * A register access (SITE_READ, SITE_WRITE after `siteName`) or a stall (SITE_STALL) just happened
   * on the current processor: the device catches up, and a pending interrupt whose DIRQL is above the
   * processor's IRQL may be delivered right here.
   */
  preemptionPoint(siteCode: number, siteName: string): void {
    this.stepper.step();
    const points = this.points;
    if (points.scheduler !== null) {
      points.reached(siteCode === SITE_STALL ? 'stall' : 'register', siteCode, siteName);
      return;
    }
    this.delivery.preemptionPoint(this.table.active);
  }

  /** A shared field was read or written: a choice point in a scheduled run. */
  fieldAccessed(name: string): void {
    if (this.points.scheduler !== null) this.points.reached('field', SITE_FIELD, name);
  }

  /** NdisReleaseSpinLock / NdisDprReleaseSpinLock returned: a choice point in a scheduled run. */
  lockReleased(ddi: string): void {
    if (this.points.scheduler !== null) this.points.reached('lock', SITE_LOCK, ddi);
  }

  // ---- The run loop's steps ---------------------------------------------------------------------------

  /**
   * The run loop's delivery step: delivers what the device asserts (in a scheduled run, which
   * processor takes it is a choice). Returns whether an ISR ran.
   */
  deliverPending(): boolean {
    const object = this.table.active;
    if (object === null) return false;
    return this.points.scheduler !== null ? this.points.deliver(object) : this.delivery.deliver(object);
  }

  /** Gives a processor with queued DPCs its turn. Returns whether DPCs ran. */
  runQueuedDpcs(): boolean {
    const mask = this.dpcs.pendingMask();
    if (mask === 0 || this.clock.nowTicks < this.dpcs.holdUntilTick) return false;
    return this.points.scheduler !== null ? this.points.runDpcs(mask) : this.delivery.runDpcs(mask);
  }

  /** The run loop found nothing to do: INT-LOST if the device holds masked work. */
  quiescent(): void {
    this.lost.quiescent();
  }
}
