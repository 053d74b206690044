/** An opaque NDIS_SPIN_LOCK: the simulator makes one from `{}`; drivers pass it to the spin-lock DDIs only. */
import type { NDIS_SPIN_LOCK, NdisFunctions, PNDIS_SPIN_LOCK } from '@ddikit/ndis';

/** What a simulator's allocator returns: an empty object, typed as the opaque lock. */
export function newSpinLock(): NDIS_SPIN_LOCK {
  return {};
}

export function withLock(ndis: NdisFunctions, work: () => void): void {
  const lock: PNDIS_SPIN_LOCK = newSpinLock();
  ndis.NdisAllocateSpinLock(lock);
  ndis.NdisAcquireSpinLock(lock);
  work();
  ndis.NdisReleaseSpinLock(lock);
  ndis.NdisFreeSpinLock(lock);
}
