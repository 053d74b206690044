/**
 * One descriptor ring of the simulated NIC: its base, length, head and tail registers and a
 * "descriptor done" flag per slot standing in for the DD bit the hardware writes back.
 */
import { E1000_DESCRIPTOR_BYTES, E1000_XDLEN_MASK } from './e1000-registers.js';

const NO_DESCRIPTORS = new Uint8Array(0);

/** One descriptor ring's registers and its per-slot "descriptor done" flags. */
export class Ring {
  baseLow = 0;
  baseHigh = 0;
  lengthBytes = 0;
  /** Ring size in descriptors (lengthBytes / 16). */
  size = 0;
  head = 0;
  tail = 0;
  done: Uint8Array = NO_DESCRIPTORS;

  reset(descriptors: number): void {
    this.baseLow = 0;
    this.baseHigh = 0;
    this.head = 0;
    this.tail = 0;
    this.setLength(descriptors * E1000_DESCRIPTOR_BYTES);
  }

  setLength(bytes: number): void {
    this.lengthBytes = bytes & E1000_XDLEN_MASK;
    this.size = this.lengthBytes / E1000_DESCRIPTOR_BYTES;
    if (this.done.length < this.size) this.done = new Uint8Array(this.size);
    else this.done.fill(0);
  }

  /** Descriptors between head and tail: free buffers (RX) or posted packets (TX). 0 if misprogrammed. */
  owned(): number {
    const { head, tail, size } = this;
    if (tail >= size || head >= size) return 0;
    return head <= tail ? tail - head : size + tail - head;
  }

  /** The NIC finished the descriptor at head: flag it done and move head on. */
  completeHead(): void {
    this.done[this.head] = 1;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
  }

  /** The driver moved tail: the slots it handed (back) to the NIC are no longer done. */
  moveTail(tail: number): void {
    const from = this.tail;
    this.tail = tail;
    const size = this.size;
    if (size === 0 || from >= size || tail >= size) return;
    if (from <= tail) this.done.fill(0, from, tail);
    else {
      this.done.fill(0, from, size);
      this.done.fill(0, 0, tail);
    }
  }
}
