/**
 * NdisMAllocateSharedMemory and NdisMFreeSharedMemory: memory the driver shares with its bus-master
 * NIC. Each allocation gets its bytes from the simulation's {@link SharedMemoryBacking} (typed views
 * for TypeScript drivers, linear memory for WebAssembly modules) and a physical address from the
 * {@link DmaSpace}, which checks every DMA of the device against the live allocations.
 */
import type { NdisFunctions } from '@ddikit/ndis';
import type { DmaSpace } from '../device/shared-memory.js';
import { DMA_ALLOCATION_BYTES_MAX, hexAddress } from '../device/shared-memory.js';
import { ddiInfo } from '../verifier/contract-table.js';
import type { ViolationSink } from '../verifier/violation-sink.js';
import type { RoleMonitor } from '../kernel/role-monitor.js';
import { isAdapter } from './adapter.js';

const ALLOCATE = ddiInfo('NdisMAllocateSharedMemory');
const FREE = ddiInfo('NdisMFreeSharedMemory');

export type SharedMemoryDdi = 'NdisMAllocateSharedMemory' | 'NdisMFreeSharedMemory';

/** What the shared-memory DDIs need besides the core: the DMA space and where to report. */
export interface SharedMemoryCore {
  readonly dma: DmaSpace;
  readonly sink: ViolationSink | null;
}

/** The part of the NDIS core (ndis-ddis.ts) the shared-memory DDIs use. */
interface CheckingCore {
  readonly checks: boolean;
  readonly monitor: RoleMonitor;
  fail(message: string): never;
}

/** The two DDIs over `core`. */
export function sharedMemoryDdis(core: CheckingCore, shared: SharedMemoryCore): Pick<NdisFunctions, SharedMemoryDdi> {
  const { monitor } = core;
  const { dma } = shared;
  return {
    NdisMAllocateSharedMemory(MiniportAdapterHandle, Length, Cached, VirtualAddress, PhysicalAddress): void {
      if (core.checks) monitor.checkDdi(ALLOCATE, 0);
      if (!isAdapter(MiniportAdapterHandle))
        core.fail('NdisMAllocateSharedMemory: MiniportAdapterHandle is not the handle MiniportInitializeEx received');
      if (!Number.isInteger(Length) || Length < 1 || Length > DMA_ALLOCATION_BYTES_MAX)
        core.fail(
          `NdisMAllocateSharedMemory: Length must be an integer in 1..${DMA_ALLOCATION_BYTES_MAX} (got ${String(Length)})`,
        );
      if (typeof Cached !== 'boolean') core.fail('NdisMAllocateSharedMemory: Cached must be TRUE or FALSE');
      const mapping = dma.allocate(Length);
      VirtualAddress.value = mapping === null ? null : mapping.block.virtualAddress;
      PhysicalAddress.value = mapping === null ? 0n : BigInt(mapping.address);
    },
    NdisMFreeSharedMemory(MiniportAdapterHandle, Length, Cached, VirtualAddress, PhysicalAddress): void {
      if (core.checks) monitor.checkDdi(FREE, 0);
      if (!isAdapter(MiniportAdapterHandle))
        core.fail('NdisMFreeSharedMemory: MiniportAdapterHandle is not the handle MiniportInitializeEx received');
      if (typeof PhysicalAddress !== 'bigint') core.fail('NdisMFreeSharedMemory: PhysicalAddress must be a bigint');
      const address = Number(PhysicalAddress);
      const mapping = dma.mappingAt(address);
      const mismatch =
        mapping === undefined
          ? `no live allocation starts at physical address ${hexAddress(address)}`
          : mapping.length !== Length
            ? `the allocation at ${hexAddress(address)} is ${mapping.length} bytes, not ${String(Length)}`
            : mapping.block.virtualAddress !== VirtualAddress
              ? `VirtualAddress is not the one returned for ${hexAddress(address)}`
              : null;
      if (mismatch !== null) {
        // A free of memory never allocated (or freed twice): reported, and nothing is freed.
        if (core.checks && shared.sink?.enabled('DMA-UNMAPPED') === true)
          shared.sink.report({
            rule: 'DMA-UNMAPPED',
            subject: FREE.name,
            message: `NdisMFreeSharedMemory(${String(Length)} bytes at ${hexAddress(address)}): ${mismatch}`,
            p2: address % 0x1_0000_0000,
            p3: Math.floor(address / 0x1_0000_0000),
            p4: typeof Length === 'number' ? Length : 0,
            site: 'free',
          });
        return;
      }
      void Cached;
      dma.free(mapping!);
    },
  };
}
