/**
 * Trips INT-DEREGISTER — bug check 0x7C (BUGCODE_NDIS_DRIVER), P1 0x08: MiniportHaltEx returns with
 * the interrupt still registered.
 *
 * Halt masks the NIC and frees its locks but never calls NdisMDeregisterInterruptEx. After halt the
 * driver's context is freed and its code may be unloaded, yet the interrupt object still points at
 * its ISR: the next interrupt on the line runs freed code. (Static Driver Verifier's
 * Init_RegisterInterrupt rule checks the same pairing.) Deregister before halt returns — and on
 * every path where MiniportInitializeEx fails after registering (P1 0x0B).
 *
 * Run: ddikit simulate examples/broken/int-deregister.ts
 */
import { brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-int-deregister', {
  halt: (a) => {
    const { ndis } = a;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.DisableInterrupts, a);
    a.regs.RCTL.value = 0;
    a.regs.TCTL.value = 0;
    // the bug: no NdisMDeregisterInterruptEx
    ndis.NdisFreeSpinLock(a.txLock);
    ndis.NdisFreeSpinLock(a.rxLock);
  },
});
