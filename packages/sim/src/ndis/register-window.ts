/**
 * The device's register window as the driver sees it. The harness hands the driver register handles
 * (the adapter's resources, resources.ts); a handle is a `PULONG` (a `Box<number>`) that
 * NdisReadRegisterUlong / NdisWriteRegisterUlong accept, and reading or writing its `.value` directly
 * takes the very same checked path. So every register access is seen: it is checked, costs simulated
 * time, lets the device catch up, and is a point where a pending interrupt may preempt the driver.
 */
import { ddiInfo } from '../verifier/contract-table.js';
import type { Device } from '../device/device.js';
import { SITE_READ, SITE_WRITE } from '../interrupts/choice-points.js';
import type { InterruptDispatch } from '../interrupts/dispatch.js';
import type { Interrupts } from '../interrupts/interrupts.js';
import type { RaceDetector, RegisterTracking } from '../race/race-detector.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import type { Clock, CostModel } from '../core/time.js';

const READ = ddiInfo('NdisReadRegisterUlong');
const WRITE = ddiInfo('NdisWriteRegisterUlong');

export interface RegisterStats {
  reads: number;
  writes: number;
}

const REGISTER_BRAND: unique symbol = Symbol('ddikit.sim.register');
/** Marks the record of named registers (what the context tracking recognises as the harness's). */
const REGISTERS_BRAND: unique symbol = Symbol('ddikit.sim.registers');

/** Who watches register accesses besides the race detector (the trace); set by the simulation. */
export interface RegisterObserver {
  /** The bookkeeping of one register, made once per handle (null: not watched). */
  track(name: string, offsetBytes: number): RegisterTracking | null;
  /** An access just happened (before its preemption point); null when only the race detector watches. */
  readonly access: ((tracking: RegisterTracking, write: boolean, value: number) => void) | null;
}

/** Whether `value` is a register handle of the harness (a brand check, cheaper than instanceof). */
export function isRegisterHandle(value: unknown): value is RegisterHandle {
  return typeof value === 'object' && value !== null && (value as { [REGISTER_BRAND]?: true })[REGISTER_BRAND] === true;
}

/** A mapped device register: pass it as `Register` to the register DDIs, or use `.value`. */
export class RegisterHandle {
  readonly [REGISTER_BRAND] = true as const;
  /** The register's name (`ICR`), or `REG_0x00C0` for a handle made from an offset. */
  readonly name: string;
  readonly offsetBytes: number;
  /** @internal */
  readonly window: RegisterWindow;
  /** @internal the run the handle was made for. */
  readonly epoch: number;
  /** @internal race detection and trace bookkeeping (null when neither is on). */
  readonly tracking: RegisterTracking | null;

  constructor(
    name: string,
    offsetBytes: number,
    window: RegisterWindow,
    epoch: number,
    tracking: RegisterTracking | null = null,
  ) {
    this.name = name;
    this.offsetBytes = offsetBytes;
    this.window = window;
    this.epoch = epoch;
    this.tracking = tracking;
    Object.freeze(this);
  }

  /** Reads the register (same as NdisReadRegisterUlong). */
  get value(): number {
    return this.window.read(this);
  }

  /** Writes the register (same as NdisWriteRegisterUlong). */
  set value(data: number) {
    this.window.write(this, data);
  }
}

export class RegisterWindow {
  readonly stats: RegisterStats = { reads: 0, writes: 0 };
  /** Set by the simulation when race detection or the trace is on. */
  observer: RegisterObserver | null = null;
  /** The race detector, when on (called directly: the hot path). */
  race: RaceDetector | null = null;
  private epoch = 0;
  private handles: Map<number, RegisterHandle> = new Map();
  private readonly dispatch: InterruptDispatch;

  constructor(
    private readonly device: Device,
    private readonly monitor: RoleMonitor,
    private readonly interrupts: Interrupts,
    private readonly clock: Clock,
    private readonly costs: CostModel,
    private readonly checks: boolean,
    private readonly fail: (message: string) => never,
  ) {
    const window = device.registerWindowBytes;
    if (!Number.isInteger(window) || window <= 0 || window % 4 !== 0) {
      throw new RangeError(
        `device ${device.name}: registerWindowBytes must be a positive multiple of 4 (got ${String(window)})`,
      );
    }
    this.dispatch = interrupts.dispatch;
  }

  /** A new run: handles of earlier runs stop working. */
  reset(): void {
    this.epoch++;
    this.handles = new Map();
    this.namedInRun.fill(null);
    this.stats.reads = 0;
    this.stats.writes = 0;
  }

  /**
   * The handles of the device's named registers. Each is made on first use in a run (a device may
   * name hundreds of registers, a driver touches tens): the record, built once per window, has getters that
   * ask handleAt, which keeps one handle per register and run.
   */
  namedHandles(): Record<string, RegisterHandle> {
    // One frozen record per window, handed to every run: its getters hold no state of a run (each
    // asks handleAt, which answers with the handle of the run going on), and defining hundreds of
    // accessors on a new record every run cost a quarter of a short run.
    // Branded as the harness's own, so the context tracking (race/shared-fields.ts) names it where a
    // driver keeps it instead of walking its hundreds of registers on every run.
    this.namedRecord ??= this.buildNamedRecord();
    return this.namedRecord;
  }

  private namedRecord: Record<string, RegisterHandle> | null = null;
  /**
   * The run's handle of each named register, by its place in the device's list (null: not asked for
   * in this run yet): what the record's getters answer with, one load on the driver's hot path.
   */
  private readonly namedInRun: (RegisterHandle | null)[] = [];

  /**
   * The record: a getter per named register, defined one by one (a map of descriptors handed to
   * Object.defineProperties, spread first, took twice as long: about 0.4 ms per window of the
   * e1000's 373 registers, with every simulation).
   */
  private buildNamedRecord(): Record<string, RegisterHandle> {
    const record = {};
    const inRun = this.namedInRun;
    const registers = this.device.registers;
    for (let i = 0; i < registers.length; i++) {
      const { offset, name } = registers[i]!;
      inRun.push(null);
      // Configurable until the record is frozen: a name the device lists twice takes its last getter.
      Object.defineProperty(record, name, {
        enumerable: true,
        configurable: true,
        get: () => inRun[i] ?? (inRun[i] = this.handleAt(offset, name)),
      });
    }
    Object.defineProperty(record, REGISTERS_BRAND, { value: true });
    return Object.freeze(record) as Record<string, RegisterHandle>;
  }

  /** The handle of the register at `offsetBytes`. */
  handleAt(offsetBytes: number, name?: string): RegisterHandle {
    if (
      !Number.isInteger(offsetBytes) ||
      offsetBytes < 0 ||
      offsetBytes % 4 !== 0 ||
      offsetBytes >= this.device.registerWindowBytes
    ) {
      this.fail(
        `register offset ${String(offsetBytes)} is not a 4-byte aligned offset inside the ${this.device.registerWindowBytes}-byte window of ${this.device.name}`,
      );
    }
    let handle = this.handles.get(offsetBytes);
    if (handle === undefined) {
      const label =
        name ??
        this.device.registers.find((r) => r.offset === offsetBytes)?.name ??
        `REG_0x${offsetBytes.toString(16).toUpperCase().padStart(4, '0')}`;
      handle = new RegisterHandle(
        label,
        offsetBytes,
        this,
        this.epoch,
        this.observer?.track(label, offsetBytes) ?? null,
      );
      this.handles.set(offsetBytes, handle);
    }
    return handle;
  }

  read(handle: RegisterHandle): number {
    if (handle.epoch !== this.epoch) this.fail(`register ${handle.name} was mapped for an earlier run`);
    if (this.checks) this.monitor.checkDdi(READ, 0);
    this.clock.nowTicks += this.costs.registerReadTicks;
    this.stats.reads++;
    this.dispatch.beforeRegisterAccess();
    const value = this.device.read32(handle.offsetBytes) >>> 0;
    if (value === 0xffffffff) this.dispatch.afterRegisterRead(handle.name, value);
    const tracking = handle.tracking;
    if (tracking !== null) {
      if (tracking.variable !== null) this.race!.register(tracking, false, value);
      const access = this.observer!.access;
      if (access !== null) access(tracking, false, value);
    }
    this.interrupts.preemptionPoint(SITE_READ, handle.name);
    return value;
  }

  write(handle: RegisterHandle, data: number): void {
    if (handle.epoch !== this.epoch) this.fail(`register ${handle.name} was mapped for an earlier run`);
    if (typeof data !== 'number' || !Number.isInteger(data) || data < -0x8000_0000 || data > 0xffff_ffff) {
      this.fail(`register ${handle.name}: ${String(data)} is not a 32-bit value`);
    }
    if (this.checks) this.monitor.checkDdi(WRITE, 0);
    this.clock.nowTicks += this.costs.registerWriteTicks;
    this.stats.writes++;
    this.dispatch.beforeRegisterAccess();
    const tracking = handle.tracking;
    // Whether an ISR could run is a matter of the device before the write (one that unmasks is
    // ordered before every ISR it lets in).
    const blocked = tracking !== null && tracking.variable !== null && this.race!.blockedBeforeWrite();
    this.device.write32(handle.offsetBytes, data >>> 0);
    if (tracking !== null) {
      if (tracking.variable !== null) this.race!.register(tracking, true, data >>> 0, blocked);
      const access = this.observer!.access;
      if (access !== null) access(tracking, true, data >>> 0);
    }
    this.interrupts.preemptionPoint(SITE_WRITE, handle.name);
  }
}
