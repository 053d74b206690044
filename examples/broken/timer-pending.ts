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
import {
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_STATUS_SUCCESS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  NDIS_TIMER_FUNCTION,
  type Box,
  type NDIS_HANDLE,
  type NDIS_TIMER_CHARACTERISTICS,
} from '@ddikit/ndis';
import { brokenE1000, correctHalt, type Adapter } from './_e1000.js';

/** One timer object per adapter (a run has one adapter), and the frames seen at its last expiry. */
const watchdogs = new WeakMap<Adapter, NDIS_HANDLE>();
const lastSeen = new WeakMap<Adapter, number>();
/** 1 ms, relative (negative), in 100 ns units. */
const ONE_MILLISECOND = -10_000n;

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
    const characteristics: NDIS_TIMER_CHARACTERISTICS = {
      Header: {
        Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
        Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1,
        Size: 0,
      },
      AllocationTag: 0x676f6457, // 'Wdog'
      TimerFunction: Watchdog,
      FunctionContext: a,
    };
    const timer: Box<NDIS_HANDLE> = { value: null };
    const status = a.ndis.NdisAllocateTimerObject(a.handle, characteristics, timer);
    if (status !== NDIS_STATUS_SUCCESS) return;
    watchdogs.set(a, timer.value);
    a.ndis.NdisSetTimerObject(timer.value, { QuadPart: ONE_MILLISECOND }, 1, null);
  },
  halt: (a) => {
    correctHalt(a);
    const timer = watchdogs.get(a);
    // The bug: NdisCancelTimerObject(timer) is missing before the free.
    if (timer !== undefined) a.ndis.NdisFreeTimerObject(timer);
  },
});
