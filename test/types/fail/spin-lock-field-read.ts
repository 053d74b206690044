// expect-error TS2339: Property 'OldIrql' does not exist on type 'NDIS_SPIN_LOCK'
// NDIS_SPIN_LOCK is opaque: only the spin-lock DDIs see the IRQL saved inside it.
import type { NDIS_SPIN_LOCK } from '@ddikit/ndis';

declare const lock: NDIS_SPIN_LOCK;

export const saved = lock.OldIrql; // @error
