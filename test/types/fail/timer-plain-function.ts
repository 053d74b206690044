// expect-error TS2322: is not assignable to type 'NDIS_TIMER_FUNCTION'
// A timer function not declared with NDIS_TIMER_FUNCTION is refused in NDIS_TIMER_CHARACTERISTICS,
// as Code Analysis refuses a TimerFunction without the role (C28023).
import {
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  type NDIS_TIMER_CHARACTERISTICS,
} from '@ddikit/ndis';

export const characteristics: NDIS_TIMER_CHARACTERISTICS = {
  Header: { Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1, Size: 0 },
  AllocationTag: 0x676f6457,
  TimerFunction: (_s1: unknown, _context: unknown) => undefined, // @error
  FunctionContext: null,
};
