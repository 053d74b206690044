/**
 * The harness with the e1000 model: a small line-based miniport (the ISR reads ICR, masks with IMC
 * and queues the DPC; the DPC takes the causes and re-enables IMS through
 * NdisMSynchronizeWithInterruptEx and hands RX descriptors back) runs clean across seeds and receives
 * packets; the same miniport with an ISR that takes a spin lock is caught.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
  type NDIS_SPIN_LOCK,
} from '@ddikit/ndis';
import {
  createSimulation,
  defineMiniport,
  E1000Nic,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type SimResources,
} from '@ddikit/sim';
import { mapHeadTrackedRings } from '../../../../examples/lib/e1000-rings.js';
import { describe, expect, it } from 'vitest';

interface Adapter {
  resources: SimResources;
  interrupt: NDIS_HANDLE;
  lock: NDIS_SPIN_LOCK;
  causes: number;
  received: number;
}

const RING = 256;
const ENABLED = e1000.E1000_IMS_RXT0 | e1000.E1000_IMS_RXO | e1000.E1000_IMS_LSC | e1000.E1000_IMS_RXDMT0;

function lineMiniport(options: { isrTakesLock?: boolean } = {}) {
  return defineMiniport('e1000-line', (ndis) => {
    const takeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('TakeCauses', (context) => {
      const a = context as Adapter;
      const causes = a.causes;
      a.causes = 0;
      a.received = causes; // handed back through the adapter (BOOLEAN return only)
      return causes !== 0;
    });
    const enable = MINIPORT_SYNCHRONIZE_INTERRUPT('EnableInterrupts', (context) => {
      (context as Adapter).resources.registers.IMS!.value = ENABLED;
      return true;
    });
    const isr = MINIPORT_ISR('E1000Isr', (context, queueDpc) => {
      const a = context as Adapter;
      if (options.isrTakesLock) ndis.NdisDprAcquireSpinLock(a.lock);
      const icr = a.resources.registers.ICR!.value;
      if (options.isrTakesLock) ndis.NdisDprReleaseSpinLock(a.lock);
      if ((icr & ENABLED) === 0) return false;
      a.causes |= icr;
      a.resources.registers.IMC!.value = 0xffffffff;
      queueDpc.value = true;
      return true;
    });
    const dpc = MINIPORT_INTERRUPT_DPC('E1000Dpc', (context) => {
      const a = context as Adapter;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, takeCauses, a);
      const head = a.resources.registers.RDH0!.value;
      ndis.NdisDprAcquireSpinLock(a.lock);
      ndis.NdisWriteRegisterUlong(a.resources.registers.RDT0!, (head + RING - 1) % RING);
      ndis.NdisDprReleaseSpinLock(a.lock);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
    });
    const disable = MINIPORT_DISABLE_INTERRUPT(
      'E1000Disable',
      (context) => void ((context as Adapter).resources.registers.IMC!.value = 0xffffffff),
    );
    const enableIsr = MINIPORT_ENABLE_INTERRUPT(
      'E1000Enable',
      (context) => void ((context as Adapter).resources.registers.IMS!.value = ENABLED),
    );

    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE('E1000InitializeEx', (handle, _driverContext, parameters) => {
        const a: Adapter = { resources: resourcesOf(parameters), interrupt: null, lock: {}, causes: 0, received: 0 };
        ndis.NdisAllocateSpinLock(a.lock);
        const box = { value: null as NDIS_HANDLE };
        const status = ndis.NdisMRegisterInterruptEx(
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
            DisableInterruptHandler: disable,
            EnableInterruptHandler: enableIsr,
            MsiSupported: false,
            MsiSyncWithAllMessages: false,
          },
          box,
        );
        if (status !== NDIS_STATUS_SUCCESS) return status;
        a.interrupt = box.value;
        setMiniportAdapterContext(handle, a);
        const r = a.resources.registers;
        mapHeadTrackedRings(ndis, handle, r, 1, RING); // the RX ring in shared memory, RDT = RING - 1
        ndis.NdisWriteRegisterUlong(r.RCTL!, e1000.E1000_RCTL_EN);
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enable, a);
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('E1000HaltEx', (context) => {
        const a = context as Adapter;
        ndis.NdisWriteRegisterUlong(a.resources.registers.IMC!, 0xffffffff);
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
        ndis.NdisFreeSpinLock(a.lock);
      }),
    };
  });
}

describe('with the e1000 model', () => {
  it('a line-based miniport runs clean across 20 seeds and receives packets', () => {
    for (let seed = 0; seed < 20; seed++) {
      const nic = new E1000Nic();
      const sim = createSimulation({ seed, device: nic, mode: 'collect' });
      const result = sim.run(lineMiniport(), { ticks: 200_000 });
      expect(result.reports.map((r) => `seed ${seed}: ${r.rule} ${r.message}`)).toEqual([]);
      expect(result.stats.interrupts).toBeGreaterThan(50);
      expect(nic.stats.packetsReceived).toBeGreaterThan(100);
    }
  });

  it('an ISR that takes a spin lock is caught: MAY-CALL, 0xC4 / 0x42', () => {
    const sim = createSimulation({ seed: 1, device: new E1000Nic() });
    const result = sim.run(lineMiniport({ isrTakesLock: true }), { ticks: 200_000 });
    expect(result.bugCheck?.rule).toBe('MAY-CALL');
    expect(result.bugCheck?.bugCheck?.parameters[0]).toBe(0x42);
    expect(result.bugCheck?.function).toBe('E1000Isr');
  });
});
