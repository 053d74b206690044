/**
 * The simulated NIC: the interrupt and ring registers of an Intel 82574L (the 8254x family member with
 * MSI-X) behaving as QEMU's e1000e model makes them behave, plus a seeded traffic source.
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
 * Where this model departs from QEMU's e1000e, on purpose:
 * - INT_ASSERTED reads as "any cause set" after every change (QEMU recomputes it only when raising).
 * - A throttled interrupt delivered at the end of its interval starts a new interval, and a vector's
 *   throttle timer sends a message only if one was held back (QEMU's MSI-X timer always sends one).
 * - EIAC / EIAME auto-clear applies when the harness delivers the message, not when it is queued.
 * - ITR/EITR values are used as written (QEMU raises any value below 500 to 500).
 * - RX interrupt delay timers (RDTR, RADV), PBA clearing, RSS and descriptor contents are not modeled.
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
    core.signaling.messageSignaled = false;
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
    if (register === undefined) return this.unmodeledAccess(offsetBytes);
    return register.read(this.core, register.slot, register.index);
  }

  write32(offsetBytes: number, value: number): void {
    if (this.removed) return;
    const register = TABLE.find(offsetBytes);
    if (register === undefined) {
      this.unmodeledAccess(offsetBytes);
      return;
    }
    register.write(this.core, value >>> 0, register.slot, register.index);
  }

  /**
   * An access to an offset with no row in the register table, read or write, handled the same way
   * each time: an offset outside the window or not a multiple of 4 is a RangeError; any other is
   * counted (`stats.unmodeledAccesses`), reads 0 and its write is dropped.
   */
  private unmodeledAccess(offsetBytes: number): number {
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
    this.core.signaling.setMessageSignaled(enabled, !this.removed);
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

  /** From the NIC's counters: packets written to RX descriptors, TX descriptors written back, packets missed. */
  frameCounts(): FrameCounts {
    const c = this.counters;
    return { received: c.packetsReceived, sent: c.descriptorsTransmitted, missed: c.packetsMissed };
  }

  interruptsBlocked(): boolean {
    return this.removed || this.core.signaling.blocked();
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

  /** True while MSI-X signaling is enabled. */
  get messageSignaledEnabled(): boolean {
    return this.core.signaling.messageSignaled;
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

  /** Delivers `count` packets to RX queue `queue` now, as if they had just arrived from the wire. */
  receivePackets(queue: number, count: number): void {
    checkQueue('receivePackets', queue);
    if (!Number.isInteger(count) || count < 1 || count > 1024) {
      throw new RangeError(`E1000Nic.receivePackets: count must be an integer in 1..1024 (got ${count})`);
    }
    if (this.removed) return;
    this.core.receive(queue, count, this.core.host.nowTicks());
  }

  /** Whether the NIC has written back RX descriptor `index` of `queue` since the driver last posted it. */
  rxDescriptorDone(queue: number, index: number): boolean {
    checkQueue('rxDescriptorDone', queue);
    return this.core.rings[queue]!.done[index] === 1;
  }

  /** Whether the NIC has written back TX descriptor `index` of `queue` since the driver last posted it. */
  txDescriptorDone(queue: number, index: number): boolean {
    checkQueue('txDescriptorDone', queue);
    return this.core.rings[2 + queue]!.done[index] === 1;
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
        core.receive(queue, count, at);
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
