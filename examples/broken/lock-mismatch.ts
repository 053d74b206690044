/**
 * Trips LOCK-MISMATCH — bug check 0xC4, P1 0x1009: the DPC takes the RX lock with
 * NdisAcquireSpinLock and lets it go with NdisDprReleaseSpinLock.
 *
 * NdisAcquireSpinLock raises to DISPATCH_LEVEL and saves the previous IRQL in the lock;
 * NdisReleaseSpinLock restores it. NdisDprReleaseSpinLock restores nothing, so a caller below
 * DISPATCH_LEVEL would stay raised (and the reverse pairing lowers IRQL under a DPC's feet). The two
 * forms must pair with each other: Acquire with Release, DprAcquire with DprRelease.
 *
 * Run: ddikit simulate examples/broken/lock-mismatch.ts
 */
import { brokenE1000, cleanRxRing, serviceTxRing } from './_e1000.js';

export default brokenE1000('broken-lock-mismatch', {
  dpc: (a) => {
    const { ndis } = a;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.TakeCauses, a);
    ndis.NdisAcquireSpinLock(a.rxLock);
    const arrived = cleanRxRing(a);
    ndis.NdisDprReleaseSpinLock(a.rxLock); // the bug: the other form of release
    ndis.NdisDprAcquireSpinLock(a.txLock);
    serviceTxRing(a, arrived);
    ndis.NdisDprReleaseSpinLock(a.txLock);
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.EnableInterrupts, a);
  },
});
