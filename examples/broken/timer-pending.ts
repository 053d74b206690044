/**
 * Trips TIMER-PENDING — bug check 0xC7 TIMER_OR_DPC_INVALID, P1 0 (a timer object): MiniportHaltEx
 * frees its watchdog timer without canceling it first.
 *
 * MiniportInitializeEx allocates a timer object and sets it to fire every millisecond (a link and
 * traffic watchdog, as real miniports keep). Halt stops the NIC and frees everything, the timer
 * object included, but never calls NdisCancelTimerObject: the timer is still queued when
 * NdisFreeTimerObject frees it, and on Windows its NDIS_TIMER_FUNCTION would then run on freed
 * memory, after the driver released the spin lock it takes. Cancel the timer first, then free it.
 *
 * Run: ddikit simulate examples/broken/timer-pending.ts
 */
import { NDIS_TIMER_FUNCTION, type NDIS_HANDLE } from '@ddikit/ndis';
import { brokenE1000, correctHalt, startWatchdog, type Adapter } from './_e1000.js';

/** One timer object per adapter (a run has one adapter), and the frames seen at its last expiry. */
const watchdogs = new WeakMap<Adapter, NDIS_HANDLE>();
const lastSeen = new WeakMap<Adapter, number>();

const Watchdog = NDIS_TIMER_FUNCTION('E1000Watchdog', (_SystemSpecific1, FunctionContext) => {
  const a = FunctionContext as Adapter;
  // DISPATCH_LEVEL: the RX lock is taken with the Dpr form, as a DPC takes it.
  a.ndis.NdisDprAcquireSpinLock(a.rxLock);
  const received = a.framesReceived;
  a.ndis.NdisDprReleaseSpinLock(a.rxLock);
  // A real watchdog would reset a NIC whose receive count stopped moving; this one only notes it.
  lastSeen.set(a, received);
});

export default brokenE1000('broken-timer-pending', {
  afterInitialize: (a) => {
    const timer = startWatchdog(a, Watchdog);
    if (timer !== null) watchdogs.set(a, timer);
  },
  halt: (a) => {
    correctHalt(a);
    const timer = watchdogs.get(a);
    // The bug: NdisCancelTimerObject(timer) is missing before the free.
    if (timer !== undefined) a.ndis.NdisFreeTimerObject(timer);
  },
});
