// expect-error TS2322: Type 'boolean' is not assignable to type 'PBOOLEAN'
// An out parameter is a box: the ISR writes `QueueDefaultInterruptDpc.value = true`, not the
// parameter itself (which, as in C, would only change the local pointer).
import { MINIPORT_ISR } from '@ddikit/ndis';

export const MyInterrupt = MINIPORT_ISR('MyInterrupt', (_context, QueueDefaultInterruptDpc) => {
  QueueDefaultInterruptDpc = true; // @error
  return true;
});
