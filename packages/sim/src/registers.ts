/**
 * The device's register window as the driver sees it. The harness hands the driver register handles
 * (the adapter's resources, see {@link SimResources}); a handle is a `PULONG` (a `Box<number>`) that
 * NdisReadRegisterUlong / NdisWriteRegisterUlong accept, and reading or writing its `.value` directly
 * takes the very same checked path. So every register access is seen: it is checked, costs simulated
 * time, lets the device catch up, and is a point where a pending interrupt may preempt the driver.
 */
import { ddiInfo } from './contracts.js';
import type { Device } from './device.js';
import type { Interrupts } from './interrupt.js';
import type { RoleMonitor } from './role-monitor.js';
import type { Clock, CostModel } from './time.js';

const READ = ddiInfo('NdisReadRegisterUlong');
const WRITE = ddiInfo('NdisWriteRegisterUlong');

export interface RegisterStats {
  reads: number;
  writes: number;
}

const REGISTER_BRAND: unique symbol = Symbol('ddikit.sim.register');

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

  constructor(name: string, offsetBytes: number, window: RegisterWindow, epoch: number) {
    this.name = name;
    this.offsetBytes = offsetBytes;
    this.window = window;
    this.epoch = epoch;
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
  private epoch = 0;
  private handles: Map<number, RegisterHandle> = new Map();

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
      throw new RangeError(`device ${device.name}: registerWindowBytes must be a positive multiple of 4 (got ${String(window)})`);
    }
  }

  /** A new run: handles of earlier runs stop working. */
  reset(): void {
    this.epoch++;
    this.handles = new Map();
    this.stats.reads = 0;
    this.stats.writes = 0;
  }

  /** The handles of the device's named registers. */
  namedHandles(): Record<string, RegisterHandle> {
    const out: Record<string, RegisterHandle> = {};
    for (const register of this.device.registers) out[register.name] = this.handleAt(register.offset, register.name);
    return out;
  }

  /** The handle of the register at `offsetBytes`. */
  handleAt(offsetBytes: number, name?: string): RegisterHandle {
    if (!Number.isInteger(offsetBytes) || offsetBytes < 0 || offsetBytes % 4 !== 0 || offsetBytes >= this.device.registerWindowBytes) {
      this.fail(`register offset ${String(offsetBytes)} is not a 4-byte aligned offset inside the ${this.device.registerWindowBytes}-byte window of ${this.device.name}`);
    }
    let handle = this.handles.get(offsetBytes);
    if (handle === undefined) {
      const label = name ?? this.device.registers.find((r) => r.offset === offsetBytes)?.name ?? `REG_0x${offsetBytes.toString(16).toUpperCase().padStart(4, '0')}`;
      handle = new RegisterHandle(label, offsetBytes, this, this.epoch);
      this.handles.set(offsetBytes, handle);
    }
    return handle;
  }

  read(handle: RegisterHandle): number {
    if (handle.epoch !== this.epoch) this.fail(`register ${handle.name} was mapped for an earlier run`);
    if (this.checks) this.monitor.checkDdi(READ, 0);
    this.clock.nowTicks += this.costs.registerReadTicks;
    this.stats.reads++;
    this.interrupts.beforeRegisterAccess();
    const value = this.device.read32(handle.offsetBytes) >>> 0;
    this.interrupts.preemptionPoint();
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
    this.interrupts.beforeRegisterAccess();
    this.device.write32(handle.offsetBytes, data >>> 0);
    this.interrupts.preemptionPoint();
  }
}

/** What the harness puts in NDIS_MINIPORT_INIT_PARAMETERS.AllocatedResources. */
export class SimResources {
  /** The device's name (`e1000`). */
  readonly device: string;
  /** Handles of the device's named registers. */
  readonly registers: Readonly<Record<string, RegisterHandle>>;
  /** The device can raise a line-based interrupt. */
  readonly interruptLine: boolean;
  /** MSI-X vectors the device offers. */
  readonly messageCount: number;
  private readonly window: RegisterWindow;

  constructor(device: Device, window: RegisterWindow) {
    this.device = device.name;
    this.window = window;
    this.registers = Object.freeze(window.namedHandles());
    this.interruptLine = device.interrupts.line;
    this.messageCount = device.interrupts.messageCount;
    Object.freeze(this);
  }

  /** The handle of the register at a byte offset (e.g. the n-th entry of a register array). */
  register(offsetBytes: number): RegisterHandle {
    return this.window.handleAt(offsetBytes);
  }
}

/**
 * The harness's resources from MiniportInitParameters.AllocatedResources (typed `unknown` by NDIS).
 * Throws a TypeError when they are not the harness's.
 */
export function resourcesOf(parameters: { readonly AllocatedResources?: unknown }): SimResources {
  const resources = parameters?.AllocatedResources;
  if (!(resources instanceof SimResources)) {
    throw new TypeError('MiniportInitParameters.AllocatedResources holds no @ddikit/sim resources (is the driver running in a simulation?)');
  }
  return resources;
}
