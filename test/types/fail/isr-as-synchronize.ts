// expect-error TS2345: Argument of type 'MINIPORT_ISR' is not assignable to parameter of type 'MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER'
// A function declared with another role (here the ISR) is not accepted as a synchronize function.
import { MINIPORT_ISR, type NdisFunctions } from '@ddikit/ndis';

declare const ndis: NdisFunctions;

const MyInterrupt = MINIPORT_ISR('MyInterrupt', (_context, queueDpc) => {
  queueDpc.value = true;
  return true;
});

ndis.NdisMSynchronizeWithInterruptEx(null, 0, MyInterrupt, null); // @error
