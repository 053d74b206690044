/**
 * Shared memory and DMA: NdisMAllocateSharedMemory hands out a typed view and a physical address
 * (page-aligned, above 4 GiB, a guard page after each allocation); NdisMFreeSharedMemory unmaps it;
 * the device reaches only live allocations, and anything else is DMA-UNMAPPED. The backing is
 * pluggable: a WebAssembly runtime passes one over its module's linear memory.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import {
  ArrayBufferBacking,
  createSimulation,
  DMA_BASE_ADDRESS,
  DMA_PAGE_BYTES,
  DmaSpace,
  defineMiniport,
  E1000Nic,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  SharedMemory,
  type MiniportDefinition,
  type SharedMemoryBacking,
  type SharedMemoryBlock,
  type Violation,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { allocateRing, freeRing, programRxRing, ringRegisters, type Ring } from '../../../examples/lib/e1000-rings.js';

describe('DmaSpace', () => {
  function space(backing: SharedMemoryBacking = new ArrayBufferBacking()) {
    const reports: Violation[] = [];
    const clock = { now: 0 };
    const dma = new DmaSpace(
      backing,
      () => clock.now,
      (v) => reports.push(v),
      'nic',
    );
    return { dma, reports, clock };
  }

  it('hands out page-aligned physical addresses above 4 GiB, a guard page after each allocation', () => {
    const { dma } = space();
    const a = dma.allocate(100)!;
    const b = dma.allocate(DMA_PAGE_BYTES)!;
    const c = dma.allocate(1)!;
    expect(a.address).toBe(DMA_BASE_ADDRESS);
    expect(b.address).toBe(DMA_BASE_ADDRESS + 2 * DMA_PAGE_BYTES);
    expect(c.address).toBe(DMA_BASE_ADDRESS + 4 * DMA_PAGE_BYTES);
    expect(a.block.virtualAddress).toBeInstanceOf(SharedMemory);
  });

  it('lets the device read what the driver wrote, and the driver see what the device wrote', () => {
    const { dma, reports } = space();
    const mapping = dma.allocate(64)!;
    const memory = mapping.block.virtualAddress as SharedMemory;
    memory.setUint32(8, 0xdeadbeef);
    const bytes = dma.read(mapping.address + 8, 4, 'RX descriptor 0')!;
    expect([...bytes]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(dma.write(mapping.address + 60, Uint8Array.of(1, 2, 3, 4), 'RX buffer 0')).toBe(true);
    expect(memory.getUint32(60)).toBe(0x04030201);
    expect(reports).toEqual([]);
  });

  it.each([
    {
      given: 'an address no allocation covers',
      at: (base: number) => base - 16,
      length: 16,
      want: /which no NdisMAllocateSharedMemory allocation covers$/,
    },
    {
      given: 'a range past the end',
      at: (base: number) => base + 60,
      length: 8,
      want: /runs 4 bytes past the end of the 64-byte allocation at 0x100000000$/,
    },
    {
      given: 'the guard page',
      at: (base: number) => base + DMA_PAGE_BYTES,
      length: 4,
      want: /which no NdisMAllocateSharedMemory allocation covers$/,
    },
  ])('reports DMA-UNMAPPED for $given, and moves no byte', ({ at, length, want }) => {
    const { dma, reports } = space();
    const mapping = dma.allocate(64)!;
    expect(dma.read(at(mapping.address), length, 'RX descriptor 3')).toBeNull();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.rule).toBe('DMA-UNMAPPED');
    expect(reports[0]!.subject).toBe('RX descriptor');
    expect(reports[0]!.p4).toBe(length);
    expect(reports[0]!.message).toMatch(want);
    expect(dma.stats.faults).toBe(1);
  });

  it('reports memory freed with NdisMFreeSharedMemory, with the tick it was freed at', () => {
    const { dma, reports, clock } = space();
    const mapping = dma.allocate(64)!;
    clock.now = 42;
    dma.free(mapping);
    expect(dma.write(mapping.address, Uint8Array.of(1), 'RX buffer 0')).toBe(false);
    expect(reports[0]!.message).toMatch(/memory freed with NdisMFreeSharedMemory at tick 42$/);
    expect(reports[0]!.p2).toBe(0);
    expect(reports[0]!.p3).toBe(1);
  });

  it('takes its bytes from the backing it is given, asking for a fresh view at every access', () => {
    // A backing over one growable memory, as a WebAssembly module's linear memory is.
    let memory = new Uint8Array(256);
    let views = 0;
    const backing: SharedMemoryBacking = {
      allocate: (length: number): SharedMemoryBlock => {
        const offset = 128;
        return {
          virtualAddress: offset,
          length,
          bytes: () => (views++, memory.subarray(offset, offset + length)),
        };
      },
      free: () => {},
      reset: () => {},
    };
    const { dma } = space(backing);
    const mapping = dma.allocate(16)!;
    expect(mapping.block.virtualAddress).toBe(128);
    dma.write(mapping.address, Uint8Array.of(7), 'RX buffer 0');
    const grown = new Uint8Array(512); // memory.grow: the old buffer is gone, the bytes moved
    grown.set(memory);
    memory = grown;
    expect(dma.read(mapping.address, 1, 'RX buffer 0')![0]).toBe(7);
    expect(views).toBe(2);
  });

  it("backs one run with a driver's own memory, then goes back to the simulation's backing", () => {
    const calls: string[] = [];
    const runBacking: SharedMemoryBacking = {
      allocate: (length: number): SharedMemoryBlock => {
        calls.push(`allocate ${length}`);
        const bytes = new Uint8Array(length);
        return { virtualAddress: 0x1000, length, bytes: () => bytes };
      },
      free: (block) => calls.push(`free ${block.length}`),
      reset: () => calls.push('reset'),
    };
    const { dma } = space();
    dma.useBacking(runBacking);
    const mapping = dma.allocate(32)!;
    expect(mapping.block.virtualAddress).toBe(0x1000);
    expect(() => dma.useBacking(new ArrayBufferBacking())).toThrow(
      'DmaSpace.useBacking: 1 allocations of the current backing are still live',
    );
    dma.reset();
    expect(calls).toEqual(['allocate 32', 'free 32', 'reset']);
    expect(dma.currentBacking).toBe(dma.backing);
    expect(dma.allocate(8)!.block.virtualAddress).toBeInstanceOf(SharedMemory);
  });

  it('returns null when the backing is full', () => {
    const { dma } = space(new ArrayBufferBacking(100));
    expect(dma.allocate(64)).not.toBeNull();
    expect(dma.allocate(64)).toBeNull();
  });

  it('gives a new run zeroed memory, over the buffers of the run before, whose blocks no longer reach them', () => {
    const { dma } = space();
    const before = dma.allocate(4096)!.block.virtualAddress as SharedMemory;
    const freedBefore = dma.allocate(64)!;
    before.setUint32(4092, 0xdeadbeef);
    before.bytes.fill(0xa5, 0, 100);
    (freedBefore.block.virtualAddress as SharedMemory).bytes.fill(0x5a);
    dma.free(freedBefore);
    const buffer = before.bytes.buffer;
    // After the run, until the next one starts, what the driver and device wrote is still there.
    expect(before.getUint32(4092)).toBe(0xdeadbeef);
    dma.reset();
    const after = dma.allocate(4096)!.block.virtualAddress as SharedMemory;
    const small = dma.allocate(64)!.block.virtualAddress as SharedMemory;
    expect(after.bytes.every((byte) => byte === 0)).toBe(true);
    expect(small.bytes.every((byte) => byte === 0)).toBe(true);
    expect(after.length).toBe(4096);
    // The earlier block's views are detached: a driver that kept them cannot reach this run's memory.
    expect(before.bytes.length).toBe(0);
    expect(buffer.byteLength).toBe(0);
    before.bytes[0] = 1;
    expect(after.bytes[0]).toBe(0);
    expect(() => before.setUint32(0, 1)).toThrow(TypeError);
    // A size the run before did not use is allocated afresh.
    expect((dma.allocate(100)!.block.virtualAddress as SharedMemory).bytes.length).toBe(100);
  });

  it('refuses a buffer of another length than the block', () => {
    expect(() => new SharedMemory(8, new ArrayBuffer(16))).toThrow(
      'SharedMemory: a 8-byte block over a 16-byte buffer',
    );
    const memory = new SharedMemory(4, new Uint8Array([1, 2, 3, 4]).buffer);
    expect([...memory.bytes]).toEqual([0, 0, 0, 0]);
  });
});

/** How the test driver sets its RX ring up. */
type Variant = 'correct' | 'no high half' | 'null buffer' | 'free while running' | 'free twice';

/** A line driver with one RX ring; `variant` puts one DMA bug in. */
function ringDriver(variant: Variant): MiniportDefinition {
  interface A {
    handle: NDIS_HANDLE;
    regs: ReturnType<typeof resourcesOf>['registers'];
    interrupt: NDIS_HANDLE;
    ring: Ring;
  }
  return defineMiniport(`dma-${variant}`, (ndis) => {
    const isr = MINIPORT_ISR('Isr', (c, queueDpc) => {
      const a = c as A;
      if ((a.regs.ICR!.value & e1000.E1000_ICR_RXT0) === 0) return false;
      queueDpc.value = true;
      return true;
    });
    const dpc = MINIPORT_INTERRUPT_DPC('Dpc', () => {});
    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE('Init', (handle, _c, parameters) => {
        const regs = resourcesOf(parameters).registers;
        const ring = allocateRing(ndis, handle, 8, 2048)!;
        const a: A = { handle, regs, interrupt: null, ring };
        if (variant === 'null buffer') ring.descriptors.setBigUint64(2 * 16, 0n);
        programRxRing(ringRegisters(regs, 'RD', 0), ring);
        if (variant === 'no high half') regs.RDBAH0!.value = 0;
        const box = { value: null as NDIS_HANDLE };
        ndis.NdisMRegisterInterruptEx(
          handle,
          a,
          {
            Header: {
              Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
              Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1,
              Size: 0,
            },
            InterruptHandler: isr,
            InterruptDpcHandler: dpc,
            DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('D', () => {}),
            EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('E', () => {}),
            MsiSupported: false,
            MsiSyncWithAllMessages: false,
          },
          box,
        );
        a.interrupt = box.value;
        setMiniportAdapterContext(handle, a);
        regs.RCTL!.value = e1000.E1000_RCTL_EN;
        regs.IMS!.value = e1000.E1000_IMS_RXT0;
        if (variant === 'free while running') freeRing(ndis, handle, ring);
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('Halt', (c) => {
        const a = c as A;
        a.regs.IMC!.value = 0xffffffff;
        a.regs.RCTL!.value = 0;
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
        if (variant !== 'free while running') freeRing(ndis, a.handle, a.ring);
        if (variant === 'free twice') freeRing(ndis, a.handle, a.ring);
      }),
    };
  });
}

function run(variant: Variant, mode: 'bugcheck' | 'collect' = 'collect') {
  const sim = createSimulation({ seed: 1, device: new E1000Nic(), mode });
  return sim.run(ringDriver(variant), { ticks: 2_000 });
}

describe('DMA-UNMAPPED', () => {
  it('stays quiet when rings and buffers lie inside live allocations, and frames arrive', () => {
    const nic = new E1000Nic();
    const result = createSimulation({ seed: 1, device: nic }).run(ringDriver('correct'), { ticks: 2_000 });
    expect(result.reports).toEqual([]);
    expect(nic.stats.packetsReceived).toBeGreaterThan(0);
  });

  it.each([
    {
      variant: 'no high half',
      subject: 'RX descriptor',
      message: /at physical address 0x0 \(RX descriptor 0\), which no/,
    },
    { variant: 'null buffer', subject: 'RX buffer', message: /at physical address 0x0 \(RX buffer 2\)/ },
    {
      variant: 'free while running',
      subject: 'RX descriptor',
      message: /freed with NdisMFreeSharedMemory at tick \d+$/,
    },
    {
      variant: 'free twice',
      subject: 'NdisMFreeSharedMemory',
      message: /no live allocation starts at physical address 0x1/,
    },
  ] as const)(
    'fires for $variant: 0xE6 / 0xDD08 in bugcheck mode, once per site in collect mode',
    ({ variant, subject, message }) => {
      const stopped = run(variant, 'bugcheck').bugCheck!;
      expect(stopped.rule).toBe('DMA-UNMAPPED');
      expect(stopped.bugCheck!.code).toBe(0xe6);
      expect(stopped.bugCheck!.parameters[0]).toBe(0xdd08);
      expect(stopped.subject).toBe(subject);
      expect(stopped.message).toMatch(message);
      const collected = run(variant);
      expect(collected.reports.map((r) => r.rule)).toEqual(['DMA-UNMAPPED']);
      expect(collected.halted).toBe(true);
    },
  );
});

describe('NdisMAllocateSharedMemory', () => {
  it('fails with a clear error for a Length that is not a positive integer', () => {
    const driver = defineMiniport('bad-length', (ndis) => ({
      MiniportInitializeEx: MINIPORT_INITIALIZE('Init', (handle) => {
        ndis.NdisMAllocateSharedMemory(handle, 0, false, { value: null }, { value: 0n });
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('Halt', () => {}),
    }));
    expect(() => createSimulation({ seed: 1, device: new E1000Nic() }).run(driver, { ticks: 10 })).toThrow(
      /NdisMAllocateSharedMemory: Length must be an integer in 1\.\.1073741824 \(got 0\) — in Init \(MINIPORT_INITIALIZE\) at test\/sim\/device\/shared-memory\.test\.ts:325:14 \(seed=1 tick=\d+\)/,
    );
  });

  it('is checked against its contract: PASSIVE_LEVEL only (IRQL-CALL from a DPC)', () => {
    const driver = defineMiniport('dpc-alloc', (ndis) => {
      const isr = MINIPORT_ISR('Isr', (_c, queueDpc) => ((queueDpc.value = true), true));
      const dpc = MINIPORT_INTERRUPT_DPC('Dpc', (c) => {
        ndis.NdisMAllocateSharedMemory(
          (c as { handle: NDIS_HANDLE }).handle,
          64,
          false,
          { value: null },
          { value: 0n },
        );
      });
      return {
        MiniportInitializeEx: MINIPORT_INITIALIZE('Init', (handle, _c, parameters) => {
          const a = { handle, interrupt: null as NDIS_HANDLE };
          const regs = resourcesOf(parameters).registers;
          const box = { value: null as NDIS_HANDLE };
          ndis.NdisMRegisterInterruptEx(
            handle,
            a,
            {
              Header: {
                Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
                Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1,
                Size: 0,
              },
              InterruptHandler: isr,
              InterruptDpcHandler: dpc,
              DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT('D', () => {}),
              EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT('E', () => {}),
              MsiSupported: false,
              MsiSyncWithAllMessages: false,
            },
            box,
          );
          a.interrupt = box.value;
          setMiniportAdapterContext(handle, a);
          regs.IMS!.value = e1000.E1000_IMS_LSC;
          regs.ICS!.value = e1000.E1000_ICS_LSC;
          return NDIS_STATUS_SUCCESS;
        }),
        MiniportHaltEx: MINIPORT_HALT('Halt', (c) =>
          ndis.NdisMDeregisterInterruptEx((c as { interrupt: NDIS_HANDLE }).interrupt),
        ),
      };
    });
    const result = createSimulation({ seed: 1, device: new E1000Nic(), mode: 'bugcheck' }).run(driver, { ticks: 500 });
    expect(result.bugCheck?.rule).toBe('IRQL-CALL');
    expect(result.bugCheck?.subject).toBe('NdisMAllocateSharedMemory');
  });
});
