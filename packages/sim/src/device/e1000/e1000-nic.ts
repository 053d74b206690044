/**
 * The simulated NIC: the registers of an Intel 82574L (the 8254x family member with MSI-X) that a
 * driver's initialization, interrupt handling and descriptor rings touch, behaving as the hardware
 * (and QEMU's e1000e model) makes them behave, DMA into the driver's shared memory, plus a seeded
 * traffic source.
 *
 * The parts: the register table (e1000-register-table.ts) decides what every register access does;
 * the core (e1000-core.ts) holds the register file, the rings, the receiver and the transmitter;
 * the signaling (signaling.ts) is ICR/IMS, the INTx line, MSI-X and throttling. This class is the
 * {@link Device} the harness drives: it dispatches register accesses through the table, runs the NIC's
 * own activity in time and draws the wire's traffic.
 *
 * Traffic. Packet arrivals per RX queue, TX completion delays and link changes are drawn from the
 * simulation's PRNG and advance with simulated time only ({@link Device.tick}).
 *
 * Where this model departs from the hardware and from QEMU's e1000e: packages/sim/README.md, "The
 * model".
 */
import {
  REGISTER_REMOVED_VALUE,
  type Device,
  type DeviceHost,
  type DeviceInterrupts,
  type FrameCounts,
  type RegisterEffect,
} from '../device.js';
import { drawBetween, E1000Core } from './e1000-core.js';
import { resolveNicOptions, type NicConfig, type NicOptions } from './e1000-options.js';
import { E1000_REGISTER_TABLE, NIC_REGISTERS } from './e1000-register-table.js';
import { E1000_MSIX_VECTORS, E1000_REGISTER_WINDOW_BYTES } from './e1000-registers.js';
import { newNicStats, type NicStats } from './e1000-stats.js';
import type { E1000Signaling } from './signaling.js';
import { EventSlots, SLOT_COUNT, SLOT_EITR0, SLOT_ITR, SLOT_LINK, SLOT_RX0, SLOT_TX0 } from './event-slots.js';

const TABLE = E1000_REGISTER_TABLE;
/** The number of event slots, as a module constant: the scans below run on every tick of the run loop. */
const SLOTS = SLOT_COUNT;

/** An Intel 82574L-style NIC for the simulator (a {@link Device}). */
export class E1000Nic implements Device {
  readonly name: string;
  readonly registerWindowBytes = E1000_REGISTER_WINDOW_BYTES;
  readonly registers = NIC_REGISTERS;
  readonly interrupts: DeviceInterrupts = Object.freeze({ line: true, messageCount: E1000_MSIX_VECTORS });
  readonly config: NicConfig;
  private readonly counters: NicStats = newNicStats();
  private readonly events = new EventSlots();
  /** The events' ticks (the same array), at hand for the scans of tick and nextEventTick. */
  private readonly eventTicks = this.events.ticks;
  private readonly core: E1000Core;
  /** The core's signaling, at hand: the harness polls the line and the messages after every access. */
  private readonly signaling: E1000Signaling;
  private removed = false;
  private readonly frameLengths = new Int32Array(1024);

  /** What the NIC did since the last reset (a live view; the NIC updates it in place). */
  get stats(): Readonly<NicStats> {
    return this.counters;
  }

  constructor(options: NicOptions = {}) {
    this.config = resolveNicOptions(options);
    this.name = this.config.name;
    this.core = new E1000Core(this.config, this.counters, this.events);
    this.signaling = this.core.signaling;
  }

  // --- Device ---------------------------------------------------------------------------------

  attach(host: DeviceHost): void {
    this.core.host = host;
  }

  reset(): void {
    const core = this.core;
    const now = core.host.nowTicks();
    this.removed = false;
    core.signaling.mode = 'line';
    core.linkUp = this.config.linkUpAtReset;
    core.resetRegisters();
    for (const key of Object.keys(this.counters) as (keyof NicStats)[]) this.counters[key] = 0;
    this.events.cancelAll();
    if (this.config.rxArrivalGapTicksMax > 0) {
      for (let queue = 0; queue < this.config.rxQueueCount; queue++) {
        this.events.schedule(SLOT_RX0 + queue, now + this.drawArrivalGapTicks());
      }
    }
    if (this.config.linkChangeGapTicksMax > 0) this.events.schedule(SLOT_LINK, now + this.drawLinkGapTicks());
  }

  read32(offsetBytes: number): number {
    if (this.removed) return REGISTER_REMOVED_VALUE;
    const register = TABLE.find(offsetBytes);
    if (register === undefined) return this.unmodeledAccess(offsetBytes, false);
    return register.read(this.core, register.slot, register.index);
  }

  write32(offsetBytes: number, value: number): void {
    if (this.removed) return;
    const register = TABLE.find(offsetBytes);
    if (register === undefined) {
      this.unmodeledAccess(offsetBytes, true);
      return;
    }
    register.write(this.core, value >>> 0, register.slot, register.index);
  }

  /**
   * An access to an offset with no row in the register table, read or write, handled the same way
   * each time: an offset outside the window or not a multiple of 4 is a RangeError; any other is
   * counted (`stats.unmodeledAccesses`) and reported (NIC-UNMODELED-REGISTER, a warning naming the
   * register), reads 0 and its write is dropped.
   */
  private unmodeledAccess(offsetBytes: number, write: boolean): number {
    if (
      !Number.isInteger(offsetBytes) ||
      offsetBytes < 0 ||
      offsetBytes >= E1000_REGISTER_WINDOW_BYTES ||
      (offsetBytes & 3) !== 0
    ) {
      throw new RangeError(
        `E1000Nic: register offset ${String(offsetBytes)} is not a multiple of 4 inside the ` +
          `${E1000_REGISTER_WINDOW_BYTES}-byte window`,
      );
    }
    this.counters.unmodeledAccesses++;
    const name = unmodeledRegisterName(offsetBytes);
    this.core.host.report?.({
      rule: 'NIC-UNMODELED-REGISTER',
      subject: name,
      message: `${write ? 'write of' : 'read of'} ${name} (offset 0x${offsetBytes.toString(16).toUpperCase().padStart(4, '0')}): the ${this.name} model does not implement this register, so the ${write ? 'write is dropped' : 'read returns 0'}; the hardware would behave otherwise`,
      site: write ? 'write' : 'read',
    });
    return 0;
  }

  tick(nowTicks: number): void {
    const events = this.events;
    if (this.removed || nowTicks < events.minTick) return;
    const ticks = this.eventTicks;
    for (let processed = 0; processed < this.config.eventsPerTickMax; processed++) {
      // The earliest event (the lowest slot among equals).
      let slot = -1;
      let at = Infinity;
      for (let s = 0; s < SLOTS; s++) {
        const t = ticks[s]!;
        if (t < at) {
          at = t;
          slot = s;
        }
      }
      if (slot < 0 || at > nowTicks) {
        events.minTick = at;
        return;
      }
      this.runEvent(slot, at);
    }
    // The bound was reached: say so when more events are still due now (they run at the next tick).
    for (let s = 0; s < SLOTS; s++) {
      if (ticks[s]! <= nowTicks) {
        this.counters.eventBoundHits++;
        return;
      }
    }
  }

  nextEventTick(nowTicks: number): number {
    if (this.removed) return Infinity;
    let at = Infinity;
    const ticks = this.eventTicks;
    for (let s = 0; s < SLOTS; s++) {
      const t = ticks[s]!;
      if (t < at) at = t;
    }
    if (at === Infinity) return Infinity;
    return at > nowTicks ? at : nowTicks + 1;
  }

  lineAsserted(): boolean {
    return this.signaling.line;
  }

  pendingMessages(): number {
    return this.signaling.pendingVectors;
  }

  messageDelivered(vector: number): void {
    if (!Number.isInteger(vector) || vector < 0 || vector >= E1000_MSIX_VECTORS) {
      throw new RangeError(`E1000Nic.messageDelivered: vector must be 0..${E1000_MSIX_VECTORS - 1} (got ${vector})`);
    }
    if (this.removed) return;
    this.core.signaling.messageDelivered(vector);
  }

  setMessageSignaled(enabled: boolean): void {
    this.core.signaling.setMode(enabled ? 'msix' : 'line', !this.removed);
  }

  messagesGranted(count: number): void {
    if (count === 1 && this.config.singleMessage === 'msi') this.core.signaling.setMode('msi', !this.removed);
  }

  surpriseRemove(): void {
    this.removed = true;
    this.core.signaling.removed();
    this.events.cancelAll();
  }

  // --- Optional Device methods: race detection, INT-LOST, faults -------------------------------

  /** The interrupt mask's state name in {@link registerEffect}. */
  readonly interruptMaskState = 'IMS';

  registerEffect(offsetBytes: number): RegisterEffect | null {
    return TABLE.effect(offsetBytes);
  }

  maskedPendingCauses(): number {
    if (this.removed) return 0;
    return this.core.signaling.maskedPendingCauses();
  }

  /**
   * From the NIC's counters: packets written into the driver's receive buffers, packets sent (the
   * descriptor with EOP), packets missed (dropped when the receive FIFO overflowed).
   */
  frameCounts(): FrameCounts {
    const c = this.counters;
    return { received: c.packetsReceived, sent: c.packetsTransmitted, missed: c.packetsMissed };
  }

  interruptsBlocked(): boolean {
    return this.removed || this.signaling.blocked();
  }

  messageBlocked(vector: number): boolean {
    return this.removed || this.signaling.vectorBlocked(vector);
  }

  raiseInterrupt(): void {
    if (this.removed) return;
    this.core.signaling.raiseEnabledCause(this.core.host.nowTicks());
  }

  // --- Beyond Device: for scenarios and tests -------------------------------------------------

  /** False once {@link surpriseRemove} was called (until the next {@link reset}). */
  get present(): boolean {
    return !this.removed;
  }

  /** True while MSI or MSI-X signaling is enabled. */
  get messageSignaledEnabled(): boolean {
    return this.core.signaling.mode !== 'line';
  }

  /** How the NIC signals now: the INTx line, one MSI message, or MSI-X vectors. */
  get signalingMode(): 'line' | 'msi' | 'msix' {
    return this.core.signaling.mode;
  }

  /** Frames held in RX queue `queue`'s on-chip FIFO, waiting for descriptors. */
  framesHeld(queue: number): number {
    checkQueue('framesHeld', queue);
    return this.core.receiver.held(queue);
  }

  /** Link state as STATUS.LU reports it. */
  get linkIsUp(): boolean {
    return this.core.linkUp;
  }

  /** Changes the link state now; a change sets LSC. */
  setLinkUp(up: boolean): void {
    if (this.removed) return;
    this.core.changeLink(up, this.core.host.nowTicks());
  }

  /**
   * Delivers frames to RX queue `queue` now, as if they had just arrived from the wire: `count` frames
   * of lengths drawn from the seed, or one frame per entry of `lengths` (bytes without the FCS).
   */
  receivePackets(queue: number, count: number | readonly number[]): void {
    checkQueue('receivePackets', queue);
    const lengths = typeof count === 'number' ? null : count;
    const frames = lengths === null ? count : lengths.length;
    if (!Number.isInteger(frames) || (frames as number) < 1 || (frames as number) > 1024) {
      throw new RangeError(`E1000Nic.receivePackets: count must be an integer in 1..1024 (got ${String(frames)})`);
    }
    for (const length of lengths ?? []) {
      if (!Number.isInteger(length) || length < 14 || length > 16_384)
        throw new RangeError(`E1000Nic.receivePackets: a frame length must be an integer in 14..16384 (got ${length})`);
    }
    if (this.removed) return;
    this.core.receive(queue, lengths ?? this.drawFrameLengths(frames as number), this.core.host.nowTicks());
  }

  // --- The NIC's activity in time -------------------------------------------------------------

  private runEvent(slot: number, at: number): void {
    const core = this.core;
    switch (slot) {
      case SLOT_RX0:
      case SLOT_RX0 + 1: {
        const queue = slot - SLOT_RX0;
        const max = this.config.rxPacketsPerArrivalMax;
        const count = max > 1 ? core.host.prng.between(1, max) : 1;
        this.events.schedule(slot, at + this.drawArrivalGapTicks());
        core.receive(queue, this.drawFrameLengths(count), at);
        return;
      }
      case SLOT_TX0:
      case SLOT_TX0 + 1:
        core.completeTx(slot - SLOT_TX0, at);
        return;
      case SLOT_LINK:
        this.events.schedule(slot, at + this.drawLinkGapTicks());
        core.changeLink(!core.linkUp, at);
        return;
      case SLOT_ITR:
        core.signaling.itrExpired(at);
        return;
      default:
        core.signaling.eitrExpired(slot - SLOT_EITR0, at);
    }
  }

  /** Lengths of `count` frames from the wire, drawn from the seed (a reused array). */
  private drawFrameLengths(count: number): Int32Array {
    const lengths = this.frameLengths.subarray(0, count);
    for (let i = 0; i < count; i++)
      lengths[i] = drawBetween(this.core.host, this.config.frameBytesMin, this.config.frameBytesMax);
    return lengths;
  }

  private drawArrivalGapTicks(): number {
    return drawBetween(this.core.host, this.config.rxArrivalGapTicksMin, this.config.rxArrivalGapTicksMax);
  }

  private drawLinkGapTicks(): number {
    return drawBetween(this.core.host, this.config.linkChangeGapTicksMin, this.config.linkChangeGapTicksMax);
  }
}

function checkQueue(method: string, queue: number): void {
  if (queue !== 0 && queue !== 1) {
    throw new RangeError(`E1000Nic.${method}: queue must be 0 or 1 (got ${String(queue)})`);
  }
}

/** The name of an offset with no row: the datasheet's name where the 82574 has a register there. */
function unmodeledRegisterName(offsetBytes: number): string {
  return UNMODELED_NAMES.get(offsetBytes) ?? `REG_0x${offsetBytes.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** 82574 registers the model leaves out, by offset, so a warning names them as a driver does. */
const UNMODELED_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0004, 'CTRL_DUP'],
  [0x0024, 'FEXTNVM'],
  [0x00fc, 'EIAM'],
  [0x2160 + 0x10, 'FCRTV'],
  [0x3004, 'KABGTXD'],
  [0x5818, 'MRQC'],
  [0x5810, 'WUS'],
  [0x5c00, 'RETA'],
  [0x5c80, 'RSSRK'],
  [0x5b68, 'PBACLR'],
  [0xb600, 'TIMINCA'],
  [0xb608, 'TSYNCRXCTL'],
  [0xb614, 'TSYNCTXCTL'],
]);
