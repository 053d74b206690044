/** Simulated time: the tick unit, conversions, the clock, the default budgets. */
import {
  Clock,
  DEFAULT_BUDGETS,
  TICK_NANOSECONDS,
  TICKS_PER_MICROSECOND,
  formatTicks,
  microsecondsToTicks,
  ticksToMicroseconds,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';

describe('time', () => {
  it('one tick is 100 ns', () => {
    expect(TICK_NANOSECONDS).toBe(100);
    expect(TICKS_PER_MICROSECOND).toBe(10);
    expect(microsecondsToTicks(25)).toBe(250);
    expect(ticksToMicroseconds(1005)).toBe(100.5);
    expect(formatTicks(1234)).toBe('1234 (123.4 µs)');
  });

  it('the budgets follow the DPC watchdog guidance: ISR 25 µs, DPC 100 µs, lock 25 µs; the watchdog at 10×, 1 s at PASSIVE_LEVEL', () => {
    expect(DEFAULT_BUDGETS).toEqual({
      isrTicksMax: 250,
      dpcTicksMax: 1000,
      lockHeldTicksMax: 250,
      watchdogMultiple: 10,
      passiveRoleTicksMax: 10_000_000,
    });
  });

  it('the clock only moves forward', () => {
    const clock = new Clock();
    clock.advance(5);
    clock.advanceTo(3);
    expect(clock.nowTicks).toBe(5);
    clock.advanceTo(9);
    expect(clock.nowTicks).toBe(9);
    clock.reset();
    expect(clock.nowTicks).toBe(0);
  });
});
