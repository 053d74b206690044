/**
 * The driver's linear memory as the host sees it, and the pool the host allocates in it.
 *
 * Views: `memory.grow` detaches the old ArrayBuffer, so every access checks that its view is over the
 * current buffer (one compare) and re-creates it after growth.
 *
 * Pool: NDIS memory (NdisAllocateMemoryWithTagPriority), shared memory (NdisMAllocateSharedMemory,
 * shared-memory.ts) and the structures the harness hands the driver (NDIS_MINIPORT_INIT_PARAMETERS,
 * the resource list, …) come from one allocator in the host,
 * over [__heap_base, end of memory), growing memory as needed. The host allocates rather than a C
 * runtime in the module because the verifier needs every block anyway — tag, size, owner, freed —
 * for leak reports at halt, double frees and, with memory instrumentation, overruns and
 * use-after-free. Each block is followed by a 16-byte red zone that is never handed out, and freed
 * blocks are not reused within a run (quarantine), so an overrun or a stale pointer lands in memory
 * no live block owns.
 */

export const POOL_ALIGN = 16;
export const RED_ZONE_BYTES = 16;
const PAGE_BYTES = 65536;

export class DriverMemory {
  private buffer: ArrayBuffer;
  private view: DataView;
  bytes: Uint8Array;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this.view = new DataView(this.buffer);
    this.bytes = new Uint8Array(this.buffer);
  }

  /** Current size in bytes. */
  get size(): number {
    return this.memory.buffer.byteLength;
  }

  private fresh(): DataView {
    if (this.memory.buffer !== this.buffer) {
      this.buffer = this.memory.buffer;
      this.view = new DataView(this.buffer);
      this.bytes = new Uint8Array(this.buffer);
    }
    return this.view;
  }

  u8(address: number): number {
    return this.fresh().getUint8(address);
  }
  u16(address: number): number {
    return this.fresh().getUint16(address, true);
  }
  u32(address: number): number {
    return this.fresh().getUint32(address, true);
  }
  i32(address: number): number {
    return this.fresh().getInt32(address, true);
  }
  u64(address: number): bigint {
    return this.fresh().getBigUint64(address, true);
  }
  i64(address: number): bigint {
    return this.fresh().getBigInt64(address, true);
  }
  setU8(address: number, value: number): void {
    this.fresh().setUint8(address, value);
  }
  setU16(address: number, value: number): void {
    this.fresh().setUint16(address, value, true);
  }
  setU32(address: number, value: number): void {
    this.fresh().setUint32(address, value >>> 0, true);
  }
  setU64(address: number, value: bigint): void {
    this.fresh().setBigUint64(address, value, true);
  }
  /** The `length` bytes at `address`, over the current buffer (a view made after any growth). */
  range(address: number, length: number): Uint8Array {
    this.fresh();
    return this.bytes.subarray(address, address + length);
  }
  fill(address: number, length: number, value = 0): void {
    this.fresh();
    this.bytes.fill(value, address, address + length);
  }
}

/**
 * Who a block is for: the driver's pool memory (NdisAllocateMemoryWithTagPriority, freed with
 * NdisFreeMemory), memory it shares with the NIC (NdisMAllocateSharedMemory, freed with
 * NdisMFreeSharedMemory), or a structure the harness placed.
 */
export type PoolOwner = 'driver' | 'shared' | 'harness';

/** A block of the pool. */
export interface PoolBlock {
  readonly address: number;
  readonly size: number;
  /** The pool tag as the driver wrote it (`'otnC'` reads "Cnto"), or the harness's label. */
  readonly tag: string;
  readonly owner: PoolOwner;
  freed: boolean;
  /** A serial number, for reports. */
  readonly serial: number;
}

/** Where an address falls relative to the pool. */
export type PoolHit =
  | { readonly kind: 'outside' }
  | { readonly kind: 'live'; readonly block: PoolBlock; readonly offset: number }
  | { readonly kind: 'freed'; readonly block: PoolBlock; readonly offset: number }
  | { readonly kind: 'overrun'; readonly block: PoolBlock; readonly offset: number }
  | { readonly kind: 'unallocated' };

export class Pool {
  /** Blocks in address order (allocation only moves up: addresses are sorted by construction). */
  readonly blocks: PoolBlock[] = [];
  private next: number;
  private serial = 0;
  readonly base: number;

  constructor(
    private readonly memory: DriverMemory,
    heapBase: number,
    private readonly bytesMax: number,
  ) {
    this.base = Math.ceil(heapBase / POOL_ALIGN) * POOL_ALIGN;
    this.next = this.base;
  }

  /** Allocates `size` zeroed bytes; 0 when the pool is exhausted (as NDIS returns NULL). */
  allocate(size: number, tag: string, owner: PoolOwner): number {
    if (!Number.isInteger(size) || size <= 0) return 0;
    const address = this.next;
    const end = address + Math.ceil(size / POOL_ALIGN) * POOL_ALIGN + RED_ZONE_BYTES;
    if (end > this.bytesMax) return 0;
    const grow = end - this.memory.size;
    if (grow > 0) this.memory.memory.grow(Math.ceil(grow / PAGE_BYTES));
    this.next = end;
    this.memory.fill(address, end - address, 0);
    this.blocks.push({ address, size, tag, owner, freed: false, serial: ++this.serial });
    return address;
  }

  /** The block that starts at `address`, or undefined. */
  blockAt(address: number): PoolBlock | undefined {
    const i = this.search(address);
    const block = i >= 0 ? this.blocks[i] : undefined;
    return block !== undefined && block.address === address ? block : undefined;
  }

  /** Classifies an address: inside a live or freed block, in a red zone after one, or outside the pool. */
  classify(address: number): PoolHit {
    if (address < this.base || address >= this.next) return { kind: 'outside' };
    const i = this.search(address);
    if (i < 0) return { kind: 'unallocated' };
    const block = this.blocks[i]!;
    const offset = address - block.address;
    if (offset >= block.size) return { kind: 'overrun', block, offset };
    return block.freed ? { kind: 'freed', block, offset } : { kind: 'live', block, offset };
  }

  /** The last block starting at or below `address`, by binary search; -1 if none. */
  private search(address: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.blocks[mid]!.address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Blocks the driver allocated and did not free. */
  leaks(): PoolBlock[] {
    return this.blocks.filter((b) => b.owner === 'driver' && !b.freed);
  }

  /** First address past the pool. */
  get end(): number {
    return this.next;
  }
}

/**
 * A pool tag as text: the ULONG's bytes in memory order (`'otnC'` → "Cnto"). A shorter tag leaves
 * NUL bytes at its end (`'baF'` → "Fab"): they are not shown. Any other byte that is not printable
 * ASCII shows as '.'.
 */
export function tagText(tag: number): string {
  let length = 4;
  while (length > 1 && ((tag >>> (8 * (length - 1))) & 0xff) === 0) length--;
  let out = '';
  for (let i = 0; i < length; i++) {
    const c = (tag >>> (8 * i)) & 0xff;
    out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return out;
}
