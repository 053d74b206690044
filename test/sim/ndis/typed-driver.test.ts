/**
 * A driver typed once: `defineMiniport<Adapter>` hands it role declarators whose callbacks take the
 * adapter (no casts, role brands intact), and `resourcesOf(parameters, 'e1000')` its registers by
 * name (no `!`, typos do not compile). The `@ts-expect-error` lines are the type test: `tsc` fails
 * when one of them compiles.
 */
import {
  MINIPORT_ISR,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  type MINIPORT_ISR_HANDLER,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import {
  createSimulation,
  defineMiniport,
  E1000Nic,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type E1000Resources,
} from '@ddikit/sim';
import { describe, expect, it } from 'vitest';
import { mapHeadTrackedRings } from '../../../examples/lib/e1000-rings.js';
import { testDriver } from '../drivers.js';
import { FakeDevice } from '../fake-device.js';

interface Adapter {
  readonly regs: E1000Resources['registers'];
  interrupt: NDIS_HANDLE;
  causes: number;
  freeRings: () => void;
}

const ENABLED = e1000.E1000_IMS_RXT0;

const typedDriver = defineMiniport<Adapter>('typed', (ndis, roles) => {
  const take = roles.MINIPORT_SYNCHRONIZE_INTERRUPT('Take', (a) => {
    const pending = a.causes !== 0;
    a.causes = 0;
    return pending;
  });
  const enable = roles.MINIPORT_SYNCHRONIZE_INTERRUPT('Enable', (a) => {
    a.regs.IMS.value = ENABLED;
    return true;
  });
  const disable = roles.MINIPORT_SYNCHRONIZE_INTERRUPT('Disable', (a) => {
    a.regs.IMC.value = 0xffffffff;
    return true;
  });
  const isr = roles.MINIPORT_ISR('TypedIsr', (a, queueDpc) => {
    if ((a.regs.IMS.value & ENABLED) === 0) return false;
    const icr = a.regs.ICR.value;
    if ((icr & ENABLED) === 0) return false;
    a.regs.IMC.value = 0xffffffff;
    a.causes |= icr;
    queueDpc.value = true;
    return true;
  });
  const dpc = roles.MINIPORT_INTERRUPT_DPC('TypedDpc', (a) => {
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, take, a);
    ndis.NdisWriteRegisterUlong(a.regs.RDT0, (a.regs.RDH0.value + 255) % 256);
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
  });
  // The role brand is intact: NDIS's handler type takes what the typed declarator returned …
  const handler: MINIPORT_ISR_HANDLER = isr;
  // … and still refuses a function declared with another role.
  // @ts-expect-error a synchronize function is not a MINIPORT_ISR_HANDLER
  const wrong: MINIPORT_ISR_HANDLER = take;
  void wrong;
  return {
    MiniportInitializeEx: roles.MINIPORT_INITIALIZE('TypedInit', (handle, _context, parameters) => {
      const regs = resourcesOf(parameters, 'e1000').registers;
      // @ts-expect-error the e1000 has no register IMZ
      void regs.IMZ;
      // The NIC receives into descriptor rings in shared memory, as on the hardware.
      const freeRings = mapHeadTrackedRings(ndis, handle, regs, 1, 256);
      if (freeRings === null) return NDIS_STATUS_RESOURCES;
      const a: Adapter = { regs, interrupt: null, causes: 0, freeRings };
      const box = { value: null as NDIS_HANDLE };
      ndis.NdisMRegisterInterruptEx(
        handle,
        a,
        {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: handler,
          InterruptDpcHandler: dpc,
          DisableInterruptHandler: roles.MINIPORT_DISABLE_INTERRUPT('TypedDisable', (x) => {
            x.regs.IMC.value = 0xffffffff;
          }),
          EnableInterruptHandler: roles.MINIPORT_ENABLE_INTERRUPT('TypedEnable', (x) => {
            x.regs.IMS.value = ENABLED;
          }),
          MsiSupported: false,
          MsiSyncWithAllMessages: false,
        },
        box,
      );
      a.interrupt = box.value;
      setMiniportAdapterContext(handle, a);
      ndis.NdisWriteRegisterUlong(regs.RCTL, e1000.E1000_RCTL_EN);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
      return NDIS_STATUS_SUCCESS;
    }),
    MiniportHaltEx: roles.MINIPORT_HALT('TypedHalt', (a) => {
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, disable, a);
      ndis.NdisMDeregisterInterruptEx(a.interrupt);
      a.freeRings();
    }),
  };
});

describe('a driver typed once', () => {
  it('runs clean on the e1000, its callbacks called with the adapter and checked under their roles', () => {
    const sim = createSimulation({
      seed: 3,
      device: new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 90 }),
    });
    const result = sim.run(typedDriver, { ticks: 20_000 });
    expect(result.reports).toEqual([]);
    expect(result.stats.interrupts).toBeGreaterThan(10);
    expect(result.stats.dpcs).toBeGreaterThan(10);
    expect(result.stats.synchronizeCalls).toBeGreaterThan(20);
  });

  it('keeps the untyped form: a factory of (ndis) alone, contexts cast by the driver', () => {
    const untyped = defineMiniport('untyped', (ndis) => {
      const handlers = typedDriver.create(ndis);
      return { MiniportInitializeEx: handlers.MiniportInitializeEx, MiniportHaltEx: handlers.MiniportHaltEx };
    });
    const result = createSimulation({ seed: 3, device: new E1000Nic() }).run(untyped, { ticks: 5_000 });
    expect(result.reports).toEqual([]);
    // The declarators of the typed form are those of @ddikit/ndis.
    let same = false;
    defineMiniport<Adapter>('same', (_ndis, roles) => {
      same = roles.MINIPORT_ISR === MINIPORT_ISR;
      return typedDriver.create(_ndis);
    }).create(createSimulation({ seed: 1, device: new E1000Nic() }).ndis);
    expect(same).toBe(true);
  });

  it('counts the frames the device received, sent and missed, so a driver that loses traffic shows it', () => {
    const device = () => new E1000Nic({ rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 90 });
    const good = createSimulation({ seed: 3, device: device() }).run(typedDriver, { ticks: 20_000 });
    expect(good.stats.frames).toMatchObject({ missed: 0 });
    expect(good.stats.frames!.received).toBeGreaterThan(100);
    // The same driver, its DPC never handing RX descriptors back: no rule broken, frames missed.
    const hoarding = defineMiniport<Adapter>('hoarding', (ndis, roles) => {
      const handlers = typedDriver.create({
        ...ndis,
        NdisWriteRegisterUlong: (register, data) => {
          if ((register as { name?: string }).name !== 'RDT0' || data === 255)
            ndis.NdisWriteRegisterUlong(register, data);
        },
      });
      void roles;
      return handlers;
    });
    const lossy = createSimulation({ seed: 3, device: device() }).run(hoarding, { ticks: 20_000 });
    expect(lossy.reports).toEqual([]);
    expect(lossy.stats.frames!.received).toBeLessThan(256);
    expect(lossy.stats.frames!.missed).toBeGreaterThan(0);
    // A device that moves no frames counts none.
    expect(createSimulation({ seed: 1, device: new FakeDevice() }).run(testDriver(), { ticks: 100 }).stats.frames).toBe(
      null,
    );
  });

  it('names every register of the e1000 model in its register type, and only those', () => {
    expect([...e1000.E1000_REGISTER_NAMES]).toEqual(e1000.NIC_REGISTERS.map((r) => r.name));
  });

  it('refuses the registers of another device than the run’s, with a clear error', () => {
    const sim = createSimulation({ seed: 1, device: new FakeDevice(), mode: 'collect' });
    expect(() => sim.run(typedDriver, { ticks: 100 })).toThrow(
      /resourcesOf: the driver asked for the registers of e1000, but the run's device is fake/,
    );
  });
});
