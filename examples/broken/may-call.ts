/**
 * Trips MAY-CALL — bug check 0xC4 (DRIVER_VERIFIER_DETECTED_VIOLATION), P1 0x42: the ISR takes a
 * spin lock.
 *
 * The ISR wants to update the causes it hands to the DPC "safely", so it wraps the update in the RX
 * spin lock the DPC also uses. But an ISR runs at DIRQL, above DISPATCH_LEVEL, and may call only DDIs
 * callable at any IRQL: an NDIS spin lock is a DISPATCH_LEVEL lock, and spinning on it at DIRQL can
 * deadlock against the DPC it interrupted on the same processor, which holds it. State shared with
 * the ISR is protected by the interrupt lock — NdisMSynchronizeWithInterruptEx — not by a spin lock.
 *
 * In collect mode the harness skips both calls and reports each call site once (acquire and release).
 *
 * Run: ddikit simulate examples/broken/may-call.ts
 */
import { brokenE1000, correctIsr } from './_e1000.js';

export default brokenE1000('broken-may-call', {
  isr: (a, queueDpc) => {
    a.ndis.NdisDprAcquireSpinLock(a.rxLock); // the bug: a DISPATCH_LEVEL lock at DIRQL
    const claimed = correctIsr(a, queueDpc);
    a.ndis.NdisDprReleaseSpinLock(a.rxLock);
    return claimed;
  },
});
