/**
 * The simulated NIC: the interrupt and ring registers of an Intel 82574L (the 8254x family member with
 * MSI-X) behaving as QEMU's e1000e model makes them behave, plus a seeded traffic source.
 *
 * Interrupts. ICR holds the causes, IMS the mask. In line mode (INTx) the line is asserted while
 * `IMS & ICR` is non-zero; reading ICR returns the causes and clears them all, which drops the line.
 * In MSI-X mode each newly raised, unmasked queue cause (RXQ0, RXQ1, TXQ0, TXQ1, OTHER) is routed
 * through IVAR to a vector; when the harness delivers the message, the causes in EIAC are cleared from
 * ICR (and, unless CTRL_EXT.IAME is set, from IMS). An ICR read in MSI-X mode clears ICR only when IMS
 * is zero, or when an unmasked cause is set, or (with CTRL_EXT.IAME) always, then also clearing the
 * IAM bits from IMS. ITR (line mode) and EITR (per vector) throttle: after an interrupt, no new one
 * is signaled until the interval (units of 256 ns) has passed; a cause raised in between is signaled
 * when the interval ends.
 *
 * Rings. No descriptor memory is simulated: the NIC tracks each ring's head and tail and a
 * "descriptor done" flag per slot ({@link E1000Nic.rxDescriptorDone}). RX descriptors from head up to
 * tail (exclusive) belong to the NIC; a packet arriving with none free is missed (RXO, MPC). TX
 * descriptors the driver posts by moving TDT complete after a seeded delay (TXDW, GPTC).
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
  type RegisterEffect,
} from '../device.js';
import { resolveNicOptions, type NicConfig, type NicOptions } from './e1000-options.js';
import { Ring } from './ring.js';
import { TICK_NANOSECONDS } from '../../core/time.js';
import {
  E1000_CTRL,
  E1000_CTRL_EXT,
  E1000_CTRL_EXT_EIAME,
  E1000_CTRL_EXT_IAME,
  E1000_CTRL_FD,
  E1000_CTRL_RST,
  E1000_CTRL_SLU,
  E1000_EIAC,
  E1000_EIAC_MASK,
  E1000_EITR0,
  E1000_GPRC,
  E1000_GPTC,
  E1000_IAM,
  E1000_ICR,
  E1000_ICR_INT_ASSERTED,
  E1000_ICR_LSC,
  E1000_ICR_OTHER,
  E1000_ICR_OTHER_CAUSES,
  E1000_ICR_RXDMT0,
  E1000_ICR_RXO,
  E1000_ICR_RXQ0,
  E1000_ICR_RXQ1,
  E1000_ICR_RXT0,
  E1000_ICR_TXDW,
  E1000_ICR_TXQ0,
  E1000_ICR_TXQ1,
  E1000_ICR_TXQE,
  E1000_ICR_VALID_CAUSES,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_ITR_UNIT_NS,
  E1000_IVAR,
  E1000_IVAR_INT_ALLOC_VALID,
  E1000_IVAR_ENTRY_VEC_MASK,
  E1000_IVAR_OTHER_SHIFT,
  E1000_IVAR_RXQ0_SHIFT,
  E1000_IVAR_RXQ1_SHIFT,
  E1000_IVAR_TXQ0_SHIFT,
  E1000_IVAR_TXQ1_SHIFT,
  E1000_MPC,
  E1000_MSIX_VECTORS,
  E1000_RCTL,
  E1000_RCTL_EN,
  E1000_RDBAL0,
  E1000_REGISTER_WINDOW_BYTES,
  E1000_STATUS,
  E1000_STATUS_FD,
  E1000_STATUS_LU,
  E1000_STATUS_SPEED_1000,
  E1000_TCTL,
  E1000_TCTL_EN,
  E1000_TDBAL0,
  NIC_REGISTERS,
} from './e1000-registers.js';

export * from './e1000-registers.js';
export { NIC_DEFAULTS, resolveNicOptions, type NicConfig, type NicOptions } from './e1000-options.js';

/** Counters of what the NIC did since the last {@link E1000Nic.reset}; plain numbers, never reset by reads. */
export interface NicStats {
  /** Packets written to an RX descriptor. */
  packetsReceived: number;
  /** Packets that found no free RX descriptor (each also counted by MPC and signaled by RXO). */
  packetsMissed: number;
  /** Packets that arrived while the receiver was disabled (RCTL.EN clear) or the link was down. */
  packetsIgnored: number;
  /** TX descriptors written back. */
  descriptorsTransmitted: number;
  /** Rising edges of the INTx line. */
  lineAssertions: number;
  /** MSI-X messages queued for delivery (a vector already pending is not counted again). */
  messagesRaised: number;
  /** MSI-X messages the harness delivered. */
  messagesDelivered: number;
  /** Interrupts held back by ITR/EITR until their interval ended. */
  interruptsThrottled: number;
  /** MSI-X causes dropped because their IVAR entry is not valid or names a vector beyond 4. */
  messagesUnrouted: number;
  /** Link state changes (automatic or through {@link E1000Nic.setLinkUp}). */
  linkChanges: number;
  /** Accesses to offsets inside the window that this model does not implement (read 0, write dropped). */
  unmodeledAccesses: number;
  /** Ticks at which more events were due than eventsPerTickMax; the rest ran at the next tick. */
  eventBoundHits: number;
}

/** Largest 32-bit value; the statistics registers saturate there. */
const U32_MAX = 0xffff_ffff;

// Event slots: every scheduled activity of the NIC has a fixed slot, so scheduling never allocates
// and simultaneous events run in slot order (deterministic).
const SLOT_RX0 = 0;
const SLOT_TX0 = 2;
const SLOT_LINK = 4;
const SLOT_ITR = 5;
const SLOT_EITR0 = 6;
const SLOT_COUNT = SLOT_EITR0 + E1000_MSIX_VECTORS;

/** Per-queue register block offsets relative to the queue's base. */
const RING_BAL = 0x00;
const RING_BAH = 0x04;
const RING_LEN = 0x08;
const RING_HEAD = 0x10;
const RING_TAIL = 0x18;
/** RX queue registers span 0x2800..0x29FF, TX 0x3800..0x39FF. */
const RING_BLOCK_BYTES = 0x200;

/** ITR/EITR units (256 ns) to ticks, rounded up so an interval is never shorter than programmed. */
function throttleTicks(units: number): number {
  return units === 0 ? 0 : Math.ceil((units * E1000_ITR_UNIT_NS) / TICK_NANOSECONDS);
}

/** An Intel 82574L-style NIC for the simulator (a {@link Device}). */
export class E1000Nic implements Device {
  readonly name: string;
  readonly registerWindowBytes = E1000_REGISTER_WINDOW_BYTES;
  readonly registers = NIC_REGISTERS;
  readonly interrupts: DeviceInterrupts = Object.freeze({ line: true, messageCount: E1000_MSIX_VECTORS });
  readonly config: NicConfig;
  private readonly counters: NicStats = {
    packetsReceived: 0,
    packetsMissed: 0,
    packetsIgnored: 0,
    descriptorsTransmitted: 0,
    lineAssertions: 0,
    messagesRaised: 0,
    messagesDelivered: 0,
    interruptsThrottled: 0,
    messagesUnrouted: 0,
    linkChanges: 0,
    unmodeledAccesses: 0,
    eventBoundHits: 0,
  };

  private host: DeviceHost = DETACHED_HOST;

  /** What the NIC did since the last reset (a live view; the NIC updates it in place). */
  get stats(): Readonly<NicStats> {
    return this.counters;
  }

  // Registers. Cause and mask values stay below bit 31, so they are plain small integers;
  // INT_ASSERTED is derived on read.
  private ctrl = 0;
  private ctrlExt = 0;
  private icr = 0;
  private ims = 0;
  /** Every cause the driver has enabled through IMS since the last reset (for INT-LOST). */
  private imsEver = 0;
  private itr = 0;
  private itrTicks = 0;
  private eiac = 0;
  private iam = 0;
  private ivar = 0;
  private readonly eitr = new Uint32Array(E1000_MSIX_VECTORS);
  private readonly eitrTicks = new Float64Array(E1000_MSIX_VECTORS);
  private rctl = 0;
  private tctl = 0;
  private readonly rx0 = new Ring();
  private readonly rx1 = new Ring();
  private readonly tx0 = new Ring();
  private readonly tx1 = new Ring();
  private mpc = 0;
  private gprc = 0;
  private gptc = 0;

  // Interrupt signaling.
  private messageSignaled = false;
  private line = false;
  private itrExpiryTick = -Infinity;
  private itrHeld = false;
  private readonly eitrExpiryTick = new Float64Array(E1000_MSIX_VECTORS);
  private eitrHeldVectors = 0;
  private pendingVectors = 0;
  /** Causes routed to each vector since its last delivery (the ones EIAC may auto-clear). */
  private readonly vectorCauses = new Uint32Array(E1000_MSIX_VECTORS);

  // The outside world.
  private linkUp = true;
  private removed = false;
  /** When each slot's next event happens (Infinity: nothing scheduled). */
  private readonly eventTick = new Float64Array(SLOT_COUNT);
  /**
   * A lower bound of every slot's tick: schedule() lowers it, tick() sets it to the exact minimum
   * when it finds nothing due, so a tick before it needs no scan.
   */
  private eventTickMin = Infinity;

  constructor(options: NicOptions = {}) {
    this.config = resolveNicOptions(options);
    this.name = this.config.name;
    this.eventTick.fill(Infinity);
    this.linkUp = this.config.linkUpAtReset;
    this.resetRegisters();
  }

  // --- Device ---------------------------------------------------------------------------------

  attach(host: DeviceHost): void {
    this.host = host;
  }

  reset(): void {
    const now = this.host.nowTicks();
    this.removed = false;
    this.messageSignaled = false;
    this.linkUp = this.config.linkUpAtReset;
    this.resetRegisters();
    for (const key of Object.keys(this.counters) as (keyof NicStats)[]) this.counters[key] = 0;
    this.eventTick.fill(Infinity);
    if (this.config.rxArrivalGapTicksMax > 0) {
      for (let queue = 0; queue < this.config.rxQueueCount; queue++) {
        this.schedule(SLOT_RX0 + queue, now + this.drawArrivalGapTicks());
      }
    }
    if (this.config.linkChangeGapTicksMax > 0) this.schedule(SLOT_LINK, now + this.drawLinkGapTicks());
  }

  read32(offsetBytes: number): number {
    if (this.removed) return REGISTER_REMOVED_VALUE;
    switch (offsetBytes) {
      case E1000_CTRL:
        return this.ctrl;
      case E1000_STATUS:
        return (this.linkUp ? E1000_STATUS_LU : 0) | E1000_STATUS_FD | E1000_STATUS_SPEED_1000;
      case E1000_CTRL_EXT:
        return this.ctrlExt;
      case E1000_ICR:
        return this.readIcr();
      case E1000_ITR:
        return this.itr;
      case E1000_ICS:
        // Write-only on paper; real parts (and QEMU) read back ICR without clearing it.
        return this.icrValue();
      case E1000_IMS:
        return this.ims;
      case E1000_IMC:
        return 0;
      case E1000_EIAC:
        return this.eiac;
      case E1000_IAM:
        return this.iam;
      case E1000_IVAR:
        return this.ivar;
      case E1000_RCTL:
        return this.rctl;
      case E1000_TCTL:
        return this.tctl;
      case E1000_MPC: {
        const value = this.mpc;
        this.mpc = 0;
        return value;
      }
      case E1000_GPRC: {
        const value = this.gprc;
        this.gprc = 0;
        return value;
      }
      case E1000_GPTC: {
        const value = this.gptc;
        this.gptc = 0;
        return value;
      }
    }
    if (offsetBytes >= E1000_RDBAL0 && offsetBytes < E1000_RDBAL0 + RING_BLOCK_BYTES) {
      const ring = offsetBytes & 0x100 ? this.rx1 : this.rx0;
      return this.readRing(ring, offsetBytes);
    }
    if (offsetBytes >= E1000_TDBAL0 && offsetBytes < E1000_TDBAL0 + RING_BLOCK_BYTES) {
      const ring = offsetBytes & 0x100 ? this.tx1 : this.tx0;
      return this.readRing(ring, offsetBytes);
    }
    if (offsetBytes >= E1000_EITR0 && offsetBytes < E1000_EITR0 + 4 * E1000_MSIX_VECTORS && (offsetBytes & 3) === 0) {
      return this.eitr[(offsetBytes - E1000_EITR0) >> 2]!;
    }
    return this.unmodeled(offsetBytes);
  }

  write32(offsetBytes: number, value: number): void {
    if (this.removed) return;
    value >>>= 0;
    switch (offsetBytes) {
      case E1000_CTRL:
        this.writeCtrl(value);
        return;
      case E1000_STATUS:
        return;
      case E1000_CTRL_EXT:
        this.ctrlExt = value;
        return;
      case E1000_ICR:
        this.writeIcr(value);
        return;
      case E1000_ITR:
        this.itr = value & 0xffff;
        this.itrTicks = throttleTicks(this.itr);
        return;
      case E1000_ICS:
        this.raise(value, this.host.nowTicks());
        return;
      case E1000_IMS:
        this.writeIms(value);
        return;
      case E1000_IMC:
        this.ims &= ~value;
        this.lowerLine();
        return;
      case E1000_EIAC:
        this.eiac = value & E1000_EIAC_MASK;
        return;
      case E1000_IAM:
        this.iam = value & E1000_ICR_VALID_CAUSES;
        return;
      case E1000_IVAR:
        this.ivar = value;
        return;
      case E1000_RCTL:
        this.rctl = value;
        return;
      case E1000_TCTL:
        this.writeTctl(value);
        return;
      case E1000_MPC:
      case E1000_GPRC:
      case E1000_GPTC:
        return;
    }
    if (offsetBytes >= E1000_RDBAL0 && offsetBytes < E1000_RDBAL0 + RING_BLOCK_BYTES) {
      this.writeRing(offsetBytes & 0x100 ? this.rx1 : this.rx0, -1, offsetBytes, value);
      return;
    }
    if (offsetBytes >= E1000_TDBAL0 && offsetBytes < E1000_TDBAL0 + RING_BLOCK_BYTES) {
      const queue = offsetBytes & 0x100 ? 1 : 0;
      this.writeRing(queue === 1 ? this.tx1 : this.tx0, queue, offsetBytes, value);
      return;
    }
    if (offsetBytes >= E1000_EITR0 && offsetBytes < E1000_EITR0 + 4 * E1000_MSIX_VECTORS && (offsetBytes & 3) === 0) {
      const vector = (offsetBytes - E1000_EITR0) >> 2;
      this.eitr[vector] = value & 0xffff;
      this.eitrTicks[vector] = throttleTicks(value & 0xffff);
      return;
    }
    this.unmodeled(offsetBytes);
  }

  tick(nowTicks: number): void {
    if (this.removed || nowTicks < this.eventTickMin) return;
    const events = this.eventTick;
    for (let processed = 0; processed < this.config.eventsPerTickMax; processed++) {
      let slot = -1;
      let at = Infinity;
      for (let s = 0; s < SLOT_COUNT; s++) {
        const t = events[s]!;
        if (t < at) {
          at = t;
          slot = s;
        }
      }
      if (slot < 0 || at > nowTicks) {
        this.eventTickMin = at;
        return;
      }
      this.runEvent(slot, at);
    }
    // The bound was reached: say so when more events are still due now (they run at the next tick).
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (events[s]! <= nowTicks) {
        this.counters.eventBoundHits++;
        return;
      }
    }
  }

  /** Puts an activity in its slot at a tick (the only way a slot gets a finite tick). */
  private schedule(slot: number, at: number): void {
    this.eventTick[slot] = at;
    if (at < this.eventTickMin) this.eventTickMin = at;
  }

  nextEventTick(nowTicks: number): number {
    if (this.removed) return Infinity;
    let at = Infinity;
    const events = this.eventTick;
    for (let s = 0; s < SLOT_COUNT; s++) {
      const t = events[s]!;
      if (t < at) at = t;
    }
    if (at === Infinity) return Infinity;
    return at > nowTicks ? at : nowTicks + 1;
  }

  lineAsserted(): boolean {
    return this.line;
  }

  pendingMessages(): number {
    return this.pendingVectors;
  }

  messageDelivered(vector: number): void {
    if (!Number.isInteger(vector) || vector < 0 || vector >= E1000_MSIX_VECTORS) {
      throw new RangeError(`E1000Nic.messageDelivered: vector must be 0..${E1000_MSIX_VECTORS - 1} (got ${vector})`);
    }
    const bit = 1 << vector;
    if (this.removed || (this.pendingVectors & bit) === 0) return;
    this.pendingVectors &= ~bit;
    this.counters.messagesDelivered++;
    const causes = this.vectorCauses[vector]!;
    this.vectorCauses[vector] = 0;
    if ((this.ctrlExt & E1000_CTRL_EXT_EIAME) !== 0) this.iam &= ~causes;
    const autoCleared = this.eiac & causes;
    if (autoCleared !== 0) {
      this.icr &= ~autoCleared;
      if ((this.ctrlExt & E1000_CTRL_EXT_IAME) === 0) this.ims &= ~autoCleared;
    }
  }

  setMessageSignaled(enabled: boolean): void {
    this.messageSignaled = enabled;
    this.line = false;
    this.pendingVectors = 0;
    this.vectorCauses.fill(0);
    this.itrHeld = false;
    this.eitrHeldVectors = 0;
    this.itrExpiryTick = -Infinity;
    this.eitrExpiryTick.fill(-Infinity);
    this.eventTick[SLOT_ITR] = Infinity;
    this.eventTick.fill(Infinity, SLOT_EITR0, SLOT_EITR0 + E1000_MSIX_VECTORS);
    if (!enabled && !this.removed && (this.ims & this.icr) !== 0) this.assertLine();
  }

  surpriseRemove(): void {
    this.removed = true;
    this.line = false;
    this.pendingVectors = 0;
    this.eventTick.fill(Infinity);
  }

  // --- Optional Device methods: race detection, INT-LOST, faults -------------------------------

  /** The interrupt mask's state name in {@link registerEffect}. */
  readonly interruptMaskState = 'IMS';

  registerEffect(offsetBytes: number): RegisterEffect | null {
    return NIC_REGISTER_EFFECTS.get(offsetBytes) ?? null;
  }

  maskedPendingCauses(): number {
    if (this.removed) return 0;
    return (this.icr & this.imsEver & ~this.ims) >>> 0;
  }

  raiseInterrupt(): void {
    if (this.removed) return;
    // A cause the driver enabled (its lowest), else the receive cause of the signaling mode.
    const enabled = this.imsEver & ~E1000_ICR_OTHER;
    const cause = enabled !== 0 ? enabled & -enabled : this.messageSignaled ? E1000_ICR_RXQ0 : E1000_ICR_RXT0;
    this.raise(cause, this.host.nowTicks());
  }

  // --- Beyond Device: for scenarios and tests -------------------------------------------------

  /** False once {@link surpriseRemove} was called (until the next {@link reset}). */
  get present(): boolean {
    return !this.removed;
  }

  /** True while MSI-X signaling is enabled. */
  get messageSignaledEnabled(): boolean {
    return this.messageSignaled;
  }

  /** Link state as STATUS.LU reports it. */
  get linkIsUp(): boolean {
    return this.linkUp;
  }

  /** Changes the link state now; a change sets LSC. */
  setLinkUp(up: boolean): void {
    if (this.removed) return;
    this.changeLink(up, this.host.nowTicks());
  }

  /** Delivers `count` packets to RX queue `queue` now, as if they had just arrived from the wire. */
  receivePackets(queue: number, count: number): void {
    checkQueue('receivePackets', queue);
    if (!Number.isInteger(count) || count < 1 || count > 1024) {
      throw new RangeError(`E1000Nic.receivePackets: count must be an integer in 1..1024 (got ${count})`);
    }
    if (this.removed) return;
    this.receive(queue, count, this.host.nowTicks());
  }

  /** Whether the NIC has written back RX descriptor `index` of `queue` since the driver last posted it. */
  rxDescriptorDone(queue: number, index: number): boolean {
    checkQueue('rxDescriptorDone', queue);
    return (queue === 0 ? this.rx0 : this.rx1).done[index] === 1;
  }

  /** Whether the NIC has written back TX descriptor `index` of `queue` since the driver last posted it. */
  txDescriptorDone(queue: number, index: number): boolean {
    checkQueue('txDescriptorDone', queue);
    return (queue === 0 ? this.tx0 : this.tx1).done[index] === 1;
  }

  // --- Interrupt logic ------------------------------------------------------------------------

  /** ICR as software reads it: INT_ASSERTED set whenever any cause is. */
  private icrValue(): number {
    return this.icr === 0 ? 0 : (this.icr | E1000_ICR_INT_ASSERTED) >>> 0;
  }

  private readIcr(): number {
    const value = this.icrValue();
    if (!this.messageSignaled || this.ims === 0) {
      this.icr = 0;
      this.lowerLine();
    } else if (value !== 0) {
      if ((this.ctrlExt & E1000_CTRL_EXT_IAME) !== 0) {
        this.icr = 0;
        this.ims &= ~this.iam;
      } else if ((this.icr & this.ims) !== 0) {
        this.icr = 0;
      }
    }
    return value;
  }

  private writeIcr(value: number): void {
    if (this.icr !== 0 && (this.ctrlExt & E1000_CTRL_EXT_IAME) !== 0) this.ims &= ~this.iam;
    // Clearing OTHER clears the causes it stands for (drivers rely on it, QEMU does it).
    const cleared = (value & E1000_ICR_OTHER) !== 0 ? value | E1000_ICR_OTHER_CAUSES : value;
    this.icr &= ~cleared;
    this.lowerLine();
  }

  private writeIms(value: number): void {
    const before = this.ims & this.icr;
    this.imsEver |= value & E1000_ICR_VALID_CAUSES;
    this.ims |= value & E1000_ICR_VALID_CAUSES;
    this.signal(before, this.host.nowTicks());
  }

  /** Sets causes in ICR and signals the ones that became pending and unmasked. */
  private raise(causes: number, nowTicks: number): void {
    const before = this.ims & this.icr;
    let icr = this.icr | (causes & E1000_ICR_VALID_CAUSES);
    if (this.messageSignaled && (icr & E1000_ICR_OTHER_CAUSES) !== 0) icr |= E1000_ICR_OTHER;
    this.icr = icr;
    this.signal(before, nowTicks);
  }

  private signal(before: number, nowTicks: number): void {
    const raised = this.ims & this.icr & ~before;
    if (raised === 0) return;
    if (this.messageSignaled) this.routeMessages(raised, nowTicks);
    else if (!this.itrHolds(nowTicks)) this.assertLine();
  }

  /** True if ITR holds the line interrupt back (and arranges its delivery); else starts an interval. */
  private itrHolds(nowTicks: number): boolean {
    if (nowTicks < this.itrExpiryTick) {
      if (!this.itrHeld) {
        this.itrHeld = true;
        this.counters.interruptsThrottled++;
      }
      this.schedule(SLOT_ITR, this.itrExpiryTick);
      return true;
    }
    if (this.itrTicks > 0) this.itrExpiryTick = nowTicks + this.itrTicks;
    return false;
  }

  private assertLine(): void {
    if (!this.line) {
      this.line = true;
      this.counters.lineAssertions++;
    }
  }

  private lowerLine(): void {
    if (this.line && (this.ims & this.icr) === 0) this.line = false;
  }

  private routeMessages(raised: number, nowTicks: number): void {
    const vectors =
      this.routeCause(raised, E1000_ICR_RXQ0, E1000_IVAR_RXQ0_SHIFT) |
      this.routeCause(raised, E1000_ICR_RXQ1, E1000_IVAR_RXQ1_SHIFT) |
      this.routeCause(raised, E1000_ICR_TXQ0, E1000_IVAR_TXQ0_SHIFT) |
      this.routeCause(raised, E1000_ICR_TXQ1, E1000_IVAR_TXQ1_SHIFT) |
      this.routeCause(raised, E1000_ICR_OTHER, E1000_IVAR_OTHER_SHIFT);
    for (let vector = 0; vector < E1000_MSIX_VECTORS; vector++) {
      const bit = 1 << vector;
      if ((vectors & bit) === 0) continue;
      const expiry = this.eitrExpiryTick[vector]!;
      if (nowTicks < expiry) {
        if ((this.eitrHeldVectors & bit) === 0) {
          this.eitrHeldVectors |= bit;
          this.counters.interruptsThrottled++;
        }
        this.schedule(SLOT_EITR0 + vector, expiry);
        continue;
      }
      this.queueMessage(vector);
      const ticks = this.eitrTicks[vector]!;
      if (ticks > 0) this.eitrExpiryTick[vector] = nowTicks + ticks;
    }
  }

  /** The vector bit `cause` routes to through IVAR (0 if not raised or not routable). */
  private routeCause(raised: number, cause: number, shift: number): number {
    if ((raised & cause) === 0) return 0;
    const entry = (this.ivar >>> shift) & 0xf;
    const vector = entry & E1000_IVAR_ENTRY_VEC_MASK;
    if ((entry & E1000_IVAR_INT_ALLOC_VALID) === 0 || vector >= E1000_MSIX_VECTORS) {
      this.counters.messagesUnrouted++;
      return 0;
    }
    this.vectorCauses[vector] = this.vectorCauses[vector]! | cause;
    return 1 << vector;
  }

  private queueMessage(vector: number): void {
    const bit = 1 << vector;
    if ((this.pendingVectors & bit) !== 0) return;
    this.pendingVectors |= bit;
    this.counters.messagesRaised++;
  }

  // --- Registers with side effects ------------------------------------------------------------

  private writeCtrl(value: number): void {
    if ((value & E1000_CTRL_RST) !== 0) {
      // Software reset: registers to power-on values; the link and the wire's traffic go on.
      this.resetRegisters();
      return;
    }
    this.ctrl = value;
  }

  private writeTctl(value: number): void {
    this.tctl = value;
    if ((value & E1000_TCTL_EN) !== 0) {
      const now = this.host.nowTicks();
      this.kickTx(0, now);
      this.kickTx(1, now);
    }
  }

  private readRing(ring: Ring, offsetBytes: number): number {
    switch (offsetBytes & 0xff) {
      case RING_BAL:
        return ring.baseLow;
      case RING_BAH:
        return ring.baseHigh;
      case RING_LEN:
        return ring.lengthBytes;
      case RING_HEAD:
        return ring.head;
      case RING_TAIL:
        return ring.tail;
    }
    return this.unmodeled(offsetBytes);
  }

  /** `txQueue` is the TX queue number, or -1 for an RX ring. */
  private writeRing(ring: Ring, txQueue: number, offsetBytes: number, value: number): void {
    switch (offsetBytes & 0xff) {
      case RING_BAL:
        ring.baseLow = (value & ~0xf) >>> 0;
        return;
      case RING_BAH:
        ring.baseHigh = value;
        return;
      case RING_LEN:
        ring.setLength(value);
        return;
      case RING_HEAD:
        ring.head = value & 0xffff;
        return;
      case RING_TAIL:
        ring.moveTail(value & 0xffff);
        if (txQueue >= 0) this.kickTx(txQueue, this.host.nowTicks());
        return;
    }
    this.unmodeled(offsetBytes);
  }

  private unmodeled(offsetBytes: number): number {
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

  private resetRegisters(): void {
    this.ctrl = E1000_CTRL_FD | E1000_CTRL_SLU;
    this.ctrlExt = 0;
    this.icr = 0;
    this.ims = 0;
    this.imsEver = 0;
    this.itr = 0;
    this.itrTicks = 0;
    this.eiac = 0;
    this.iam = 0;
    this.ivar = 0;
    this.eitr.fill(0);
    this.eitrTicks.fill(0);
    this.rctl = 0;
    this.tctl = 0;
    const descriptors = this.config.ringDescriptors;
    this.rx0.reset(descriptors);
    this.rx1.reset(descriptors);
    this.tx0.reset(descriptors);
    this.tx1.reset(descriptors);
    this.mpc = 0;
    this.gprc = 0;
    this.gptc = 0;
    this.line = false;
    this.itrExpiryTick = -Infinity;
    this.itrHeld = false;
    this.eitrExpiryTick.fill(-Infinity);
    this.eitrHeldVectors = 0;
    this.pendingVectors = 0;
    this.vectorCauses.fill(0);
    this.eventTick[SLOT_TX0] = Infinity;
    this.eventTick[SLOT_TX0 + 1] = Infinity;
    this.eventTick[SLOT_ITR] = Infinity;
    this.eventTick.fill(Infinity, SLOT_EITR0, SLOT_EITR0 + E1000_MSIX_VECTORS);
  }

  // --- The traffic source ---------------------------------------------------------------------

  private runEvent(slot: number, at: number): void {
    const events = this.eventTick;
    switch (slot) {
      case SLOT_RX0:
      case SLOT_RX0 + 1: {
        const queue = slot - SLOT_RX0;
        const max = this.config.rxPacketsPerArrivalMax;
        const count = max > 1 ? this.host.prng.between(1, max) : 1;
        this.schedule(slot, at + this.drawArrivalGapTicks());
        this.receive(queue, count, at);
        return;
      }
      case SLOT_TX0:
      case SLOT_TX0 + 1:
        events[slot] = Infinity;
        this.completeTx(slot - SLOT_TX0, at);
        return;
      case SLOT_LINK:
        this.schedule(slot, at + this.drawLinkGapTicks());
        this.changeLink(!this.linkUp, at);
        return;
      case SLOT_ITR:
        events[slot] = Infinity;
        this.itrHeld = false;
        if (!this.messageSignaled && (this.ims & this.icr) !== 0) {
          this.assertLine();
          if (this.itrTicks > 0) this.itrExpiryTick = at + this.itrTicks;
        }
        return;
      default: {
        const vector = slot - SLOT_EITR0;
        const bit = 1 << vector;
        events[slot] = Infinity;
        if ((this.eitrHeldVectors & bit) === 0) return;
        this.eitrHeldVectors &= ~bit;
        this.queueMessage(vector);
        const ticks = this.eitrTicks[vector]!;
        if (ticks > 0) this.eitrExpiryTick[vector] = at + ticks;
      }
    }
  }

  private receive(queue: number, count: number, nowTicks: number): void {
    if ((this.rctl & E1000_RCTL_EN) === 0 || !this.linkUp) {
      this.counters.packetsIgnored += count;
      return;
    }
    const ring = queue === 0 ? this.rx0 : this.rx1;
    const writeBack = this.messageSignaled ? (queue === 0 ? E1000_ICR_RXQ0 : E1000_ICR_RXQ1) : E1000_ICR_RXT0;
    // RCTL.RDMTS: RXDMT0 when the free descriptors fall to 1/2, 1/4 or 1/8 of the ring.
    const threshold = ring.size >>> (((this.rctl >>> 8) & 3) + 1);
    let causes = 0;
    for (let i = 0; i < count; i++) {
      const free = ring.owned();
      if (free === 0) {
        this.mpc = this.mpc === U32_MAX ? U32_MAX : this.mpc + 1;
        this.counters.packetsMissed++;
        causes |= E1000_ICR_RXO;
        continue;
      }
      ring.completeHead();
      this.gprc = this.gprc === U32_MAX ? U32_MAX : this.gprc + 1;
      this.counters.packetsReceived++;
      causes |= writeBack;
      if (!this.messageSignaled && free - 1 === threshold) causes |= E1000_ICR_RXDMT0;
    }
    this.raise(causes, nowTicks);
  }

  /** Schedules the completion of posted TX descriptors if the transmitter is on and none is scheduled. */
  private kickTx(queue: number, nowTicks: number): void {
    const slot = SLOT_TX0 + queue;
    if ((this.tctl & E1000_TCTL_EN) === 0 || this.eventTick[slot] !== Infinity) return;
    if ((queue === 0 ? this.tx0 : this.tx1).owned() === 0) return;
    this.schedule(slot, nowTicks + this.drawTxCompletionTicks());
  }

  private completeTx(queue: number, nowTicks: number): void {
    if ((this.tctl & E1000_TCTL_EN) === 0) return;
    const ring = queue === 0 ? this.tx0 : this.tx1;
    const posted = ring.owned();
    if (posted === 0) return;
    const count = Math.min(posted, this.config.txDescriptorsPerCompletionMax);
    for (let i = 0; i < count; i++) ring.completeHead();
    this.gptc = Math.min(this.gptc + count, U32_MAX);
    this.counters.descriptorsTransmitted += count;
    let causes = this.messageSignaled ? (queue === 0 ? E1000_ICR_TXQ0 : E1000_ICR_TXQ1) : E1000_ICR_TXDW;
    if (count === posted) causes |= E1000_ICR_TXQE;
    else this.schedule(SLOT_TX0 + queue, nowTicks + this.drawTxCompletionTicks());
    this.raise(causes, nowTicks);
  }

  private changeLink(up: boolean, nowTicks: number): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.counters.linkChanges++;
    this.raise(E1000_ICR_LSC, nowTicks);
  }

  private drawArrivalGapTicks(): number {
    return drawBetween(this.host, this.config.rxArrivalGapTicksMin, this.config.rxArrivalGapTicksMax);
  }

  private drawTxCompletionTicks(): number {
    return drawBetween(this.host, this.config.txCompletionTicksMin, this.config.txCompletionTicksMax);
  }

  private drawLinkGapTicks(): number {
    return drawBetween(this.host, this.config.linkChangeGapTicksMin, this.config.linkChangeGapTicksMax);
  }
}

/**
 * How each named register touches the NIC's state: IMS sets and IMC clears bits of one mask, ICR is
 * read-to-clear (and write-1-to-clear) and ICS sets its causes, the statistics counters clear on read;
 * every other register is plain storage of its own.
 */
const NIC_REGISTER_EFFECTS: ReadonlyMap<number, RegisterEffect> = new Map(
  NIC_REGISTERS.map((register): [number, RegisterEffect] => {
    const own = (read: RegisterEffect['read'], write: RegisterEffect['write']): RegisterEffect =>
      Object.freeze({ state: register.name, read, write });
    switch (register.offset) {
      case E1000_IMS:
        return [register.offset, Object.freeze({ state: 'IMS', read: 'read', write: 'set' })];
      case E1000_IMC:
        return [register.offset, Object.freeze({ state: 'IMS', read: 'none', write: 'clear' })];
      case E1000_ICR:
        return [register.offset, Object.freeze({ state: 'ICR', read: 'readClear', write: 'clear' })];
      case E1000_ICS:
        return [register.offset, Object.freeze({ state: 'ICR', read: 'read', write: 'set' })];
      case E1000_STATUS:
        return [register.offset, own('read', 'none')];
      case E1000_MPC:
      case E1000_GPRC:
      case E1000_GPTC:
        return [register.offset, own('readClear', 'none')];
      default:
        return [register.offset, own('read', 'write')];
    }
  }),
);

const DETACHED_HOST: DeviceHost = {
  get prng(): never {
    throw new Error('E1000Nic: attach() the NIC to a simulation before using it');
  },
  nowTicks(): never {
    throw new Error('E1000Nic: attach() the NIC to a simulation before using it');
  },
};

/** A uniform draw in [min, max]; no draw when the range is a single value. */
function drawBetween(host: DeviceHost, min: number, max: number): number {
  return min === max ? min : host.prng.between(min, max);
}

function checkQueue(method: string, queue: number): void {
  if (queue !== 0 && queue !== 1) {
    throw new RangeError(`E1000Nic.${method}: queue must be 0 or 1 (got ${String(queue)})`);
  }
}
