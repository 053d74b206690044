/**
 * Trips ROLE-TYPE — bug check 0xC4, P1 0xDD04 (ddikit): a plain function is handed to
 * NdisMSynchronizeWithInterruptEx as its SynchronizeFunction.
 *
 * NDIS calls a SynchronizeFunction at DIRQL with the interrupt lock held, so it must be written for
 * that role: declared as MINIPORT_SYNCHRONIZE_INTERRUPT, which in C gives Code Analysis the
 * function's IRQL and what it may call (C28023/C28024 flag a mismatch). An undeclared function
 * carries no contract: nothing checks that it stays short, calls only any-IRQL DDIs and returns a
 * BOOLEAN. Declare it with the role.
 *
 * The cast below stands for a JavaScript caller, which has no type checker to stop it. In collect
 * mode the harness does not call the function and the DDI returns FALSE.
 *
 * Run: ddikit simulate examples/broken/role-type.ts
 */
import type { MINIPORT_SYNCHRONIZE_INTERRUPT, NDIS_HANDLE } from '@ddikit/ndis';
import { brokenE1000, correctDpc, type Adapter } from './_e1000.js';

/** Reads the ISR's interrupt count for statistics — declared with no role: the bug. */
function readIsrCount(SynchronizeContext: NDIS_HANDLE): boolean {
  const a = SynchronizeContext as Adapter;
  return a.isrCount > 0;
}

export default brokenE1000('broken-role-type', {
  dpc: (a) => {
    correctDpc(a);
    // Narrow cast: the DDI's parameter type accepts declared synchronize functions only.
    a.ndis.NdisMSynchronizeWithInterruptEx(
      a.interrupt,
      0,
      readIsrCount as unknown as MINIPORT_SYNCHRONIZE_INTERRUPT,
      a,
    );
  },
});
