// expect-error TS2322: Type 'number' is not assignable to type 'boolean'
// The role returns BOOLEAN, which is `boolean`: C's habit of returning 1 does not compile.
import { MINIPORT_SYNCHRONIZE_INTERRUPT } from '@ddikit/ndis';

export const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', (_context) => 1); // @error
