/**
 * Trips DMA-UNMAPPED — 0xE6 DRIVER_VERIFIER_DMA_VIOLATION: the NIC is sent to memory the driver
 * never mapped.
 *
 * NdisMAllocateSharedMemory returns a 64-bit physical address, and the NIC takes a ring's base in
 * two halves: RDBAL (low 32 bits) and RDBAH (high 32 bits). This driver writes only the low half, as
 * code written on a machine with all its memory below 4 GiB often does. Its descriptor ring sits
 * above 4 GiB, so the NIC fetches its first RX descriptor from an address no allocation covers: on
 * hardware it reads or overwrites whatever memory is there. Program both halves of every base.
 *
 * Run: ddikit simulate examples/broken/dma-unmapped.ts
 */
import { brokenE1000, correctProgramRings } from './_e1000.js';

export default brokenE1000('broken-dma-unmapped', {
  programRings: (a, rx, tx) => {
    correctProgramRings(a, rx, tx);
    a.regs.RDBAH0.value = 0; // the bug: the high half of the RX ring's base is left 0
  },
});
