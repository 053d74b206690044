/**
 * One descriptor ring of the simulated NIC. Its registers (base, length, head, tail) live in the
 * register file like every other register; the ring reads them from there and keeps what the
 * hardware keeps in descriptor memory: a "descriptor done" flag per slot, standing in for the DD bit
 * the NIC writes back.
 */
import { E1000_DESCRIPTOR_BYTES, E1000_XDLEN_MASK } from './e1000-registers.js';

const NO_DESCRIPTORS = new Uint8Array(0);

/** One descriptor ring: a view of its registers in the register file, and its per-slot "done" flags. */
export class Ring {
  /** Ring size in descriptors (RDLEN / 16), kept in step with the length register. */
  size = 0;
  done: Uint8Array = NO_DESCRIPTORS;

  /** `mac`: the register file; the slots of this ring's length, head and tail registers. */
  constructor(
    private readonly mac: Uint32Array,
    private readonly lengthSlot: number,
    private readonly headSlot: number,
    private readonly tailSlot: number,
  ) {}

  /** The register file was reset: size and flags follow the length register's power-on value. */
  reset(): void {
    this.resize();
  }

  /** The driver wrote the length register. */
  setLength(bytes: number): void {
    this.mac[this.lengthSlot] = bytes & E1000_XDLEN_MASK;
    this.resize();
  }

  private resize(): void {
    this.size = this.mac[this.lengthSlot]! / E1000_DESCRIPTOR_BYTES;
    if (this.done.length < this.size) this.done = new Uint8Array(this.size);
    else this.done.fill(0);
  }

  /** Descriptors between head and tail: free buffers (RX) or posted packets (TX). 0 if misprogrammed. */
  owned(): number {
    const head = this.mac[this.headSlot]!;
    const tail = this.mac[this.tailSlot]!;
    const size = this.size;
    if (tail >= size || head >= size) return 0;
    return head <= tail ? tail - head : size + tail - head;
  }

  /** The NIC finished the descriptor at head: flag it done and move head on. */
  completeHead(): void {
    const head = this.mac[this.headSlot]!;
    this.done[head] = 1;
    this.mac[this.headSlot] = head + 1 === this.size ? 0 : head + 1;
  }

  /** The driver moved tail: the slots it handed (back) to the NIC are no longer done. */
  moveTail(tail: number): void {
    const from = this.mac[this.tailSlot]!;
    this.mac[this.tailSlot] = tail;
    const size = this.size;
    if (size === 0 || from >= size || tail >= size) return;
    if (from <= tail) this.done.fill(0, from, tail);
    else {
      this.done.fill(0, from, size);
      this.done.fill(0, 0, tail);
    }
  }
}
