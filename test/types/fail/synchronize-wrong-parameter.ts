// expect-error TS2345: Type 'unknown' is not assignable to type 'number'
// SynchronizeContext is an NDIS_HANDLE (unknown); an implementation that only accepts a number is
// narrower than the role, so it cannot be declared with it (strictFunctionTypes).
import { MINIPORT_SYNCHRONIZE_INTERRUPT } from '@ddikit/ndis';

export const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT(
  'MySynchronizeInterrupt',
  (SynchronizeContext: number) => SynchronizeContext > 0, // @error
);
