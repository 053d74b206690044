/**
 * The NIC's receive path (QEMU's `e1000e_receive_internal` / `e1000e_write_packet_to_guest`, with the
 * on-chip FIFO of the 8254x manual §3.2.6 and §13.7): a frame from the wire enters the receive FIFO
 * (PBA.RXA KiB) — counted by RNBC when it finds no free descriptor (RDH == RDT), dropped with MPC and
 * RXO only when the FIFO has no room — and leaves it, in order, when the ring has enough descriptors
 * for it. Leaving, it is written by DMA into the buffers of legacy RX descriptors from RDH on (length
 * including the 4 FCS bytes unless RCTL.SECRC, EOP on the last), each descriptor written back with DD,
 * and RDH moves on. The NIC never writes the descriptor at RDT.
 *
 * Frames: unicast to the address in RAL0/RAH0, from 02:00:00:00:00:01, EtherType 0x88B5 (local
 * experimental), payload bytes counting up from the frame's sequence number.
 */
import type { DeviceDma } from '../shared-memory.js';
import { SLOT } from './e1000-register-table.js';
import {
  E1000_DESCRIPTOR_BYTES,
  E1000_ICR_RXDMT0,
  E1000_ICR_RXO,
  E1000_ICR_RXQ0,
  E1000_ICR_RXQ1,
  E1000_ICR_RXT0,
  E1000_RCTL_EN,
  E1000_RCTL_SECRC,
  E1000_RXD_STAT_DD,
  E1000_RXD_STAT_EOP,
  e1000RxBufferBytes,
} from './e1000-registers.js';
import type { NicStats } from './e1000-stats.js';
import type { Ring } from './ring.js';

/** Frames one queue's FIFO holds at most (a 40 KiB FIFO of minimum-size frames needs 512). */
const FIFO_FRAMES_MAX = 1024;
/** FCS bytes. */
const FCS_BYTES = 4;
/** Largest 32-bit value; statistics saturate there. */
const U32_MAX = 0xffff_ffff;

/** Bytes a frame of `length` bytes (FCS included) occupies in the FIFO: 16-byte words plus a status word. */
export function fifoOccupancyBytes(length: number): number {
  return Math.ceil(length / 16) * 16 + 16;
}

/** What the receiver needs from the rest of the NIC. */
export interface ReceiverPort {
  readonly mac: Uint32Array;
  readonly counters: NicStats;
  readonly dma: DeviceDma | undefined;
  readonly linkUp: boolean;
  /** The signaling mode: MSI-X uses per-queue causes, INTx and MSI the line-style ones. */
  readonly msix: boolean;
}

/** One RX queue's FIFO: frame lengths (FCS excluded) and sequence numbers, oldest first. */
class Fifo {
  readonly lengths = new Int32Array(FIFO_FRAMES_MAX);
  readonly sequences = new Int32Array(FIFO_FRAMES_MAX);
  first = 0;
  count = 0;
  bytes = 0;

  clear(): void {
    this.first = 0;
    this.count = 0;
    this.bytes = 0;
  }
}

export class Receiver {
  private readonly fifos = [new Fifo(), new Fifo()];
  private sequence = 0;

  constructor(
    private readonly port: ReceiverPort,
    private readonly rings: readonly Ring[],
  ) {}

  /** Power-on or CTRL.RST: the FIFOs are empty. */
  reset(): void {
    for (const fifo of this.fifos) fifo.clear();
  }

  /** Frames held in queue `queue`'s FIFO. */
  held(queue: number): number {
    return this.fifos[queue]!.count;
  }

  /** A frame of `length` bytes (FCS excluded) arrives for queue `queue`; returns the causes to raise. */
  arrive(queue: number, length: number): number {
    const { mac, counters } = this.port;
    if ((mac[SLOT.RCTL]! & E1000_RCTL_EN) === 0 || !this.port.linkUp) {
      counters.packetsIgnored++;
      return 0;
    }
    increment(mac, SLOT.TPR);
    if (this.rings[queue]!.owned() === 0) increment(mac, SLOT.RNBC);
    const fifo = this.fifos[queue]!;
    const occupancy = fifoOccupancyBytes(length + FCS_BYTES);
    const capacity = (mac[SLOT.PBA]! & 0xffff) * 1024;
    if (fifo.bytes + occupancy > capacity || fifo.count === FIFO_FRAMES_MAX) {
      increment(mac, SLOT.MPC);
      counters.packetsMissed++;
      return E1000_ICR_RXO | this.drain(queue);
    }
    const at = (fifo.first + fifo.count) % FIFO_FRAMES_MAX;
    fifo.lengths[at] = length;
    fifo.sequences[at] = this.sequence++ & 0x7fff_ffff;
    fifo.count++;
    fifo.bytes += occupancy;
    return this.drain(queue);
  }

  /**
   * Writes the frames at the head of the FIFO while the ring has the descriptors each needs (all or
   * nothing per frame); returns the causes to raise.
   */
  drain(queue: number): number {
    const { mac, dma } = this.port;
    const fifo = this.fifos[queue]!;
    if (fifo.count === 0 || dma === undefined || (mac[SLOT.RCTL]! & E1000_RCTL_EN) === 0) return 0;
    const ring = this.rings[queue]!;
    const rctl = mac[SLOT.RCTL]!;
    const bufferBytes = e1000RxBufferBytes(rctl);
    const fcs = (rctl & E1000_RCTL_SECRC) !== 0 ? 0 : FCS_BYTES;
    const threshold = ring.size >>> (((rctl >>> 8) & 3) + 1);
    let causes = 0;
    while (fifo.count > 0) {
      const length = fifo.lengths[fifo.first]!;
      const needed = Math.ceil((length + fcs) / bufferBytes);
      if (ring.owned() < needed) break;
      if (!this.write(dma, ring, length, length + fcs, fifo.sequences[fifo.first]!, bufferBytes)) break;
      fifo.first = (fifo.first + 1) % FIFO_FRAMES_MAX;
      fifo.count--;
      fifo.bytes -= fifoOccupancyBytes(length + FCS_BYTES);
      increment(mac, SLOT.GPRC);
      this.port.counters.packetsReceived++;
      causes |= this.port.msix ? (queue === 0 ? E1000_ICR_RXQ0 : E1000_ICR_RXQ1) : E1000_ICR_RXT0;
      if (!this.port.msix && ring.owned() === threshold) causes |= E1000_ICR_RXDMT0;
    }
    return causes;
  }

  /**
   * Writes one frame (`total` bytes with the FCS) into the descriptors from head on. False when a
   * descriptor could not be fetched (reported): the ring is unusable until the driver reprograms it.
   */
  private write(
    dma: DeviceDma,
    ring: Ring,
    length: number,
    total: number,
    sequence: number,
    bufferBytes: number,
  ): boolean {
    for (let offset = 0; offset < total; offset += bufferBytes) {
      const index = ring.head;
      const descriptor = dma.read(ring.descriptorAddress(index), E1000_DESCRIPTOR_BYTES, `RX descriptor ${index}`);
      if (descriptor === null) return false;
      const chunk = Math.min(bufferBytes, total - offset);
      const address = readAddress(descriptor);
      const buffer = dma.read(address, chunk, `RX buffer ${index}`);
      if (buffer !== null) this.fill(buffer, offset, length, sequence);
      const written = buffer === null ? 0 : chunk;
      // Write-back (QEMU's order: the fields, then the status byte with DD last).
      descriptor[8] = written & 0xff;
      descriptor[9] = written >>> 8;
      descriptor[10] = 0;
      descriptor[11] = 0;
      descriptor[13] = 0;
      descriptor[14] = 0;
      descriptor[15] = 0;
      descriptor[12] = E1000_RXD_STAT_DD | (offset + chunk === total ? E1000_RXD_STAT_EOP : 0);
      ring.advanceHead();
    }
    return true;
  }

  /** The frame's bytes from `offset` on, as many as `buffer` holds (the FCS reads as zeros). */
  private fill(buffer: Uint8Array, offset: number, length: number, sequence: number): void {
    const mac = this.port.mac;
    const ral = mac[SLOT.RAL]!;
    const rah = mac[SLOT.RAH]!;
    const n = buffer.length;
    let i = 0;
    // The header: destination (the NIC's own address), source, EtherType 0x88B5.
    for (; i < n && offset + i < FRAME_HEADER_BYTES; i++) {
      const k = offset + i;
      const byte =
        k < 4
          ? ral >>> (8 * k)
          : k < 6
            ? rah >>> (8 * (k - 4))
            : k < 12
              ? k === 6
                ? 0x02
                : k === 11
                  ? 0x01
                  : 0
              : k === 12
                ? 0x88
                : 0xb5;
      buffer[i] = byte & 0xff;
    }
    // The payload: byte k is (sequence + k) mod 256. Its first 256 bytes come from a ramp; the rest
    // repeats them, so it is copied from the buffer itself, doubling each time (no view is made
    // per 256 bytes, which made a frame's fill a tenth of a short run).
    const payloadEnd = Math.min(n, length - offset);
    if (i < payloadEnd) {
      const from = i;
      const start = (sequence + offset + i) & 0xff;
      const first = Math.min(payloadEnd - i, 256);
      buffer.set(RAMP.subarray(start, start + first), i);
      i += first;
      for (let period = first; i < payloadEnd; period *= 2) {
        const count = Math.min(payloadEnd - i, period);
        buffer.copyWithin(i, from, from + count);
        i += count;
      }
    }
    if (i < n) buffer.fill(0, i);
  }
}

/** Bytes of a frame's header (two addresses and the EtherType). */
const FRAME_HEADER_BYTES = 14;
/** 0, 1, …, 255, 0, 1, …, 255: any 256 consecutive payload bytes are a window of it. */
const RAMP = Uint8Array.from({ length: 512 }, (_, j) => j & 0xff);

/** The 64-bit buffer address of a descriptor (little-endian), as a number. */
export function readAddress(descriptor: Uint8Array): number {
  const low = (descriptor[0]! | (descriptor[1]! << 8) | (descriptor[2]! << 16) | (descriptor[3]! << 24)) >>> 0;
  const high = (descriptor[4]! | (descriptor[5]! << 8) | (descriptor[6]! << 16) | (descriptor[7]! << 24)) >>> 0;
  return high * 0x1_0000_0000 + low;
}

/** Counts one in a statistics register, saturating. */
export function increment(mac: Uint32Array, slot: number): void {
  if (mac[slot] !== U32_MAX) mac[slot] = mac[slot]! + 1;
}
