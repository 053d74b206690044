/**
 * Trips NIC-UNMODELED-REGISTER — a warning (no bug check): the driver touches a register the
 * simulated NIC does not implement.
 *
 * This driver turns on receive-side scaling by writing MRQC (offset 0x5818). The e1000 model does
 * not implement RSS: the write is dropped and a read would return 0, where the hardware would spread
 * frames over queues. The harness says so instead of letting the driver run against a silent 0; the
 * run goes on, and `ddikit simulate` exits 1. A driver for the model keeps to the registers its
 * README lists, or accepts that the simulation does not cover what this register does.
 *
 * Run: ddikit simulate examples/broken/nic-unmodeled-register.ts
 */
import { brokenE1000 } from './_e1000.js';

/** MRQC: multiple receive queues command (RSS). */
const MRQC = 0x5818;

export default brokenE1000('broken-nic-unmodeled-register', {
  afterInitialize: (a) => {
    a.resources.register(MRQC).value = 0x0001_0001; // the bug: a register the model does not implement
  },
});
