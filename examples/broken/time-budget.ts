/**
 * Trips TIME-BUDGET — bug check 0x133 (DPC_WATCHDOG_VIOLATION), P1 0: the ISR stalls for 50 µs.
 *
 * The ISR waits 50 µs with NdisStallExecution "for the NIC to finish writing back descriptors"
 * before it reads ICR. An ISR runs at DIRQL with its interrupt lock held: every lower-priority
 * interrupt on the processor, every DPC and every thread waits behind it. The guidance is at most
 * 25 µs per ISR (and per spin-lock hold) and 100 µs per DPC; longer, and the DPC watchdog bug-checks
 * the machine. Do the work in the DPC; never stall in an ISR.
 *
 * In collect mode the harness reports the ISR's run time and, at the same call, the interrupt
 * lock's hold time — both TIME-BUDGET.
 *
 * Run: ddikit simulate examples/broken/time-budget.ts
 */
import { brokenE1000, correctIsr } from './_e1000.js';

export default brokenE1000('broken-time-budget', {
  isr: (a, queueDpc) => {
    if (!a.interruptsEnabled) return false;
    a.ndis.NdisStallExecution(50); // the bug: 50 µs at DIRQL
    return correctIsr(a, queueDpc);
  },
});
