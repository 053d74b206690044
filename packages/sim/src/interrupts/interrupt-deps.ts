/**
 * What the parts of interrupts/ are built from: the simulation's services, handed over once. Each
 * part keeps the few it uses in fields of its own.
 */
import type { Prng } from '../core/prng.js';
import type { Clock, CostModel } from '../core/time.js';
import type { Trace } from '../core/trace.js';
import type { Device } from '../device/device.js';
import type { DeviceStepper } from '../device/device-stepper.js';
import type { IrqlEngine } from '../kernel/irql.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { SpinLocks } from '../kernel/spinlock.js';
import type { RaceDetector } from '../race/race-detector.js';
import type { ResolvedFaults } from '../schedule/faults.js';
import type { ViolationSink } from '../verifier/violation-sink.js';
import type { InterruptOptions } from './interrupt-object.js';

export interface InterruptDeps {
  readonly engine: IrqlEngine;
  readonly locks: SpinLocks;
  readonly monitor: RoleMonitor;
  readonly sink: ViolationSink;
  /** Checks on (the verifier option). */
  readonly checks: boolean;
  readonly clock: Clock;
  readonly prng: Prng;
  readonly device: Device;
  readonly stepper: DeviceStepper;
  readonly costs: CostModel;
  readonly options: InterruptOptions;
  readonly faults: ResolvedFaults;
  /** Race detection, when on: told which interrupt locks each processor holds and who runs an ISR. */
  readonly race: RaceDetector | null;
  readonly trace: Trace | null;
  readonly fail: (message: string) => never;
}
