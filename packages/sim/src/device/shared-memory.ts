/**
 * Memory a driver shares with its bus-master device (NdisMAllocateSharedMemory): descriptor rings
 * and packet buffers. Two parts:
 *
 * - a {@link SharedMemoryBacking} decides where the bytes live and what the driver gets as its
 *   virtual address. The default, {@link ArrayBufferBacking}, gives TypeScript drivers a
 *   {@link SharedMemory} (typed, little-endian views over an ArrayBuffer). A driver compiled to
 *   WebAssembly backs it with the module's linear memory: its virtual address is the linear-memory
 *   offset of a block the module's allocator handed out, and `bytes()` a view of that range;
 * - the {@link DmaSpace} is the bus: it gives each allocation a physical address, and checks every
 *   device access ({@link DeviceDma}) against the live allocations. An access outside them — never
 *   mapped, past the end, or freed — is reported (DMA-UNMAPPED) and does not happen.
 *
 * Physical addresses: page-aligned (4 KiB), starting above 4 GiB so a driver that never programs the
 * high half of a base register (RDBAH) sends the NIC to unmapped memory, and each allocation followed
 * by an unmapped guard page so an off-by-one past a ring's end is caught.
 */
import type { Violation } from '../verifier/violation-sink.js';

/** One block of shared memory, as a backing hands it out. */
export interface SharedMemoryBlock {
  /**
   * What NdisMAllocateSharedMemory stores in `*VirtualAddress`: a {@link SharedMemory} for
   * TypeScript drivers, a linear-memory offset (a number) for a WebAssembly module.
   */
  readonly virtualAddress: unknown;
  /** Bytes in the block. */
  readonly length: number;
  /**
   * The block's bytes as they are now (`length` bytes). Called at every device access: a backing over
   * memory that can move or grow (WebAssembly `memory.grow` detaches views) returns a fresh view.
   */
  bytes(): Uint8Array;
}

/** Where shared memory lives: the one thing that differs between TypeScript and WebAssembly drivers. */
export interface SharedMemoryBacking {
  /** `length` zeroed bytes (1 ≤ length), or null when the backing has no room (the DDI then fails). */
  allocate(length: number): SharedMemoryBlock | null;
  /** Gives back a block {@link allocate} returned; the harness calls it once per block. */
  free(block: SharedMemoryBlock): void;
  /** Every block is gone (a new run). */
  reset(): void;
}

/**
 * A TypeScript driver's view of a block of shared memory: what its `VirtualAddress` holds. Reads
 * and writes are little-endian, as the NIC's descriptors are.
 */
export class SharedMemory {
  readonly bytes: Uint8Array;
  private dataView: DataView | null = null;
  /** `length` zeroed bytes; over `buffer` when given (it is zeroed here, and must be `length` bytes). */
  constructor(
    readonly length: number,
    buffer?: ArrayBuffer,
  ) {
    if (buffer === undefined) this.bytes = new Uint8Array(length);
    else {
      if (buffer.byteLength !== length)
        throw new RangeError(`SharedMemory: a ${length}-byte block over a ${buffer.byteLength}-byte buffer`);
      this.bytes = new Uint8Array(buffer);
      this.bytes.fill(0);
    }
  }
  /** A DataView of the bytes, made on first use (most packet buffers are only ever read by the device). */
  get view(): DataView {
    this.dataView ??= new DataView(this.bytes.buffer);
    return this.dataView;
  }
  getUint8(offset: number): number {
    return this.view.getUint8(offset);
  }
  getUint16(offset: number): number {
    return this.view.getUint16(offset, true);
  }
  getUint32(offset: number): number {
    return this.view.getUint32(offset, true);
  }
  getBigUint64(offset: number): bigint {
    return this.view.getBigUint64(offset, true);
  }
  setUint8(offset: number, value: number): void {
    this.view.setUint8(offset, value);
  }
  setUint16(offset: number, value: number): void {
    this.view.setUint16(offset, value, true);
  }
  setUint32(offset: number, value: number): void {
    this.view.setUint32(offset, value, true);
  }
  setBigUint64(offset: number, value: bigint): void {
    this.view.setBigUint64(offset, value, true);
  }
}

/** Total bytes {@link ArrayBufferBacking} hands out by default (64 MiB). */
export const SHARED_MEMORY_BYTES_DEFAULT = 64 * 1024 * 1024;

/**
 * Shared memory for TypeScript drivers: each block a {@link SharedMemory} over its own ArrayBuffer.
 *
 * A new run takes the buffers of the run before over (zeroed again) instead of allocating its own:
 * a fresh ArrayBuffer of a ring's size comes from the system zeroed page by page, the largest single
 * cost of a short explored run (an eighth of it). Each buffer is transferred away from the block of the run
 * before (`structuredClone` with a transfer list moves it without copying), so that block's views
 * are detached: a driver that kept them from one run into the next reads nothing and writes nothing
 * there (its DataView accesses throw), and can never reach memory another run uses.
 */
export class ArrayBufferBacking implements SharedMemoryBacking {
  private bytesInUse = 0;
  /** The blocks handed out since the last reset (freed ones too: their buffers come back at reset). */
  private handedOut: SharedMemory[] = [];
  /** Buffers the next allocations can take, by length: those of the run before. */
  private spare = new Map<number, ArrayBuffer[]>();
  constructor(private readonly bytesMax: number = SHARED_MEMORY_BYTES_DEFAULT) {}

  allocate(length: number): SharedMemoryBlock | null {
    if (this.bytesInUse + length > this.bytesMax) return null;
    this.bytesInUse += length;
    const memory = new SharedMemory(length, this.spare.get(length)?.pop());
    this.handedOut.push(memory);
    return { virtualAddress: memory, length, bytes: () => memory.bytes };
  }

  free(block: SharedMemoryBlock): void {
    this.bytesInUse -= block.length;
  }

  reset(): void {
    this.bytesInUse = 0;
    // The next run keeps the buffers of this one only: what is spare stays one run's worth.
    const spare = new Map<number, ArrayBuffer[]>();
    for (const memory of this.handedOut) {
      const buffer = memory.bytes.buffer as ArrayBuffer; // SharedMemory makes its bytes over an ArrayBuffer
      if (buffer.byteLength !== memory.length) continue; // detached already
      const moved = structuredClone(buffer, { transfer: [buffer] });
      let list = spare.get(memory.length);
      if (list === undefined) spare.set(memory.length, (list = []));
      list.push(moved);
    }
    this.handedOut = [];
    this.spare = spare;
  }
}

/** What a device uses to reach driver memory (`DeviceHost.dma`). Addresses are physical, as numbers. */
export interface DeviceDma {
  /**
   * The `length` bytes at physical address `address` — a live view, so the device reads what the
   * driver wrote last — or null when the range is not inside one live allocation (reported as
   * DMA-UNMAPPED, naming `what`: `RX descriptor 3`).
   */
  read(address: number, length: number, what: string): Uint8Array | null;
  /** Writes `bytes` at `address`; false (and reported) when the range is not inside one live allocation. */
  write(address: number, bytes: Uint8Array, what: string): boolean;
}

/** Page size of the physical address plan. */
export const DMA_PAGE_BYTES = 4096;
/** The first physical address handed out: above 4 GiB. */
export const DMA_BASE_ADDRESS = 0x1_0000_0000;
/** Largest single allocation (1 GiB). */
export const DMA_ALLOCATION_BYTES_MAX = 0x4000_0000;
/** Freed allocations remembered for "freed at tick …" in reports. */
const FREED_KEPT = 64;

/** A live or freed allocation. */
export interface DmaMapping {
  readonly address: number;
  readonly length: number;
  readonly block: SharedMemoryBlock;
  /** The tick it was freed at (null: live). */
  freedTick: number | null;
}

/** How the DMA space reports (the simulation passes the verifier, when DMA-UNMAPPED is checked). */
export type DmaReport = (violation: Violation) => void;

/** The bus between driver memory and the device: physical addresses and checked device access. */
export class DmaSpace implements DeviceDma {
  /** Live allocations, sorted by address. */
  private live: DmaMapping[] = [];
  private freed: DmaMapping[] = [];
  private nextAddress = DMA_BASE_ADDRESS;
  /**
   * Since the last reset: bytes of the views `read` handed the device (through which it reads, and
   * writes descriptors and frames in place), bytes it wrote with `write`, and accesses refused.
   */
  readonly stats = { bytesRead: 0, bytesWritten: 0, faults: 0 };
  /** Where this run's allocations take their bytes from ({@link useBacking}; else the simulation's). */
  private runBacking: SharedMemoryBacking;

  constructor(
    /** The simulation's backing, which every run starts with. */
    readonly backing: SharedMemoryBacking,
    private readonly nowTicks: () => number,
    /** Where DMA-UNMAPPED goes; null: not checked. */
    public report: DmaReport | null = null,
    /** The device's name, for messages. */
    public deviceName = 'the device',
  ) {
    this.runBacking = backing;
  }

  /** The backing allocations take their bytes from now. */
  get currentBacking(): SharedMemoryBacking {
    return this.runBacking;
  }

  /**
   * Backs this run's allocations with `backing` instead of the simulation's: a driver whose memory is
   * made afresh for each run (a WebAssembly instance) calls it before it allocates. The next
   * {@link reset} goes back to the simulation's backing.
   */
  useBacking(backing: SharedMemoryBacking): void {
    if (this.live.length > 0)
      throw new Error(`DmaSpace.useBacking: ${this.live.length} allocations of the current backing are still live`);
    this.runBacking = backing;
  }

  /** A new run: every allocation gone, the simulation's backing again. */
  reset(): void {
    for (const mapping of this.live) this.runBacking.free(mapping.block);
    this.live = [];
    this.freed = [];
    this.nextAddress = DMA_BASE_ADDRESS;
    this.runBacking.reset();
    if (this.runBacking !== this.backing) {
      this.runBacking = this.backing;
      this.backing.reset();
    }
    this.stats.bytesRead = 0;
    this.stats.bytesWritten = 0;
    this.stats.faults = 0;
  }

  /** Allocates and maps `length` bytes; null when the backing has no room. */
  allocate(length: number): DmaMapping | null {
    const block = this.runBacking.allocate(length);
    if (block === null) return null;
    const address = this.nextAddress;
    const pages = Math.ceil(length / DMA_PAGE_BYTES);
    this.nextAddress = address + (pages + 1) * DMA_PAGE_BYTES; // one unmapped guard page after each
    const mapping: DmaMapping = { address, length, block, freedTick: null };
    this.live.push(mapping); // addresses only grow: the list stays sorted
    return mapping;
  }

  /** The live allocation that starts at `address`, or undefined. */
  mappingAt(address: number): DmaMapping | undefined {
    const mapping = this.find(address);
    return mapping !== undefined && mapping.address === address ? mapping : undefined;
  }

  /** Unmaps and frees a live allocation. */
  free(mapping: DmaMapping): void {
    const index = this.live.indexOf(mapping);
    if (index < 0) return;
    this.live.splice(index, 1);
    mapping.freedTick = this.nowTicks();
    this.freed.push(mapping);
    if (this.freed.length > FREED_KEPT) this.freed.shift();
    this.runBacking.free(mapping.block);
  }

  read(address: number, length: number, what: string): Uint8Array | null {
    const mapping = this.check(address, length, what, 'read');
    if (mapping === null) return null;
    this.stats.bytesRead += length;
    const offset = address - mapping.address;
    return mapping.block.bytes().subarray(offset, offset + length);
  }

  write(address: number, bytes: Uint8Array, what: string): boolean {
    const mapping = this.check(address, bytes.length, what, 'write');
    if (mapping === null) return false;
    this.stats.bytesWritten += bytes.length;
    mapping.block.bytes().set(bytes, address - mapping.address);
    return true;
  }

  /** The live allocation holding `[address, address + length)`, or null after reporting. */
  private check(address: number, length: number, what: string, verb: string): DmaMapping | null {
    const mapping = this.find(address);
    if (mapping !== undefined && address + length <= mapping.address + mapping.length) return mapping;
    this.stats.faults++;
    this.report?.({
      rule: 'DMA-UNMAPPED',
      subject: what.replace(/ \d+$/, ''),
      message: `${this.deviceName} was told to ${verb} ${length} bytes at physical address ${hexAddress(address)} (${what}), ${this.describe(address, length, mapping)}`,
      p2: address % 0x1_0000_0000,
      p3: Math.floor(address / 0x1_0000_0000),
      p4: length,
      site: `${what.replace(/ \d+$/, '')}|${verb}`,
    });
    return null;
  }

  private describe(address: number, length: number, live: DmaMapping | undefined): string {
    if (live !== undefined) {
      return `which runs ${address + length - (live.address + live.length)} bytes past the end of the ${live.length}-byte allocation at ${hexAddress(live.address)}`;
    }
    for (let i = this.freed.length - 1; i >= 0; i--) {
      const freed = this.freed[i]!;
      if (address >= freed.address && address < freed.address + freed.length) {
        return `memory freed with NdisMFreeSharedMemory at tick ${freed.freedTick}`;
      }
    }
    return 'which no NdisMAllocateSharedMemory allocation covers';
  }

  /** The live allocation containing `address` (binary search), or undefined. */
  private find(address: number): DmaMapping | undefined {
    const live = this.live;
    let low = 0;
    let high = live.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const mapping = live[middle]!;
      if (address < mapping.address) high = middle - 1;
      else if (address >= mapping.address + mapping.length) low = middle + 1;
      else return mapping;
    }
    return undefined;
  }
}

/** A physical address as hex, `0x1_0000_2000` style without separators: `0x100002000`. */
export function hexAddress(address: number): string {
  return `0x${address.toString(16).toUpperCase()}`;
}
