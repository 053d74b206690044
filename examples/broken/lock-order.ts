/**
 * Trips LOCK-ORDER — bug check 0xC4, P1 0x1003: the DPC releases the RX lock before the TX lock it
 * took after it.
 *
 * The DPC holds the RX lock while it posts the echo frames under the TX lock, then lets go of RX
 * first. Nested spin locks must be released in reverse order: NdisReleaseSpinLock restores the IRQL
 * saved in the lock, so releasing the outer lock first restores the outer caller's IRQL while the
 * inner lock is still held — acquire A, acquire B, release A, release B leaves IRQL wrong. Release
 * TX, then RX.
 *
 * Run: ddikit simulate examples/broken/lock-order.ts
 */
import { brokenE1000, cleanRxRing, serviceTxRing } from './_e1000.js';

export default brokenE1000('broken-lock-order', {
  dpc: (a) => {
    const { ndis } = a;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.TakeCauses, a);
    ndis.NdisAcquireSpinLock(a.rxLock);
    const arrived = cleanRxRing(a);
    ndis.NdisAcquireSpinLock(a.txLock);
    serviceTxRing(a, arrived);
    ndis.NdisReleaseSpinLock(a.rxLock); // the bug: the outer lock first
    ndis.NdisReleaseSpinLock(a.txLock);
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.EnableInterrupts, a);
  },
});
