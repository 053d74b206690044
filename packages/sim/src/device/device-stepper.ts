/**
 * Lets a device catch up with simulated time. The run loop steps it before delivering interrupts,
 * and so does every preemption point (a register access, a stall), so the device has acted on
 * everything due before the harness looks at its line and its messages. Between events it is not
 * called at all: {@link DeviceStepper.dueTick} is the earliest tick it has something to do.
 */
import type { Clock } from '../core/time.js';
import type { Device } from './device.js';

export class DeviceStepper {
  /** Tick at or after which the device has something to do. */
  dueTick = 0;

  constructor(
    private readonly device: Device,
    private readonly clock: Clock,
  ) {}

  reset(): void {
    this.dueTick = 0;
  }

  /** Runs the device's activity up to now, when it has something due. */
  step(): void {
    const now = this.clock.nowTicks;
    if (now < this.dueTick) return;
    this.device.tick(now);
    const next = this.device.nextEventTick(now);
    this.dueTick = next > now ? next : now + 1;
  }
}
