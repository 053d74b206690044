/**
 * Trips ROLE-RETURN — bug check 0xC4, P1 0xDD03 (ddikit): a synchronize function returns a number.
 *
 * MINIPORT_SYNCHRONIZE_INTERRUPT returns BOOLEAN, which NdisMSynchronizeWithInterruptEx hands back
 * to its caller. This one returns the cause bits themselves, as C code returning a ULONG through a
 * BOOLEAN might: in C the value is truncated to 8 bits (0x100 becomes FALSE), in JavaScript the
 * caller gets a number where it tests for `true`. Return a boolean and hand data back through the
 * context.
 *
 * The cast below stands for a JavaScript caller, which has no type checker to stop it.
 *
 * Run: ddikit simulate examples/broken/role-return.ts
 */
import { MINIPORT_SYNCHRONIZE_INTERRUPT, type NDIS_HANDLE } from '@ddikit/ndis';
import { brokenE1000, correctDpc, type Adapter } from './_e1000.js';

const takeCauseBits = (SynchronizeContext: NDIS_HANDLE): number => {
  const a = SynchronizeContext as Adapter;
  const causes = a.pendingCauses;
  a.pendingCauses = 0;
  return causes; // the bug: the role returns BOOLEAN
};

// Narrow cast: the declared function's type demands a boolean result, which this one does not give.
const TakeCauseBits = MINIPORT_SYNCHRONIZE_INTERRUPT(
  'TakeCauseBits',
  takeCauseBits as unknown as (SynchronizeContext: NDIS_HANDLE) => boolean,
);

export default brokenE1000('broken-role-return', {
  dpc: (a) => {
    a.ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, TakeCauseBits, a);
    correctDpc(a);
  },
});
