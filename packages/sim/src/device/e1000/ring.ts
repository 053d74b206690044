/**
 * One descriptor ring of the simulated NIC, as a view of its five registers in the register file:
 * base (xDBAL, xDBAH), length in bytes (xDLEN), head (xDH) and tail (xDT). The descriptors themselves
 * live in driver memory; the receiver and the transmitter reach them by DMA.
 */
import { E1000_DESCRIPTOR_BYTES } from './e1000-registers.js';

/** 2^32, to join the two halves of a base address. */
const HIGH = 0x1_0000_0000;

export class Ring {
  /** `mac`: the register file; the slots of this ring's registers. */
  constructor(
    private readonly mac: Uint32Array,
    private readonly baseLowSlot: number,
    private readonly baseHighSlot: number,
    private readonly lengthSlot: number,
    private readonly headSlot: number,
    private readonly tailSlot: number,
  ) {}

  /** Descriptors in the ring (xDLEN / 16). */
  get size(): number {
    return this.mac[this.lengthSlot]! / E1000_DESCRIPTOR_BYTES;
  }

  get head(): number {
    return this.mac[this.headSlot]!;
  }

  get tail(): number {
    return this.mac[this.tailSlot]!;
  }

  /** Physical address of descriptor `index`. */
  descriptorAddress(index: number): number {
    return this.mac[this.baseHighSlot]! * HIGH + this.mac[this.baseLowSlot]! + index * E1000_DESCRIPTOR_BYTES;
  }

  /**
   * Descriptors from head up to tail (exclusive): free buffers (RX) or posted packets (TX). 0 when the
   * ring is empty or misprogrammed (head or tail past its end: QEMU's `e1000e_ring_empty`).
   */
  owned(): number {
    const head = this.mac[this.headSlot]!;
    const tail = this.mac[this.tailSlot]!;
    const size = this.size;
    if (tail >= size || head >= size) return 0;
    return head <= tail ? tail - head : size + tail - head;
  }

  /** The NIC is done with the descriptor at head: head moves on, wrapping at the ring's end. */
  advanceHead(): void {
    const head = this.mac[this.headSlot]! + 1;
    this.mac[this.headSlot] = head >= this.size ? 0 : head;
  }
}
