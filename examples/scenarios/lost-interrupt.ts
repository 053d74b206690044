/**
 * The classic lost interrupt, on an e1000-style NIC with a line-based interrupt.
 *
 * The ISR masks the NIC (IMC), records the causes it read from ICR in `causes` and queues the DPC.
 * This DPC takes the causes without the interrupt lock, hands RX descriptors back, re-enables
 * interrupts with a direct IMS write at DISPATCH_LEVEL, and only then clears `causes`:
 *
 *   DPC: IMS = ENABLED   ──► the line is asserted again at once if a packet came meanwhile
 *   ISR:   ICR → causes, IMC = all (masked), causes |= icr, queue the DPC
 *   DPC: causes = 0      ──► what the ISR just recorded is gone
 *   next DPC: causes === 0 → "nothing to do", returns without re-enabling
 *
 * and the NIC stays masked with packets pending: nothing will ever interrupt again (INT-LOST).
 * The ISR has to run between two statements of the DPC for this to happen — one preemption, which
 * `ddikit explore` finds. The fix (lost-interrupt-fixed.ts) takes the causes and re-enables
 * interrupts in functions called through NdisMSynchronizeWithInterruptEx, where the ISR cannot run.
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
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
} from '@ddikit/ndis';
import {
  defineMiniport,
  E1000Nic,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type MiniportDefinition,
  type Scenario,
  type SimResources,
} from '@ddikit/sim';
import { mapHeadTrackedRings } from '../lib/e1000-rings.js';

/** Receive descriptors in the ring. */
const RING = 64;
/** The causes the driver handles. */
const ENABLED = e1000.E1000_IMS_RXT0 | e1000.E1000_IMS_LSC;
const ALL = 0xffffffff;
/** What every register reads once the NIC is gone. */
const GONE = 0xffffffff;

interface Adapter {
  readonly regs: SimResources['registers'];
  interrupt: NDIS_HANDLE;
  /** Causes the ISR saw and no DPC has taken yet: shared with the ISR. */
  causes: number;
  /** Causes the current DPC took (written only under the interrupt lock). */
  taken: number;
  /** Frees the rings (shared memory). */
  readonly freeRings: () => void;
}

/** The lost-interrupt driver (`fixed: false`) or its fix. */
export function lostInterruptDriver(options: { readonly fixed: boolean }): MiniportDefinition {
  const name = options.fixed ? 'lost-interrupt-fixed' : 'lost-interrupt';
  return defineMiniport(name, (ndis) => {
    const takeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('TakeCauses', (context) => {
      const a = context as Adapter;
      a.taken = a.causes;
      a.causes = 0;
      return a.taken !== 0;
    });
    const enableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('EnableInterrupts', (context) => {
      (context as Adapter).regs.IMS!.value = ENABLED;
      return true;
    });
    const disableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('DisableInterrupts', (context) => {
      (context as Adapter).regs.IMC!.value = ALL;
      return true;
    });

    const LostIsr = MINIPORT_ISR('LostIsr', (context, queueDpc) => {
      const a = context as Adapter;
      // A shared line: not ours unless our interrupts are enabled and one of our causes is set.
      const mask = a.regs.IMS!.value;
      if (mask === GONE || (mask & ENABLED) === 0) return false;
      const icr = a.regs.ICR!.value;
      if (icr === GONE || (icr & ENABLED) === 0) return false;
      a.regs.IMC!.value = ALL; // masked until the DPC is done
      a.causes |= icr;
      queueDpc.value = true;
      return true;
    });

    const handBackRx = (a: Adapter): void => {
      const head = a.regs.RDH0!.value;
      if (head === GONE) return;
      ndis.NdisWriteRegisterUlong(a.regs.RDT0!, (head + RING - 1) % RING);
    };

    const LostDpc = MINIPORT_INTERRUPT_DPC('LostDpc', (context) => {
      const a = context as Adapter;
      if (options.fixed) {
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, takeCauses, a);
        handBackRx(a);
        // The last DPC of a batch always re-enables, under the interrupt lock.
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enableInterrupts, a);
        return;
      }
      const causes = a.causes; // the bug: read without the interrupt lock
      if (causes === 0) return; // "nothing to do"
      handBackRx(a);
      a.regs.IMS!.value = ENABLED; // the bug: a direct re-enable at DISPATCH_LEVEL — the ISR may run right here
      a.causes = 0; // … and this wipes what it recorded
    });

    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE('LostInitializeEx', (handle, _driverContext, parameters) => {
        const resources = resourcesOf(parameters);
        const freeRings = mapHeadTrackedRings(ndis, handle, resources.registers, 1, RING);
        if (freeRings === null) return NDIS_STATUS_RESOURCES;
        // Ready before registering: the ISR may run before NdisMRegisterInterruptEx returns.
        const a: Adapter = resources.shared(
          { regs: resources.registers, interrupt: null, causes: 0, taken: 0, freeRings },
          'causes',
        );
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
            InterruptHandler: LostIsr,
            InterruptDpcHandler: LostDpc,
            DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT(
              'LostDisable',
              (c) => void ((c as Adapter).regs.IMC!.value = ALL),
            ),
            EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT(
              'LostEnable',
              (c) => void ((c as Adapter).regs.IMS!.value = ENABLED),
            ),
            MsiSupported: false,
            MsiSyncWithAllMessages: false,
          },
          box,
        );
        if (status !== NDIS_STATUS_SUCCESS) {
          freeRings();
          return status;
        }
        a.interrupt = box.value;
        setMiniportAdapterContext(handle, a);
        ndis.NdisWriteRegisterUlong(a.regs.RDT0!, RING - 1);
        ndis.NdisWriteRegisterUlong(a.regs.RCTL!, e1000.E1000_RCTL_EN);
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enableInterrupts, a);
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('LostHaltEx', (context) => {
        const a = context as Adapter;
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, disableInterrupts, a);
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
        a.freeRings();
      }),
    };
  });
}

/** A short run with steady receive traffic: a few dozen interrupts. */
export const scenario: Scenario = {
  device: () => new E1000Nic({ rxArrivalGapTicksMin: 10, rxArrivalGapTicksMax: 80, rxPacketsPerArrivalMax: 2 }),
  ticks: 800,
};

export default lostInterruptDriver({ fixed: false });
