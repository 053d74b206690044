/**
 * Trips LOCK-RELEASE-UNHELD — bug check 0xC4, P1 0x1007: the DPC releases the TX spin lock twice.
 *
 * An early exit for "nothing to transmit" releases the lock, and then falls through to the release
 * at the end. Releasing a lock nobody holds corrupts it: the next acquire on another processor may
 * enter while this one still works on the ring, and the IRQL restored from the lock is stale. (The
 * Static Driver Verifier rule SpinlockRelease, 0xC4 / 0x0004000B, is the same check done
 * statically.) Release once on every path.
 *
 * Run: ddikit simulate examples/broken/lock-release-unheld.ts
 */
import { brokenE1000, cleanRxRing, serviceTxRing } from './_e1000.js';

export default brokenE1000('broken-lock-release-unheld', {
  dpc: (a) => {
    const { ndis } = a;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.TakeCauses, a);
    ndis.NdisDprAcquireSpinLock(a.rxLock);
    const arrived = cleanRxRing(a);
    ndis.NdisDprReleaseSpinLock(a.rxLock);
    ndis.NdisDprAcquireSpinLock(a.txLock);
    serviceTxRing(a, arrived);
    if (arrived === 0) ndis.NdisDprReleaseSpinLock(a.txLock); // nothing to echo: "done early"
    ndis.NdisDprReleaseSpinLock(a.txLock); // the bug: released again when nothing arrived
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.EnableInterrupts, a);
  },
});
