/**
 * Shared memory (NdisMAllocateSharedMemory) of a C driver: blocks of the driver's own linear memory,
 * so the NIC's DMA reads and writes the bytes the C code sees through its pointers.
 *
 * A block comes from the instance's pool (memory.ts) as a `shared` block: the memory checks treat it
 * as the driver's memory while it is allocated and report an access after NdisMFreeSharedMemory as a
 * use after free, an access past its end as an overrun; it is never handed out again in the run. The
 * driver's VirtualAddress is the block's linear-memory address; `bytes()` makes its view at every
 * device access, since `memory.grow` (a later pool allocation) detaches the old buffer.
 */
import type { SharedMemoryBacking, SharedMemoryBlock } from '@ddikit/sim';
import type { DriverMemory, Pool } from './memory.js';

/** The pool tag shared blocks carry in reports. */
export const SHARED_MEMORY_TAG = 'SharedMemory';

/** A {@link SharedMemoryBacking} over one run's instance: its pool and linear memory. */
export class LinearMemoryBacking implements SharedMemoryBacking {
  constructor(
    private readonly memory: DriverMemory,
    private readonly pool: Pool,
  ) {}

  allocate(length: number): SharedMemoryBlock | null {
    const address = this.pool.allocate(length, SHARED_MEMORY_TAG, 'shared');
    if (address === 0) return null;
    const memory = this.memory;
    return { virtualAddress: address, length, bytes: () => memory.range(address, length) };
  }

  free(block: SharedMemoryBlock): void {
    const found = this.pool.blockAt(block.virtualAddress as number);
    if (found !== undefined && found.owner === 'shared') found.freed = true;
  }

  reset(): void {
    // The instance is made afresh for every run: nothing outlives it.
  }
}
