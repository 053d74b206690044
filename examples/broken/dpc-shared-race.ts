/**
 * Trips DPC-SHARED-RACE — 0xC4 with P1 0xDD0E (ddikit): a watchdog timer function reads the receive
 * count without the RX lock, while the DPC adds to it under that lock.
 *
 * MiniportInitializeEx starts a watchdog that fires every millisecond at DISPATCH_LEVEL. The DPC
 * counts received frames under `rxLock`; the watchdog reads the count with no lock at all. On a
 * machine with more than one processor the timer's DPC and the interrupt DPC run side by side, so the
 * watchdog can read a count the DPC is halfway through changing (and on Windows a read-modify-write
 * on both sides would lose counts). A spin lock orders the two only if both take it: take `rxLock`
 * with NdisDprAcquireSpinLock in the watchdog too.
 *
 * Run: ddikit simulate examples/broken/dpc-shared-race.ts
 */
import { NDIS_TIMER_FUNCTION, type NDIS_HANDLE } from '@ddikit/ndis';
import { brokenE1000, correctHalt, startWatchdog, type Adapter } from './_e1000.js';

const watchdogs = new WeakMap<Adapter, NDIS_HANDLE>();
/** The receive count at each adapter's last expiry: a count that stops moving means a hung receiver. */
const lastSeen = new WeakMap<Adapter, number>();

const Watchdog = NDIS_TIMER_FUNCTION('E1000Watchdog', (_SystemSpecific1, FunctionContext) => {
  const a = FunctionContext as Adapter;
  // The bug: no NdisDprAcquireSpinLock(a.rxLock) around the read.
  lastSeen.set(a, a.framesReceived);
});

export default brokenE1000('broken-dpc-shared-race', {
  afterInitialize: (a) => {
    const timer = startWatchdog(a, Watchdog);
    if (timer !== null) watchdogs.set(a, timer);
  },
  halt: (a) => {
    const timer = watchdogs.get(a);
    if (timer !== undefined) {
      a.ndis.NdisCancelTimerObject(timer);
      a.ndis.NdisFreeTimerObject(timer);
    }
    correctHalt(a);
  },
});
