/**
 * The lost-interrupt driver, fixed: its DPC takes the causes and re-enables interrupts in functions
 * called through NdisMSynchronizeWithInterruptEx — at DIRQL, holding the interrupt lock, so the ISR
 * can never run between the two — and every DPC re-enables, whether it found work or not.
 * `ddikit explore` reports it clean up to its bound. See lost-interrupt.ts for the bug.
 */
import { lostInterruptDriver } from './lost-interrupt.js';

export { scenario } from './lost-interrupt.js';

export default lostInterruptDriver({ fixed: true });
