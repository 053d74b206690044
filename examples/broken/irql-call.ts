/**
 * Trips IRQL-CALL — bug check 0xC4, P1 0xE5 (an API called at the wrong IRQL): MiniportInitializeEx
 * calls NdisDprAcquireSpinLock at PASSIVE_LEVEL.
 *
 * The Dpr forms of the spin-lock DDIs skip raising IRQL because they assume the caller already runs
 * at DISPATCH_LEVEL, as a DPC does. Called at PASSIVE_LEVEL, NdisDprAcquireSpinLock takes the lock
 * without raising: the thread holding it can be preempted, and a DPC on the same processor that
 * spins on the lock then never lets the holder run again. MiniportInitializeEx must use
 * NdisAcquireSpinLock / NdisReleaseSpinLock.
 *
 * In collect mode the harness skips both calls and reports each call site once.
 *
 * Run: ddikit simulate examples/broken/irql-call.ts
 */
import { brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-irql-call', {
  afterInitialize: (a) => {
    a.ndis.NdisDprAcquireSpinLock(a.rxLock); // the bug: at PASSIVE_LEVEL
    a.framesReceived = 0;
    a.ndis.NdisDprReleaseSpinLock(a.rxLock);
  },
});
