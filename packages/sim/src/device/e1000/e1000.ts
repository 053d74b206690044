/**
 * The `e1000` namespace of @ddikit/sim: the register offsets and bit names of the e1000 model, and its
 * named registers (NIC_REGISTERS).
 */
export * from './e1000-registers.js';
export { NIC_REGISTERS } from './e1000-register-table.js';
export { E1000_REGISTER_NAMES, type E1000RegisterName } from './e1000-register-names.js';
