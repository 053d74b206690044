/**
 * Trips DPC-IRQL — bug check 0xC4, P1 0x3B: MiniportInitializeEx calls the DPC routine directly, at
 * PASSIVE_LEVEL, to pick up frames that arrived during initialization.
 *
 * A MINIPORT_INTERRUPT_DPC routine runs at DISPATCH_LEVEL, where nothing can preempt it but
 * interrupts, and is written for that: it may use the Dpr spin-lock forms, it assumes no other
 * instance of itself runs on this processor, and it must not wait. Run at PASSIVE_LEVEL, it can be
 * preempted by the real DPC on the same processor and race with it over the ring state. Queue the
 * DPC (NdisMQueueDpcEx) or set a cause with ICS to make the NIC interrupt instead.
 *
 * (A driver cannot make its DPC return at another IRQL than it was entered at without tripping a
 * spin-lock rule first; entering it at the wrong IRQL is the DPC-IRQL bug a driver can make alone.)
 *
 * Run: ddikit simulate examples/broken/dpc-irql.ts
 */
import { brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-dpc-irql', {
  afterInitialize: (a) => {
    a.fns.InterruptDpc(a, null, null, null); // the bug: a DPC called at PASSIVE_LEVEL
  },
});
