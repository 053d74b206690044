/**
 * The state of the simulated NIC behind its registers (QEMU's E1000ECore): the register file, the
 * four descriptor rings, the NVM and the PHY, the link, the receiver and the transmitter, and the
 * interrupt signaling (signaling.ts). It implements what the register table's rows call
 * ({@link E1000RegisterFile}).
 *
 * Rings. The descriptors and buffers live in driver memory, reached by DMA through the host
 * (`DeviceHost.dma`): the receiver (receiver.ts) writes frames and RX descriptors there, the
 * transmitter (transmitter.ts) reads TX descriptors and buffers and writes DD back. TX descriptors
 * the driver posts by moving TDT are processed after a seeded delay, a batch at a time.
 */
import type { DeviceHost } from '../device.js';
import type { DeviceDma } from '../shared-memory.js';
import type { NicConfig } from './e1000-options.js';
import { E1000_REGISTER_TABLE, SLOT, type E1000RegisterFile } from './e1000-register-table.js';
import {
  E1000_ICR_LSC,
  E1000_ICR_MDAC,
  E1000_MDIC_INT_EN,
  E1000_RAH_AV,
  E1000_TARC_ENABLE,
  E1000_TCTL_EN,
  E1000_XDLEN_MASK,
} from './e1000-registers.js';
import type { NicStats } from './e1000-stats.js';
import { SLOT_TX0, type EventSlots } from './event-slots.js';
import { eerdAfterWrite, nvmImage, Phy } from './nvm-phy.js';
import { Receiver } from './receiver.js';
import { Ring } from './ring.js';
import { E1000Signaling } from './signaling.js';
import { transmit } from './transmitter.js';

const TCTL = SLOT.TCTL;

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
  /** The NVM image (EERD reads it, EEWR writes it). */
  nvm: Uint16Array;
  readonly phy = new Phy();
  readonly receiver: Receiver;
  /** The register file after reset, for this configuration. */
  private readonly powerOn: Uint32Array;

  constructor(
    readonly config: NicConfig,
    readonly counters: NicStats,
    private readonly events: EventSlots,
  ) {
    const mac = this.mac;
    const ring = (low: number, high: number, length: number, head: number, tail: number, q: number): Ring =>
      new Ring(mac, low + q, high + q, length + q, head + q, tail + q);
    this.rings = [
      ring(SLOT.RDBAL, SLOT.RDBAH, SLOT.RDLEN, SLOT.RDH, SLOT.RDT, 0),
      ring(SLOT.RDBAL, SLOT.RDBAH, SLOT.RDLEN, SLOT.RDH, SLOT.RDT, 1),
      ring(SLOT.TDBAL, SLOT.TDBAH, SLOT.TDLEN, SLOT.TDH, SLOT.TDT, 0),
      ring(SLOT.TDBAL, SLOT.TDBAH, SLOT.TDLEN, SLOT.TDH, SLOT.TDT, 1),
    ];
    this.signaling = new E1000Signaling(mac, events, counters);
    this.receiver = new Receiver(this, this.rings);
    this.powerOn = E1000_REGISTER_TABLE.powerOnValues(config);
    this.nvm = nvmImage(config.macAddress);
    this.linkUp = config.linkUpAtReset;
    this.resetRegisters();
  }

  /** Driver memory, reached by DMA. */
  get dma(): DeviceDma | undefined {
    return this.host.dma;
  }

  /** MSI-X signaling (per-queue causes); INTx and single-message MSI use the line-style causes. */
  get msix(): boolean {
    return this.signaling.mode === 'msix';
  }

  /**
   * Every register to its power-on value (RAL0/RAH0 the MAC address, valid); nothing pending, no TX
   * completion or throttle timer running, the receive FIFO and the PHY reset.
   */
  resetRegisters(): void {
    const mac = this.mac;
    mac.set(this.powerOn);
    const address = this.config.macAddress;
    mac[SLOT.RAL] = (address[0]! | (address[1]! << 8) | (address[2]! << 16) | (address[3]! << 24)) >>> 0;
    mac[SLOT.RAH] = (address[4]! | (address[5]! << 8) | E1000_RAH_AV) >>> 0;
    this.receiver.reset();
    this.phy.reset();
    this.signaling.reset();
    this.events.cancel(SLOT_TX0);
    this.events.cancel(SLOT_TX0 + 1);
  }

  // ---- What the register table's rows call ----------------------------------------------------------

  softwareReset(): void {
    // Software reset: registers to power-on values; the link and the wire's traffic go on.
    this.resetRegisters();
  }

  nvmAccess(value: number, write: boolean): number {
    if (write && (value & 1) !== 0) {
      const address = (value >>> 2) & 0x3fff;
      if (address < this.nvm.length) this.nvm[address] = value >>> 16;
      return eerdAfterWrite(this.nvm, (value & 0xffff) | 1);
    }
    return eerdAfterWrite(this.nvm, value);
  }

  phyAccess(value: number): number {
    const result = this.phy.mdicAfterWrite(value);
    if ((value & E1000_MDIC_INT_EN) !== 0) this.signaling.raise(E1000_ICR_MDAC, this.host.nowTicks());
    return result;
  }

  receiveControlWritten(): void {
    this.drainRx(0);
    this.drainRx(1);
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
    this.mac[(ring < RING_TX0 ? SLOT.RDLEN : SLOT.TDLEN) + (ring % 2)] = value & E1000_XDLEN_MASK;
  }

  ringTailWritten(ring: number, tail: number): void {
    this.mac[(ring < RING_TX0 ? SLOT.RDT : SLOT.TDT) + (ring % 2)] = tail;
    if (ring >= RING_TX0) this.kickTx(ring - RING_TX0, this.host.nowTicks());
    else this.drainRx(ring);
  }

  // ---- The receiver, the transmitter and the link --------------------------------------------------

  /** Frames arrive on RX queue `queue` at `nowTicks`, one of each length in `lengths`. */
  receive(queue: number, lengths: ArrayLike<number>, nowTicks: number): void {
    let causes = 0;
    for (let i = 0; i < lengths.length; i++) causes |= this.receiver.arrive(queue, lengths[i]!);
    if (causes !== 0) this.signaling.raise(causes, nowTicks);
  }

  /** Writes what the RX FIFO of `queue` holds into the ring, as far as descriptors allow. */
  private drainRx(queue: number): void {
    const causes = this.receiver.drain(queue);
    if (causes !== 0) this.signaling.raise(causes, this.host.nowTicks());
  }

  /** Schedules the processing of posted TX descriptors if the transmitter is on and none is scheduled. */
  kickTx(queue: number, nowTicks: number): void {
    const slot = SLOT_TX0 + queue;
    if (!this.transmitting(queue) || this.events.ticks[slot] !== Infinity) return;
    if (this.rings[RING_TX0 + queue]!.owned() === 0) return;
    this.events.schedule(slot, nowTicks + this.drawTxCompletionTicks());
  }

  /** TX queue `queue` processes a batch of posted descriptors (the next batch is scheduled if more are posted). */
  completeTx(queue: number, nowTicks: number): void {
    this.events.cancel(SLOT_TX0 + queue);
    if (!this.transmitting(queue)) return;
    const ring = this.rings[RING_TX0 + queue]!;
    const head = ring.head;
    const causes = transmit(this, ring, queue, this.config.txDescriptorsPerCompletionMax);
    // More posted and the pass moved on (a descriptor it could not fetch stops the ring).
    if (ring.owned() > 0 && ring.head !== head)
      this.events.schedule(SLOT_TX0 + queue, nowTicks + this.drawTxCompletionTicks());
    if (causes !== 0) this.signaling.raise(causes, nowTicks);
  }

  /** TCTL.EN and the queue's TARC enable bit (bit 10). */
  private transmitting(queue: number): boolean {
    return (this.mac[TCTL]! & E1000_TCTL_EN) !== 0 && (this.mac[SLOT.TARC + queue]! & E1000_TARC_ENABLE) !== 0;
  }

  /** The link goes up or down; a change sets LSC. */
  changeLink(up: boolean, nowTicks: number): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    this.counters.linkChanges++;
    this.signaling.raise(E1000_ICR_LSC, nowTicks);
    if (up) this.receiveControlWritten();
  }

  private drawTxCompletionTicks(): number {
    return drawBetween(this.host, this.config.txCompletionTicksMin, this.config.txCompletionTicksMax);
  }
}

/** A uniform draw in [min, max]; no draw when the range is a single value. */
export function drawBetween(host: DeviceHost, min: number, max: number): number {
  return min === max ? min : host.prng.between(min, max);
}
