/**
 * The "ndis" imports of a C driver: wasm arguments → the simulation's NDIS table (`sim.ndis`, with its
 * generated contract checks) → results and out values back into driver driver.memory. Structures are read
 * and written with the wasm32 layouts (records-io.ts); handler fields become role-declared callables.
 */
import type { Box } from '@ddikit/ndis';
import type { DriverRuntime } from './driver-runtime.js';
import { placeName } from './memory-checks.js';
import { readRecord, writeRecord } from './records-io.js';

type Ddi = (...args: never[]) => unknown;

/** Every DDI the C runtime bridges, by name (they read the instance's memory when called, not before). */
export function ddiImports(driver: DriverRuntime): Record<string, Ddi> {
  const n = driver.ndis as unknown as Record<string, (...args: unknown[]) => unknown>;
  const h = (v: number): unknown => driver.handles.fromC(v);
  const lock = (address: number): object => driver.spinLock(address);
  const box = <T>(value: T): Box<T> => ({ value });
  const registerBox: Box<number> = { value: 0 };
  return {
    NdisMRegisterMiniportDriver: (driverObject: number, path: number, context: number, chars: number, out: number) => {
      const handle = box<unknown>(null);
      const characteristics =
        chars === 0 ? null : readRecord(driver.records, 'NDIS_MINIPORT_DRIVER_CHARACTERISTICS', chars);
      const status = n.NdisMRegisterMiniportDriver!(h(driverObject), path, context, characteristics, handle) as number;
      driver.memory.setU32(out, driver.handles.toC(handle.value));
      return status;
    },
    NdisMDeregisterMiniportDriver: (handle: number) => void n.NdisMDeregisterMiniportDriver!(h(handle)),
    NdisMSetMiniportAttributes: (handle: number, attributes: number) =>
      n.NdisMSetMiniportAttributes!(
        h(handle),
        readRecord(driver.records, 'NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES', attributes),
      ) as number,
    NdisMMapIoSpace: (out: number, handle: number, physical: number, length: number) => {
      const va = box(0);
      const status = n.NdisMMapIoSpace!(va, h(handle), driver.memory.i64(physical), length >>> 0) as number;
      driver.memory.setU32(out, va.value);
      return status;
    },
    NdisMUnmapIoSpace: (handle: number, address: number, length: number) =>
      void n.NdisMUnmapIoSpace!(h(handle), address >>> 0, length >>> 0),
    NdisAllocateMemoryWithTagPriority: (handle: number, length: number, tag: number, priority: number) =>
      n.NdisAllocateMemoryWithTagPriority!(h(handle), length >>> 0, tag >>> 0, priority) as number,
    NdisFreeMemory: (address: number, length: number, flags: number) =>
      void n.NdisFreeMemory!(address >>> 0, length >>> 0, flags),
    // VirtualAddress is a PVOID* and PhysicalAddress a PNDIS_PHYSICAL_ADDRESS (a LARGE_INTEGER) to fill in.
    NdisMAllocateSharedMemory: (handle: number, length: number, cached: number, va: number, pa: number) => {
      const virtualAddress = box<unknown>(null);
      const physicalAddress = box(0n);
      n.NdisMAllocateSharedMemory!(h(handle), length >>> 0, (cached & 0xff) !== 0, virtualAddress, physicalAddress);
      driver.memory.setU32(va, typeof virtualAddress.value === 'number' ? virtualAddress.value : 0);
      driver.memory.setU64(pa, physicalAddress.value);
    },
    // The NDIS_PHYSICAL_ADDRESS passed by value arrives, as any union, by address.
    NdisMFreeSharedMemory: (handle: number, length: number, cached: number, va: number, pa: number) =>
      void n.NdisMFreeSharedMemory!(h(handle), length >>> 0, (cached & 0xff) !== 0, va >>> 0, driver.memory.u64(pa)),
    NdisMRegisterInterruptEx: (adapter: number, context: number, chars: number, out: number) => {
      const handle = box<unknown>(null);
      const characteristics = readRecord(driver.records, 'NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS', chars);
      const status = n.NdisMRegisterInterruptEx!(h(adapter), context >>> 0, characteristics, handle) as number;
      // NDIS writes back what it granted.
      writeRecord(driver.records, 'NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS', chars, {
        InterruptType: characteristics['InterruptType'] ?? 0,
        MessageInfoTable: characteristics['MessageInfoTable'] ?? null,
      });
      driver.memory.setU32(out, driver.handles.toC(handle.value));
      return status;
    },
    NdisMDeregisterInterruptEx: (handle: number) => void n.NdisMDeregisterInterruptEx!(h(handle)),
    NdisMSynchronizeWithInterruptEx: (handle: number, messageId: number, fn: number, context: number) =>
      n.NdisMSynchronizeWithInterruptEx!(
        h(handle),
        messageId >>> 0,
        driver.handler(fn, 'MINIPORT_SYNCHRONIZE_INTERRUPT', 'SynchronizeFunction'),
        context >>> 0,
      )
        ? 1
        : 0,
    NdisMQueueDpcEx: (handle: number, messageId: number, targetProcessors: number, context: number) => {
      const target = targetProcessors === 0 ? null : readRecord(driver.records, 'GROUP_AFFINITY', targetProcessors);
      const queued = n.NdisMQueueDpcEx!(h(handle), messageId >>> 0, target, context >>> 0);
      return typeof queued === 'bigint' ? queued : BigInt((queued as number | undefined) ?? 0);
    },
    // The timer function becomes a role-declared callable (readRecord); the handle an opaque number.
    NdisAllocateTimerObject: (handle: number, chars: number, out: number) => {
      const timer = box<unknown>(null);
      const characteristics = chars === 0 ? null : readRecord(driver.records, 'NDIS_TIMER_CHARACTERISTICS', chars);
      const status = n.NdisAllocateTimerObject!(h(handle), characteristics, timer) as number;
      driver.memory.setU32(out, driver.handles.toC(timer.value));
      return status;
    },
    // DueTime, a LARGE_INTEGER passed by value, arrives as any union does: by address. A NULL
    // FunctionContext means the characteristics' one.
    NdisSetTimerObject: (timer: number, dueTime: number, period: number, context: number) =>
      n.NdisSetTimerObject!(h(timer), driver.memory.i64(dueTime), period, context === 0 ? null : context >>> 0) ? 1 : 0,
    NdisSetCoalescableTimerObject: (
      timer: number,
      dueTime: number,
      period: number,
      context: number,
      tolerance: number,
    ) =>
      n.NdisSetCoalescableTimerObject!(
        h(timer),
        driver.memory.i64(dueTime),
        period,
        context === 0 ? null : context >>> 0,
        tolerance >>> 0,
      )
        ? 1
        : 0,
    NdisCancelTimerObject: (timer: number) => (n.NdisCancelTimerObject!(h(timer)) ? 1 : 0),
    NdisFreeTimerObject: (timer: number) => void n.NdisFreeTimerObject!(h(timer)),
    NdisAllocateSpinLock: (address: number) => {
      const allocated = lock(address);
      n.NdisAllocateSpinLock!(allocated);
      // Reports name the lock by where the driver keeps it, as they name the fields (`Cnto#5->TxLock`,
      // `Cnto#5+0x40`): the NDIS_SPIN_LOCK as a whole, not its first member.
      const place = placeName(driver, address, true);
      if (place !== '') driver.sim.locks.nameByPlace(allocated, place);
    },
    NdisFreeSpinLock: (address: number) => n.NdisFreeSpinLock!(lock(address)),
    NdisAcquireSpinLock: (address: number) => n.NdisAcquireSpinLock!(lock(address)),
    NdisReleaseSpinLock: (address: number) => n.NdisReleaseSpinLock!(lock(address)),
    NdisDprAcquireSpinLock: (address: number) => n.NdisDprAcquireSpinLock!(lock(address)),
    NdisDprReleaseSpinLock: (address: number) => n.NdisDprReleaseSpinLock!(lock(address)),
    NdisStallExecution: (microseconds: number) => n.NdisStallExecution!(microseconds >>> 0),
    NdisReadRegisterUlong: (register: number, data: number) => {
      n.NdisReadRegisterUlong!(driver.register(register), registerBox);
      driver.memory.setU32(data, registerBox.value);
    },
    NdisWriteRegisterUlong: (register: number, data: number) =>
      n.NdisWriteRegisterUlong!(driver.register(register), data >>> 0),
  };
}
