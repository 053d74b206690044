/**
 * rules: what each contract rule id of the harness means, in one line, with the Windows bug check it
 * stands for. The ids are stable once shipped; the reference pages link every rule an entry lists to
 * this table.
 */

/** Rule id → one line: what fires it, then how the harness reports it. Keys sorted. */
export const ruleSummaries: Record<string, string> = {
  'DPC-IRQL':
    'A DPC runs at a level other than DISPATCH_LEVEL, or blocks. Stands for 0xB8 ATTEMPTED_SWITCH_FROM_DPC, or 0xC4 with P1 0x3B.',
  'INT-DEREGISTER':
    'A miniport halts, or fails its initialization, while its interrupt is still registered. Stands for 0x7C BUGCODE_NDIS_DRIVER with P1 0x08 or 0x0B.',
  'INT-LOST':
    'The last DPC of a batch leaves the NIC interrupts masked although work is still waiting. A ddikit code; Windows has no bug check for it.',
  'IRQL-CALL':
    'A DDI is called at an IRQL outside its contract. Stands for 0xC4 DRIVER_VERIFIER_DETECTED_VIOLATION with P1 0xE5; the report gives the required and the actual level.',
  'IRQL-SAME':
    'A role function returns at a different IRQL from the one it started at. Stands for 0xC4 with P1 0x111 for ISRs and synchronize functions, 0xC8 IRQL_UNEXPECTED_VALUE for the rest.',
  'ISR-CLAIM':
    'A line ISR claims an interrupt its NIC did not raise or rejects one it did, or a message ISR returns FALSE. A warning, not a bug check.',
  'ISR-SHARED-RACE':
    'Code below DIRQL touches a register or field the ISR also touches, outside a synchronize function. A ddikit code; the report shows both accesses, their levels and the interleaving.',
  'LOCK-LEAK': 'A callback returns while still holding a spin lock it took. Stands for 0xC8 IRQL_UNEXPECTED_VALUE.',
  'LOCK-MISMATCH':
    'A lock taken with the plain acquire is released with the Dpr release, or a Dpr acquire with the plain release. Stands for 0xC4 with P1 0x1009.',
  'LOCK-ORDER':
    'Nested spin locks are released in an order other than last taken, first released (0xC4, P1 0x1003), or two locks are taken in both orders (0xC4, P1 0x1001).',
  'LOCK-REACQUIRE':
    'Code that holds a spin lock tries to take it again, which deadlocks the processor. Stands for 0xC4 with P1 0x1000.',
  'LOCK-RELEASE-UNHELD':
    'A spin lock that is not held is released, a double release included. Stands for 0xC4 with P1 0x1007.',
  'LOCK-UNINIT': 'A spin lock is used before it was allocated or after it was freed. Stands for 0xC4 with P1 0x1002.',
  'MAY-CALL':
    'A function running at DIRQL calls a DDI that is not callable at every level. Stands for 0xC4 with P1 0x42 for a spin-lock acquire, P1 0xE5 otherwise.',
  'RAISE-LOWER':
    'A raise targets a lower level than the current one, or a lower targets a higher one. Stands for 0xC4 with P1 0x30 (raise) or 0x31 (lower).',
  'ROLE-IRQL': 'A role function is entered at an IRQL its role type does not admit. Stands for 0xC4 with P1 0xE5.',
  'SPINLOCK-FOR-ISR-STATE':
    'State the ISR shares is guarded by nothing but an NDIS spin lock, which cannot keep the ISR out. Reported under the ddikit code of ISR-SHARED-RACE.',
  'SYNC-MESSAGE-ID':
    'NdisMSynchronizeWithInterruptEx gets a MessageId at or past the number of granted messages. Stands for 0xC4 with a ddikit P1; the call returns FALSE.',
  'SYNC-UNREGISTERED':
    'NdisMSynchronizeWithInterruptEx runs on an interrupt that is not registered yet or no longer. Stands for 0xC4 with a ddikit P1.',
  'TIME-BUDGET':
    'An ISR takes more than 25 µs, a DPC more than 100 µs, or a spin lock stays held more than 25 µs of simulated time. Stands for 0x133 DPC_WATCHDOG_VIOLATION with P1 0.',
};

/** The anchor of a rule's row in the reference index (README.md). */
export function ruleAnchor(id: string): string {
  return `rule-${id.toLowerCase()}`;
}
