/**
 * Trips SYNC-UNREGISTERED — bug check 0xC4, P1 0xDD01 (ddikit): MiniportHaltEx calls
 * NdisMSynchronizeWithInterruptEx after NdisMDeregisterInterruptEx.
 *
 * Halt deregisters the interrupt first and masks the NIC afterwards, under the interrupt lock. But
 * once NdisMDeregisterInterruptEx returns, the interrupt object is gone: the handle must not be
 * used again, and NdisMSynchronizeWithInterruptEx with it touches freed memory. (Static Driver
 * Verifier's NdisMDeregisterInterruptEx rule checks the same order.) Mask the NIC first, then
 * deregister.
 *
 * Run: ddikit simulate examples/broken/sync-unregistered.ts
 */
import { brokenE1000 } from './_e1000.js';

export default brokenE1000('broken-sync-unregistered', {
  halt: (a) => {
    const { ndis } = a;
    const interrupt = a.interrupt;
    a.regs.RCTL.value = 0;
    a.regs.TCTL.value = 0;
    ndis.NdisMDeregisterInterruptEx(interrupt);
    ndis.NdisMSynchronizeWithInterruptEx(interrupt, 0, a.fns.DisableInterrupts, a); // the bug: after deregistering
    ndis.NdisFreeSpinLock(a.txLock);
    ndis.NdisFreeSpinLock(a.rxLock);
  },
});
