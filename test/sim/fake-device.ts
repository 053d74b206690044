/**
 * A tiny device for the harness's own tests: a cause register (read-to-clear), a mask, a register to
 * raise causes, and a scratch register. The line is asserted while CAUSE & MASK is non-zero; in
 * message mode cause bit n, when unmasked, makes vector n % messageCount pending. Causes are raised
 * at scheduled ticks or periodically.
 */
import { REGISTER_REMOVED_VALUE, type Device, type DeviceHost, type DeviceRegister } from '@ddikit/sim';

export const CAUSE = 0x00; // read: causes, cleared by the read
export const MASK_SET = 0x04; // write: set mask bits
export const MASK_CLEAR = 0x08; // write: clear mask bits
export const MASK = 0x0c; // read: the mask
export const RAISE = 0x10; // write: raise causes
export const SCRATCH = 0x14; // plain read/write

export interface FakeDeviceOptions {
  readonly line?: boolean;
  readonly messageCount?: number;
  /** Raise `cause` at each of these ticks. */
  readonly schedule?: readonly { readonly tick: number; readonly cause: number }[];
  /** Raise cause bit 0 every this many ticks (0: never). */
  readonly periodTicks?: number;
  /** Mask at reset. */
  readonly maskAtReset?: number;
}

export class FakeDevice implements Device {
  readonly name = 'fake';
  readonly registerWindowBytes = 0x20;
  readonly registers: readonly DeviceRegister[] = [
    { name: 'CAUSE', offset: CAUSE },
    { name: 'MASK_SET', offset: MASK_SET },
    { name: 'MASK_CLEAR', offset: MASK_CLEAR },
    { name: 'MASK', offset: MASK },
    { name: 'RAISE', offset: RAISE },
    { name: 'SCRATCH', offset: SCRATCH },
  ];
  readonly interrupts: { line: boolean; messageCount: number };
  cause = 0;
  mask = 0;
  scratch = 0;
  pending = 0;
  messageSignaled = false;
  removed = false;
  reads = 0;
  writes = 0;
  private host: DeviceHost | null = null;
  private scheduleIndex = 0;
  private nextPeriodic = 0;
  private readonly options: FakeDeviceOptions;
  private readonly schedule: { tick: number; cause: number }[];

  constructor(options: FakeDeviceOptions = {}) {
    this.options = options;
    this.interrupts = { line: options.line ?? true, messageCount: options.messageCount ?? 0 };
    this.schedule = [...(options.schedule ?? [])].sort((a, b) => a.tick - b.tick);
  }

  attach(host: DeviceHost): void {
    this.host = host;
  }

  reset(): void {
    this.cause = 0;
    this.mask = this.options.maskAtReset ?? 0;
    this.scratch = 0;
    this.pending = 0;
    this.messageSignaled = false;
    this.removed = false;
    this.reads = 0;
    this.writes = 0;
    this.scheduleIndex = 0;
    this.nextPeriodic = this.options.periodTicks ?? 0;
  }

  read32(offsetBytes: number): number {
    this.reads++;
    if (this.removed) return REGISTER_REMOVED_VALUE;
    switch (offsetBytes) {
      case CAUSE: {
        const value = this.cause;
        this.cause = 0;
        return value;
      }
      case MASK:
        return this.mask;
      case SCRATCH:
        return this.scratch;
      default:
        return 0;
    }
  }

  write32(offsetBytes: number, value: number): void {
    this.writes++;
    if (this.removed) return;
    switch (offsetBytes) {
      case MASK_SET:
        this.mask = (this.mask | value) >>> 0;
        this.signal(this.cause);
        break;
      case MASK_CLEAR:
        this.mask = (this.mask & ~value) >>> 0;
        break;
      case RAISE:
        this.raise(value);
        break;
      case SCRATCH:
        this.scratch = value >>> 0;
        break;
      default:
        break;
    }
  }

  raise(cause: number): void {
    this.cause = (this.cause | cause) >>> 0;
    this.signal(cause);
  }

  private signal(cause: number): void {
    if (!this.messageSignaled || this.interrupts.messageCount === 0) return;
    const active = cause & this.mask;
    for (let bit = 0; bit < 32; bit++) {
      if ((active & (1 << bit)) !== 0) this.pending |= 1 << (bit % this.interrupts.messageCount);
    }
  }

  tick(nowTicks: number): void {
    while (this.scheduleIndex < this.schedule.length && this.schedule[this.scheduleIndex]!.tick <= nowTicks) {
      this.raise(this.schedule[this.scheduleIndex]!.cause);
      this.scheduleIndex++;
    }
    const period = this.options.periodTicks ?? 0;
    if (period > 0 && nowTicks >= this.nextPeriodic) {
      this.raise(1);
      this.nextPeriodic = nowTicks - (nowTicks % period) + period;
    }
  }

  nextEventTick(nowTicks: number): number {
    let next = Infinity;
    if (this.scheduleIndex < this.schedule.length) next = this.schedule[this.scheduleIndex]!.tick;
    const period = this.options.periodTicks ?? 0;
    if (period > 0) next = Math.min(next, this.nextPeriodic);
    return next > nowTicks ? next : nowTicks + 1;
  }

  lineAsserted(): boolean {
    return !this.removed && !this.messageSignaled && this.interrupts.line && (this.cause & this.mask) !== 0;
  }

  pendingMessages(): number {
    return this.removed || !this.messageSignaled ? 0 : this.pending;
  }

  messageDelivered(vector: number): void {
    this.pending &= ~(1 << vector);
  }

  setMessageSignaled(enabled: boolean): void {
    this.messageSignaled = enabled;
  }

  surpriseRemove(): void {
    this.removed = true;
  }

  /** Nothing can interrupt until the driver unmasks: the mask is 0 and nothing is asserted or pending. */
  interruptsBlocked(): boolean {
    return this.removed || (this.mask === 0 && !this.lineAsserted() && this.pendingMessages() === 0);
  }

  /**
   * No message of `vector` can come until the driver unmasks: it is not pending, and no unmasked
   * cause bit maps to it (bit n to vector n % messageCount). Outside message mode: interruptsBlocked.
   */
  messageBlocked(vector: number): boolean {
    if (this.removed) return true;
    if (!this.messageSignaled || this.interrupts.messageCount === 0) return this.interruptsBlocked();
    if ((this.pending & (1 << vector)) !== 0) return false;
    for (let bit = 0; bit < 32; bit++)
      if ((this.mask & (1 << bit)) !== 0 && bit % this.interrupts.messageCount === vector) return false;
    return true;
  }

  /** The host's clock (for assertions). */
  now(): number {
    return this.host?.nowTicks() ?? 0;
  }
}
