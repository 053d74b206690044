/**
 * Trips LOCK-REACQUIRE — bug check 0xC4, P1 0x1000 (self-deadlock): the DPC acquires the RX spin
 * lock it already holds.
 *
 * A branch added later cleans the ring a second time when frames arrived, in case more came in
 * meanwhile — and takes the RX lock for it, not noticing that the code around it holds it already. NDIS spin locks are not recursive: the second acquire
 * spins forever on a lock its own processor holds, and the machine hangs (Driver Verifier's deadlock
 * detection reports it as 0xC4 / 0x1000). Take the lock once.
 *
 * In collect mode the harness skips the second acquire, so the single release that follows matches
 * the first.
 *
 * Run: ddikit simulate examples/broken/lock-reacquire.ts
 */
import { brokenE1000, cleanRxRing, serviceTxRing } from './_e1000.js';

export default brokenE1000('broken-lock-reacquire', {
  dpc: (a) => {
    const { ndis } = a;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.TakeCauses, a);
    ndis.NdisDprAcquireSpinLock(a.rxLock);
    let arrived = cleanRxRing(a);
    if (arrived > 0) {
      ndis.NdisDprAcquireSpinLock(a.rxLock); // the bug: already held
      arrived += cleanRxRing(a);
    }
    ndis.NdisDprReleaseSpinLock(a.rxLock);
    ndis.NdisDprAcquireSpinLock(a.txLock);
    serviceTxRing(a, arrived);
    ndis.NdisDprReleaseSpinLock(a.txLock);
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.EnableInterrupts, a);
  },
});
