/**
 * Trips ROLE-IRQL — bug check 0xC4, P1 0xE5: MiniportInitializeEx calls a synchronize function
 * directly, at PASSIVE_LEVEL, to drop the causes the ISR collected during initialization.
 *
 * A MINIPORT_SYNCHRONIZE_INTERRUPT function runs at the interrupt's DIRQL holding the interrupt
 * lock; that is what makes its access to state shared with the ISR (here `pendingCauses`, which the
 * ISR ORs causes into) safe. Called directly, it runs at PASSIVE_LEVEL with no lock, and the ISR can
 * run between its read and its write on this or another processor: the causes the ISR adds in
 * between are lost. Call it through NdisMSynchronizeWithInterruptEx.
 *
 * Run: ddikit simulate examples/broken/role-irql.ts
 */
import { brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-role-irql', {
  afterInitialize: (a) => {
    a.fns.TakeCauses(a); // the bug: not through NdisMSynchronizeWithInterruptEx
  },
});
