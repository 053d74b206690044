/**
 * Trips LOCK-LEAK — bug check 0xC8 (IRQL_UNEXPECTED_VALUE): the DPC returns holding the RX lock.
 *
 * The RX helper returns early when nothing arrived and skips its release. The DPC returns with the
 * lock held: every later acquire on any processor spins forever. (Static Driver Verifier's SpinLock
 * rule checks the same balance.) Release on every path before returning.
 *
 * In collect mode the harness releases the lock when the DPC returns and goes on.
 *
 * Run: ddikit simulate examples/broken/lock-leak.ts
 */
import { brokenE1000, cleanRxRing, serviceTxRing, type Adapter } from './_e1000.js';

function receive(a: Adapter): number {
  a.ndis.NdisDprAcquireSpinLock(a.rxLock);
  const arrived = cleanRxRing(a);
  if (arrived === 0) return 0; // the bug: returns without releasing
  a.ndis.NdisDprReleaseSpinLock(a.rxLock);
  return arrived;
}

export default brokenE1000('broken-lock-leak', {
  dpc: (a) => {
    const { ndis } = a;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.TakeCauses, a);
    const arrived = receive(a);
    ndis.NdisDprAcquireSpinLock(a.txLock);
    serviceTxRing(a, arrived);
    ndis.NdisDprReleaseSpinLock(a.txLock);
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.EnableInterrupts, a);
  },
});
