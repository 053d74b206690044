/**
 * A watchdog timer as a TypeScript miniport writes it: the characteristics typed, the timer function
 * declared with its role, DueTime a LARGE_INTEGER given by its QuadPart alone (a C union's members
 * are each optional, as the union holds one at a time).
 */
import {
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  NDIS_TIMER_FUNCTION,
  type Box,
  type LARGE_INTEGER,
  type NDIS_HANDLE,
  type NDIS_STATUS,
  type NDIS_TIMER_CHARACTERISTICS,
  type NdisFunctions,
} from '@ddikit/ndis';

declare const ndis: NdisFunctions;
declare const adapterHandle: NDIS_HANDLE;

const Watchdog = NDIS_TIMER_FUNCTION('Watchdog', (_SystemSpecific1, FunctionContext) => {
  (FunctionContext as { ticks: number }).ticks++;
});

const characteristics: NDIS_TIMER_CHARACTERISTICS = {
  Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: 0 },
  AllocationTag: 0x676f6457,
  TimerFunction: Watchdog,
  FunctionContext: { ticks: 0 },
};
const timer: Box<NDIS_HANDLE> = { value: null };
const status: NDIS_STATUS = ndis.NdisAllocateTimerObject(adapterHandle, characteristics, timer);
const oneMillisecond: LARGE_INTEGER = { QuadPart: -10_000n };
const wasQueued: boolean = ndis.NdisSetTimerObject(timer.value, oneMillisecond, 1, null);
const canceled: boolean = ndis.NdisCancelTimerObject(timer.value);
ndis.NdisFreeTimerObject(timer.value);

export { status, wasQueued, canceled };
