/**
 * An e1000-style miniport on a line-based interrupt, written to survive every fault the harness
 * injects, for `ddikit explore` and the fault tests.
 *
 * - The ISR shares its line: it returns FALSE at once unless its interrupts are enabled (IMS) and
 *   one of its causes is set (ICR, read-to-clear), and treats all-ones as a NIC that is gone.
 *   Otherwise it masks the NIC (IMC), records the causes in `causes` — shared with the ISR, and
 *   marked so with `resources.shared` — and queues its DPC.
 * - The DPC takes the causes in a synchronize function, hands RX descriptors back (RDT), echoes
 *   the received frames on TX under the TX ring's spin lock, reclaims completed TX descriptors,
 *   reads the link state, and re-enables interrupts in a synchronize function — always, also when
 *   it found nothing (a DPC can be coalesced, or run for a spurious interrupt).
 * - MiniportInitializeEx has the adapter ready before NdisMRegisterInterruptEx (the ISR may run
 *   before it returns); MiniportHaltEx masks under the interrupt lock, deregisters, frees.
 *
 * It leaves interrupt throttling (ITR) off: a throttled cause shows in ICR before the NIC raises the
 * line, and the model's ICR reads INT_ASSERTED whenever a cause is set (nic.ts), so an ISR on a
 * shared line could not tell a held-back cause from its NIC's interrupt.
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
  type NDIS_SPIN_LOCK,
} from '@ddikit/ndis';
import {
  defineMiniport,
  E1000Nic,
  e1000,
  REGISTER_REMOVED_VALUE,
  resourcesOf,
  setMiniportAdapterContext,
  type Scenario,
  type SimResources,
} from '@ddikit/sim';
import { mapHeadTrackedRings } from '../lib/e1000-rings.js';

const RING = 64;
const ENABLED =
  e1000.E1000_IMS_RXT0 | e1000.E1000_IMS_RXO | e1000.E1000_IMS_RXDMT0 | e1000.E1000_IMS_TXDW | e1000.E1000_IMS_LSC;
const RX_CAUSES = e1000.E1000_ICR_RXT0 | e1000.E1000_ICR_RXO | e1000.E1000_ICR_RXDMT0;
const ALL = 0xffffffff;
const GONE = REGISTER_REMOVED_VALUE;

interface Adapter {
  readonly regs: SimResources['registers'];
  interrupt: NDIS_HANDLE;
  /** Causes the ISR saw and no DPC took yet: shared with the ISR. */
  causes: number;
  /** Causes the running DPC took (written under the interrupt lock, read by the DPC). */
  taken: number;
  /** RX: the head the driver has handed back up to. */
  rxHead: number;
  /** TX: the next descriptor to post, descriptors in flight (under txLock). */
  txTail: number;
  txInFlight: number;
  readonly txLock: NDIS_SPIN_LOCK;
  linkUp: boolean;
  received: number;
  sent: number;
  /** Frees the rings (shared memory). */
  freeRings: () => void;
}

export default defineMiniport('e1000-line', (ndis) => {
  const takeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000TakeCauses', (context) => {
    const a = context as Adapter;
    a.taken = a.causes;
    a.causes = 0;
    return a.taken !== 0;
  });
  const enableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000EnableInterrupts', (context) => {
    (context as Adapter).regs.IMS!.value = ENABLED;
    return true;
  });
  const disableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000DisableInterrupts', (context) => {
    (context as Adapter).regs.IMC!.value = ALL;
    return true;
  });

  const E1000Isr = MINIPORT_ISR('E1000Isr', (context, queueDpc) => {
    const a = context as Adapter;
    const mask = a.regs.IMS!.value;
    if (mask === GONE || (mask & ENABLED) === 0) return false; // masked, or gone: not ours
    const icr = a.regs.ICR!.value;
    if (icr === GONE || (icr & ENABLED) === 0) return false; // another device on the line
    a.regs.IMC!.value = ALL;
    a.causes |= icr;
    queueDpc.value = true;
    return true;
  });

  /** RX: frames the NIC wrote back since the last call; hands their descriptors back. */
  const receive = (a: Adapter): number => {
    const head = a.regs.RDH0!.value;
    if (head === GONE) return 0;
    const frames = (head - a.rxHead + RING) % RING;
    a.rxHead = head;
    if (frames > 0) ndis.NdisWriteRegisterUlong(a.regs.RDT0!, (head + RING - 1) % RING);
    return frames;
  };
  /** TX: posts up to `frames` descriptors (an echo of what arrived). */
  const send = (a: Adapter, frames: number): void => {
    ndis.NdisDprAcquireSpinLock(a.txLock);
    const room = RING - 1 - a.txInFlight;
    const n = Math.min(frames, room);
    if (n > 0) {
      a.txTail = (a.txTail + n) % RING;
      a.txInFlight += n;
      a.sent += n;
      ndis.NdisWriteRegisterUlong(a.regs.TDT0!, a.txTail);
    }
    ndis.NdisDprReleaseSpinLock(a.txLock);
  };
  /** TX: descriptors the NIC completed (the head moved) are free again. */
  const reclaim = (a: Adapter): void => {
    const head = a.regs.TDH0!.value;
    if (head === GONE) return;
    ndis.NdisDprAcquireSpinLock(a.txLock);
    a.txInFlight = (a.txTail - head + RING) % RING;
    ndis.NdisDprReleaseSpinLock(a.txLock);
  };

  const E1000Dpc = MINIPORT_INTERRUPT_DPC('E1000Dpc', (context) => {
    const a = context as Adapter;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, takeCauses, a);
    const causes = a.taken;
    if ((causes & RX_CAUSES) !== 0) {
      const frames = receive(a);
      a.received += frames;
      if (frames > 0) send(a, frames);
    }
    if ((causes & e1000.E1000_ICR_TXDW) !== 0) reclaim(a);
    if ((causes & e1000.E1000_ICR_LSC) !== 0) {
      const status = a.regs.STATUS!.value;
      a.linkUp = status !== GONE && (status & e1000.E1000_STATUS_LU) !== 0;
    }
    // The last DPC of a batch re-enables interrupts, whatever it found.
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enableInterrupts, a);
  });

  return {
    MiniportInitializeEx: MINIPORT_INITIALIZE('E1000InitializeEx', (handle, _driverContext, parameters) => {
      const resources = resourcesOf(parameters);
      // Rings first (in shared memory, the NIC followed by its head registers), with every cause masked.
      const freeRings = mapHeadTrackedRings(ndis, handle, resources.registers, 1, RING);
      if (freeRings === null) return NDIS_STATUS_RESOURCES;
      const a: Adapter = resources.shared(
        {
          regs: resources.registers,
          interrupt: null,
          causes: 0,
          taken: 0,
          rxHead: 0,
          txTail: 0,
          txInFlight: 0,
          txLock: {},
          linkUp: true,
          received: 0,
          sent: 0,
          freeRings,
        },
        'causes',
      );
      ndis.NdisAllocateSpinLock(a.txLock);
      const box = { value: null as NDIS_HANDLE };
      const status = ndis.NdisMRegisterInterruptEx(
        handle,
        a,
        {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: E1000Isr,
          InterruptDpcHandler: E1000Dpc,
          DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT(
            'E1000Disable',
            (c) => void ((c as Adapter).regs.IMC!.value = ALL),
          ),
          EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT(
            'E1000Enable',
            (c) => void ((c as Adapter).regs.IMS!.value = ENABLED),
          ),
          MsiSupported: false,
          MsiSyncWithAllMessages: false,
        },
        box,
      );
      if (status !== NDIS_STATUS_SUCCESS) {
        ndis.NdisFreeSpinLock(a.txLock);
        freeRings();
        return status;
      }
      a.interrupt = box.value;
      setMiniportAdapterContext(handle, a);
      const r = a.regs;
      ndis.NdisWriteRegisterUlong(r.RDT0!, RING - 1);
      ndis.NdisWriteRegisterUlong(r.RCTL!, e1000.E1000_RCTL_EN);
      ndis.NdisWriteRegisterUlong(r.TCTL!, e1000.E1000_TCTL_EN);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, enableInterrupts, a);
      return NDIS_STATUS_SUCCESS;
    }),
    MiniportHaltEx: MINIPORT_HALT('E1000HaltEx', (context) => {
      const a = context as Adapter;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, disableInterrupts, a);
      ndis.NdisMDeregisterInterruptEx(a.interrupt);
      ndis.NdisFreeSpinLock(a.txLock);
      a.freeRings();
    }),
  };
});

/** RX and TX traffic with link changes, long enough for a few dozen interrupts. */
export const scenario: Scenario = {
  device: () =>
    new E1000Nic({
      rxArrivalGapTicksMin: 20,
      rxArrivalGapTicksMax: 120,
      linkChangeGapTicksMin: 400,
      linkChangeGapTicksMax: 1_500,
    }),
  ticks: 3_000,
};
