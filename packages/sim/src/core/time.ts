/**
 * Simulated time. The harness never reads a wall clock: time is a tick counter that moves only when
 * the simulation says so — driver code costs ticks (every role call, every register access), DDIs
 * such as NdisStallExecution advance it, and the run loop jumps over idle time to the device's next
 * event.
 *
 * Unit: 1 tick = 100 ns (the unit of the Windows interrupt-time clock), so 10 ticks = 1 µs.
 */

/** Nanoseconds per tick. */
export const TICK_NANOSECONDS = 100;
/** Ticks per microsecond. */
export const TICKS_PER_MICROSECOND = 10;

/** Ticks in `microseconds` µs. */
export function microsecondsToTicks(microseconds: number): number {
  return microseconds * TICKS_PER_MICROSECOND;
}

/** µs in `ticks` ticks. */
export function ticksToMicroseconds(ticks: number): number {
  return ticks / TICKS_PER_MICROSECOND;
}

/** `1234 (123.4 µs)`, for reports. */
export function formatTicks(ticks: number): string {
  return `${ticks} (${ticksToMicroseconds(ticks)} µs)`;
}

/** What driver activity costs in simulated time. */
export interface CostModel {
  /** Every call of a declared role function (entry and exit). */
  readonly roleCallTicks: number;
  /** One register read (a non-posted PCIe read is slow). */
  readonly registerReadTicks: number;
  /** One register write (posted). */
  readonly registerWriteTicks: number;
  /** Dispatching an interrupt to an ISR (the kernel's interrupt entry and exit). */
  readonly interruptDispatchTicks: number;
}

export const DEFAULT_COSTS: CostModel = {
  roleCallTicks: 1,
  registerReadTicks: 5,
  registerWriteTicks: 1,
  interruptDispatchTicks: 2,
};

/** The time budgets TIME-BUDGET enforces (DPC_WATCHDOG guidance), in ticks. */
export interface TimeBudgets {
  /** An ISR should return within 25 µs. */
  readonly isrTicksMax: number;
  /** A DPC should return within 100 µs. */
  readonly dpcTicksMax: number;
  /** A spin lock (interrupt locks included) should be held at most 25 µs. */
  readonly lockHeldTicksMax: number;
  /**
   * The watchdog: an ISR, a DPC or a synchronize function still running after this many times its
   * budget (a synchronize function's is the lock's) stops the run at once with a 0x133 report.
   */
  readonly watchdogMultiple: number;
  /** The watchdog of a role call with no budget of its own (MiniportInitializeEx, MiniportHaltEx): 1 s. */
  readonly passiveRoleTicksMax: number;
}

export const DEFAULT_BUDGETS: TimeBudgets = {
  isrTicksMax: microsecondsToTicks(25),
  dpcTicksMax: microsecondsToTicks(100),
  lockHeldTicksMax: microsecondsToTicks(25),
  watchdogMultiple: 10,
  passiveRoleTicksMax: microsecondsToTicks(1_000_000),
};

/** The simulation's clock. */
export class Clock {
  /** Current simulated time in ticks since the start of the run. */
  nowTicks = 0;

  /** Moves time forward by `ticks` (≥ 0). */
  advance(ticks: number): void {
    this.nowTicks += ticks;
  }

  /** Moves time forward to `tick`; never backwards. */
  advanceTo(tick: number): void {
    if (tick > this.nowTicks) this.nowTicks = tick;
  }

  reset(): void {
    this.nowTicks = 0;
  }
}
