/**
 * What watches the driver's register accesses besides the device: the race detector, through the
 * state each register touches (the device's registerEffect), and the trace. The bookkeeping of a
 * register does not change from run to run, so it is made once per offset and name.
 */
import type { Clock } from '../core/time.js';
import { TRACE_READ, TRACE_WRITE, type Trace } from '../core/trace.js';
import type { Device, RegisterReadEffect, RegisterWriteEffect } from '../device/device.js';
import type { IrqlEngine } from '../kernel/irql.js';
import type { RegisterObserver } from '../ndis/register-window.js';
import { OP_CLEAR, OP_NONE, OP_READ, OP_READ_CLEAR, OP_SET, OP_WRITE } from '../race/access.js';
import { RegisterTracking, type RaceDetector } from '../race/race-detector.js';

const READ_OPS: Readonly<Record<RegisterReadEffect, number>> = {
  read: OP_READ,
  readClear: OP_READ_CLEAR,
  none: OP_NONE,
};
const WRITE_OPS: Readonly<Record<RegisterWriteEffect, number>> = {
  write: OP_WRITE,
  set: OP_SET,
  clear: OP_CLEAR,
  none: OP_NONE,
};

/** Bound on the offsets whose bookkeeping is kept (the rest is made again for each new handle). */
const TRACKED_OFFSETS_MAX = 65_536;

/** The observer of a simulation with race detection or the trace on (at least one of them). */
export function registerObserver(
  device: Device,
  races: RaceDetector | null,
  trace: Trace | null,
  engine: IrqlEngine,
  clock: Clock,
): RegisterObserver {
  const made = new Map<number, RegisterTracking | null>();
  return {
    track(name: string, offsetBytes: number): RegisterTracking | null {
      const known = made.get(offsetBytes);
      if (known !== undefined && (known === null || known.name === name)) return known;
      const effect = device.registerEffect?.(offsetBytes) ?? null;
      const variable = races !== null && effect !== null ? races.registerVar(effect.state) : null;
      const tracking =
        variable === null && trace === null
          ? null
          : new RegisterTracking(
              name,
              variable,
              effect === null ? OP_NONE : READ_OPS[effect.read],
              effect === null ? OP_NONE : WRITE_OPS[effect.write],
              trace?.intern(name) ?? 0,
            );
      if (known === undefined && made.size < TRACKED_OFFSETS_MAX) made.set(offsetBytes, tracking);
      return tracking;
    },
    access:
      trace === null
        ? null
        : (tracking: RegisterTracking, write: boolean, value: number): void => {
            trace.record(
              clock.nowTicks,
              write ? TRACE_WRITE : TRACE_READ,
              engine.cpu.index,
              engine.cpu.irql,
              tracking.traceName,
              value,
              0,
            );
          },
  };
}
