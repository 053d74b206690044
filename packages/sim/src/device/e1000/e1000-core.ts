/**
 * The state of the simulated NIC behind its registers (QEMU's E1000ECore): the register file, the
 * four descriptor rings, the link, the receiver and the transmitter, and the interrupt signaling
 * (signaling.ts). It implements what the register table's rows call ({@link E1000RegisterFile}).
 *
 * Rings. No descriptor memory is simulated: the NIC tracks each ring's head and tail and a
 * "descriptor done" flag per slot. RX descriptors from head up to tail (exclusive) belong to the NIC;
 * a packet arriving with none free is missed (RXO, MPC). TX descriptors the driver posts by moving
 * TDT complete after a seeded delay (TXDW, GPTC).
 */
import type { DeviceHost } from '../device.js';
import type { NicConfig } from './e1000-options.js';
import { E1000_REGISTER_TABLE, SLOT, type E1000RegisterFile } from './e1000-register-table.js';
import {
  E1000_ICR_LSC,
  E1000_ICR_RXDMT0,
  E1000_ICR_RXO,
  E1000_ICR_RXQ0,
  E1000_ICR_RXQ1,
  E1000_ICR_RXT0,
  E1000_ICR_TXDW,
  E1000_ICR_TXQ0,
  E1000_ICR_TXQ1,
  E1000_ICR_TXQE,
  E1000_RCTL_EN,
  E1000_TCTL_EN,
} from './e1000-registers.js';
import type { NicStats } from './e1000-stats.js';
import { SLOT_TX0, type EventSlots } from './event-slots.js';
import { Ring } from './ring.js';
import { E1000Signaling } from './signaling.js';

/** Largest 32-bit value; the statistics registers saturate there. */
const U32_MAX = 0xffff_ffff;

// Slots of the registers the receiver and transmitter read, as plain numbers for the hot paths.
const RCTL = SLOT.RCTL;
const TCTL = SLOT.TCTL;
const MPC = SLOT.MPC;
const GPRC = SLOT.GPRC;
const GPTC = SLOT.GPTC;

/** Ring numbers: RX queue 0 and 1, then TX queue 0 and 1. */
const RING_TX0 = 2;

export const DETACHED_HOST: DeviceHost = {
  get prng(): never {
    throw new Error('E1000Nic: attach() the NIC to a simulation before using it');
  },
  nowTicks(): never {
    throw new Error('E1000Nic: attach() the NIC to a simulation before using it');
  },
};

export class E1000Core implements E1000RegisterFile {
  /** The register file: one slot per register of the table. */
  readonly mac = new Uint32Array(E1000_REGISTER_TABLE.slotCount);
  /** RX queue 0, RX queue 1, TX queue 0, TX queue 1. */
  readonly rings: readonly Ring[];
  readonly signaling: E1000Signaling;
  linkUp: boolean;
  host: DeviceHost = DETACHED_HOST;
  /** The register file after reset, for this configuration. */
  private readonly powerOn: Uint32Array;

  constructor(
    readonly config: NicConfig,
    private readonly counters: NicStats,
    private readonly events: EventSlots,
  ) {
    const mac = this.mac;
    this.rings = [
      new Ring(mac, SLOT.RDLEN, SLOT.RDH, SLOT.RDT),
      new Ring(mac, SLOT.RDLEN + 1, SLOT.RDH + 1, SLOT.RDT + 1),
      new Ring(mac, SLOT.TDLEN, SLOT.TDH, SLOT.TDT),
      new Ring(mac, SLOT.TDLEN + 1, SLOT.TDH + 1, SLOT.TDT + 1),
    ];
    this.signaling = new E1000Signaling(mac, events, counters);
    this.powerOn = E1000_REGISTER_TABLE.powerOnValues(config);
    this.linkUp = config.linkUpAtReset;
    this.resetRegisters();
  }

  /** Every register to its power-on value; nothing pending, no TX completion or throttle timer running. */
  resetRegisters(): void {
    this.mac.set(this.powerOn);
    for (const ring of this.rings) ring.reset();
    this.signaling.reset();
    this.events.cancel(SLOT_TX0);
    this.events.cancel(SLOT_TX0 + 1);
  }

  // ---- What the register table's rows call ----------------------------------------------------------

  softwareReset(): void {
    // Software reset: registers to power-on values; the link and the wire's traffic go on.
    this.resetRegisters();
  }

  readIcr(): number {
    return this.signaling.readIcr();
  }

  writeIcr(value: number): void {
    this.signaling.writeIcr(value);
  }

  icrValue(): number {
    return this.signaling.icrValue();
  }

  setCauses(value: number): void {
    this.signaling.raise(value, this.host.nowTicks());
  }

  setMask(value: number): void {
    this.signaling.setMask(value, this.host.nowTicks());
  }

  clearMask(value: number): void {
    this.signaling.clearMask(value);
  }

  transmitControlWritten(): void {
    if ((this.mac[TCTL]! & E1000_TCTL_EN) === 0) return;
    const now = this.host.nowTicks();
    this.kickTx(0, now);
    this.kickTx(1, now);
  }

  ringLengthWritten(ring: number, value: number): void {
    this.rings[ring]!.setLength(value);
  }

  ringTailWritten(ring: number, tail: number): void {
    this.rings[ring]!.moveTail(tail);
    if (ring >= RING_TX0) this.kickTx(ring - RING_TX0, this.host.nowTicks());
  }

  // ---- The receiver, the transmitter and the link --------------------------------------------------

  /** `count` packets arrive on RX queue `queue` at `nowTicks`. */
  receive(queue: number, count: number, nowTicks: number): void {
    const mac = this.mac;
    const rctl = mac[RCTL]!;
    if ((rctl & E1000_RCTL_EN) === 0 || !this.linkUp) {
      this.counters.packetsIgnored += count;
      return;
    }
    const ring = this.rings[queue]!;
    const messageSignaled = this.signaling.messageSignaled;
    const writeBack = messageSignaled ? (queue === 0 ? E1000_ICR_RXQ0 : E1000_ICR_RXQ1) : E1000_ICR_RXT0;
    // RCTL.RDMTS: RXDMT0 when the free descriptors fall to 1/2, 1/4 or 1/8 of the ring.
    const threshold = ring.size >>> (((rctl >>> 8) & 3) + 1);
    let causes = 0;
    for (let i = 0; i < count; i++) {
      const free = ring.owned();
      if (free === 0) {
        mac[MPC] = mac[MPC] === U32_MAX ? U32_MAX : mac[MPC]! + 1;
        this.counters.packetsMissed++;
        causes |= E1000_ICR_RXO;
        continue;
      }
      ring.completeHead();
      mac[GPRC] = mac[GPRC] === U32_MAX ? U32_MAX : mac[GPRC]! + 1;
      this.counters.packetsReceived++;
      causes |= writeBack;
      if (!messageSignaled && free - 1 === threshold) causes |= E1000_ICR_RXDMT0;
    }
    this.signaling.raise(causes, nowTicks);
  }

  /** Schedules the completion of posted TX descriptors if the transmitter is on and none is scheduled. */
  kickTx(queue: number, nowTicks: number): void {
    const slot = SLOT_TX0 + queue;
    if ((this.mac[TCTL]! & E1000_TCTL_EN) === 0 || this.events.ticks[slot] !== Infinity) return;
    if (this.rings[RING_TX0 + queue]!.owned() === 0) return;
    this.events.schedule(slot, nowTicks + this.drawTxCompletionTicks());
  }

  /** TX queue `queue`'s descriptors are written back (the next batch is scheduled if more are posted). */
  completeTx(queue: number, nowTicks: number): void {
    this.events.cancel(SLOT_TX0 + queue);
    if ((this.mac[TCTL]! & E1000_TCTL_EN) === 0) return;
    const ring = this.rings[RING_TX0 + queue]!;
    const posted = ring.owned();
    if (posted === 0) return;
    const count = Math.min(posted, this.config.txDescriptorsPerCompletionMax);
    for (let i = 0; i < count; i++) ring.completeHead();
    this.mac[GPTC] = Math.min(this.mac[GPTC]! + count, U32_MAX);
    this.counters.descriptorsTransmitted += count;
    let causes = this.signaling.messageSignaled ? (queue === 0 ? E1000_ICR_TXQ0 : E1000_ICR_TXQ1) : E1000_ICR_TXDW;
    if (count === posted) causes |= E1000_ICR_TXQE;
    else this.events.schedule(SLOT_TX0 + queue, nowTicks + this.drawTxCompletionTicks());
    this.signaling.raise(causes, nowTicks);
  }

  /** The link goes up or down; a change sets LSC. */
  changeLink(up: boolean, nowTicks: number): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.counters.linkChanges++;
    this.signaling.raise(E1000_ICR_LSC, nowTicks);
  }

  private drawTxCompletionTicks(): number {
    return drawBetween(this.host, this.config.txCompletionTicksMin, this.config.txCompletionTicksMax);
  }
}

/** A uniform draw in [min, max]; no draw when the range is a single value. */
export function drawBetween(host: DeviceHost, min: number, max: number): number {
  return min === max ? min : host.prng.between(min, max);
}
