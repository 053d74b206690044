/**
 * Trips LOCK-UNINIT — bug check 0xC4, P1 0x1002: the TX spin lock is used but was never allocated.
 *
 * MiniportInitializeEx allocates the RX lock and forgets the TX lock. An NDIS_SPIN_LOCK must be
 * initialized with NdisAllocateSpinLock before its first acquire: an uninitialized lock is whatever
 * the memory held, and acquiring it can spin forever or let two processors in. Allocate every lock
 * before the interrupt is registered.
 *
 * In collect mode the harness skips each call on the lock and reports each call site once (the
 * DPC's acquire and release, MiniportHaltEx's NdisFreeSpinLock).
 *
 * Run: ddikit simulate examples/broken/lock-uninit.ts
 */
import { brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-lock-uninit', {
  allocateLocks: (a) => {
    a.ndis.NdisAllocateSpinLock(a.rxLock);
    // the bug: a.txLock is never allocated
  },
});
