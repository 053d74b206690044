/**
 * Trips ISR-CLAIM — a warning (no bug check): the line ISR claims every interrupt, its NIC's or not.
 *
 * Line interrupts are shared: when another device on the line interrupts, NDIS calls this ISR too,
 * and it must return FALSE at once so the kernel calls the other device's ISR. This one never checks
 * whether its NIC raised the interrupt — it reads ICR, masks and returns TRUE. The other device's
 * interrupt is never serviced: its line stays asserted (an interrupt storm), or it loses the
 * interrupt. Return TRUE only when ICR holds a cause the driver enabled.
 *
 * Windows has no bug check for this, so the harness reports a warning and the run goes on in both
 * modes; `ddikit simulate` still exits 1. The harness shares the line with another device only when
 * asked (`ddikit simulate` does by default: --shared-line).
 *
 * Run: ddikit simulate examples/broken/isr-claim.ts
 */
import { LINE_CAUSES, brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-isr-claim', {
  isr: (a, queueDpc) => {
    const icr = a.regs.ICR.value;
    a.regs.IMC.value = 0xffff_ffff;
    a.interruptsEnabled = false;
    a.pendingCauses |= icr & LINE_CAUSES;
    queueDpc.value = true;
    return true; // the bug: claimed without checking that the NIC interrupted
  },
});
