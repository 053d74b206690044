/**
 * The e1000 model's register table: one row per register or register array — where it is, what a
 * read and a write do, how an access touches the NIC's state for the race detector, and its
 * power-on value. The NIC's read32 and write32 dispatch through it; the named registers handed to
 * drivers (NIC_REGISTERS), the race detector's effects and the register file's layout (SLOT) are
 * derived from it. An offset with no row is an unmodeled access (E1000Nic.unmodeledAccess).
 *
 * Adding a register: a row here; for one with side effects, a method on {@link E1000RegisterFile}
 * (e1000-core.ts) that its read or write calls. Plain storage needs no code: `stored` and `store(mask)`.
 */
import type { DeviceRegister } from '../device.js';
import { RegisterTable, type RegisterRead, type RegisterRow, type RegisterWrite } from '../register-table.js';
import type { NicConfig } from './e1000-options.js';
import {
  E1000_AIT,
  E1000_CTRL,
  E1000_CTRL_EXT,
  E1000_CTRL_GIO_MASTER_DISABLE,
  E1000_CTRL_POWER_ON,
  E1000_CTRL_RST,
  E1000_EECD,
  E1000_EECD_AUTO_RD,
  E1000_EECD_PRES,
  E1000_EEMNGCTL,
  E1000_EERD,
  E1000_EERW_DONE,
  E1000_EEWR,
  E1000_EXTCNF_CTRL,
  E1000_EXTCNF_SIZE,
  E1000_FACTPS,
  E1000_FCAH,
  E1000_FCAL,
  E1000_FCRTH,
  E1000_FCRTL,
  E1000_FCT,
  E1000_FCTTV,
  E1000_GCR,
  E1000_GCR2,
  E1000_LEDCTL,
  E1000_MANC,
  E1000_MDIC,
  E1000_MTA,
  E1000_PBA,
  E1000_PBS,
  E1000_PHY_CTRL,
  E1000_PSRCTL,
  E1000_RADV,
  E1000_RAH0,
  E1000_RAL0,
  E1000_RAR_ENTRIES,
  E1000_RDTR,
  E1000_RFCTL,
  E1000_RNBC,
  E1000_RSRPD,
  E1000_RXCSUM,
  E1000_RXDCTL0,
  E1000_STATUS_GIO_MASTER_ENABLE,
  E1000_SWSM,
  E1000_SWSM_SMBI,
  E1000_TADV,
  E1000_TARC0,
  E1000_TIDV,
  E1000_TIPG,
  E1000_TPR,
  E1000_TPT,
  E1000_TXDCTL0,
  E1000_VET,
  E1000_VFTA,
  E1000_WUC,
  E1000_WUFC,
  E1000_EIAC,
  E1000_EIAC_MASK,
  E1000_EITR0,
  E1000_GPRC,
  E1000_GPTC,
  E1000_IAM,
  E1000_ICR,
  E1000_ICR_VALID_CAUSES,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_IVAR,
  E1000_MPC,
  E1000_MSIX_VECTORS,
  E1000_QUEUE_STRIDE,
  E1000_RCTL,
  E1000_RDBAH0,
  E1000_RDBAL0,
  E1000_RDH0,
  E1000_RDLEN0,
  E1000_RDT0,
  E1000_REGISTER_WINDOW_BYTES,
  E1000_STATUS,
  E1000_STATUS_FD,
  E1000_STATUS_LU,
  E1000_STATUS_SPEED_1000,
  E1000_TCTL,
  E1000_TDBAH0,
  E1000_TDBAL0,
  E1000_TDH0,
  E1000_TDLEN0,
  E1000_TDT0,
} from './e1000-registers.js';

/**
 * What the rows read and write: the register file (`mac`, one slot per register, see {@link SLOT})
 * and the NIC behaviour behind the registers with side effects. Implemented by E1000Core.
 */
export interface E1000RegisterFile {
  readonly mac: Uint32Array;
  /** STATUS.LU. */
  readonly linkUp: boolean;
  /** CTRL.RST: every register back to its power-on value; the link and the wire's traffic go on. */
  softwareReset(): void;
  /** EERD or EEWR was written: the NVM access completes at once (the value EERD reads next). */
  nvmAccess(value: number, write: boolean): number;
  /** MDIC was written: the PHY access completes at once (the value MDIC reads next). */
  phyAccess(value: number): number;
  /** RCTL was written (the register file holds it): the receiver may drain its FIFO. */
  receiveControlWritten(): void;
  /** ICR read: the causes with INT_ASSERTED, cleared by the rules of the signaling mode. */
  readIcr(): number;
  /** ICR write: write-1-to-clear. */
  writeIcr(value: number): void;
  /** ICR as ICS reads it back: without clearing it. */
  icrValue(): number;
  /** ICS write: sets causes and signals the ones that became pending and unmasked. */
  setCauses(value: number): void;
  /** IMS write: enables causes. */
  setMask(value: number): void;
  /** IMC write: disables causes. */
  clearMask(value: number): void;
  /** TCTL was written (the register file holds it): the transmitter may start. */
  transmitControlWritten(): void;
  /** A ring's length register was written (ring 0, 1: RX queues; 2, 3: TX queues). */
  ringLengthWritten(ring: number, value: number): void;
  /** A ring's tail register was written: the driver posted (or handed back) descriptors. */
  ringTailWritten(ring: number, tail: number): void;
}

type Row = RegisterRow<E1000RegisterFile, NicConfig>;
type Read = RegisterRead<E1000RegisterFile>;
type Write = RegisterWrite<E1000RegisterFile>;

// Reads and writes shared by many rows.

/** The stored value. */
const stored: Read = (file, slot) => file.mac[slot]!;
/** Stores the bits of `mask` (the others read 0). */
function store(mask = 0xffff_ffff): Write {
  return (file, value, slot) => {
    file.mac[slot] = value & mask;
  };
}
/** Write-only: reads 0. */
const writeOnly: Read = () => 0;
/** Read-only: writes are dropped. */
const readOnly: Write = () => {};
/** Statistics counters: reading returns the count and clears it. */
const readToClear: Read = (file, slot) => {
  const value = file.mac[slot]!;
  file.mac[slot] = 0;
  return value;
};

/** Ring registers: RX rings are 0 and 1, TX rings 2 and 3. */
const RX = 0;
const TX = 2;
const QUEUES = { count: 2, stride: E1000_QUEUE_STRIDE } as const;

// How accesses touch state, for the race detector.
const PLAIN = { read: 'read', write: 'write' } as const;
const READ_ONLY = { read: 'read', write: 'none' } as const;
const COUNTER = { read: 'readClear', write: 'none' } as const;

/** The registers of the model, by offset. */
const ROWS: readonly Row[] = [
  {
    name: 'CTRL',
    offset: E1000_CTRL,
    read: stored,
    write: (file, value, slot) => {
      if ((value & E1000_CTRL_RST) !== 0) file.softwareReset();
      else file.mac[slot] = value;
    },
    effect: PLAIN,
    powerOn: E1000_CTRL_POWER_ON,
  },
  {
    name: 'STATUS',
    offset: E1000_STATUS,
    read: (file) =>
      ((file.linkUp ? E1000_STATUS_LU : 0) |
        E1000_STATUS_FD |
        E1000_STATUS_SPEED_1000 |
        ((file.mac[SLOT_CTRL]! & E1000_CTRL_GIO_MASTER_DISABLE) === 0 ? E1000_STATUS_GIO_MASTER_ENABLE : 0)) >>>
      0,
    write: readOnly,
    effect: READ_ONLY,
  },
  {
    // PRES and AUTO_RD (and the NVM size) are read-only: the NVM is present and was read after reset.
    name: 'EECD',
    offset: E1000_EECD,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = (value & ~0x7b00) | E1000_EECD_PRES | E1000_EECD_AUTO_RD;
    },
    effect: PLAIN,
    powerOn: E1000_EECD_PRES | E1000_EECD_AUTO_RD,
  },
  {
    name: 'EERD',
    offset: E1000_EERD,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = file.nvmAccess(value, false);
    },
    effect: PLAIN,
    powerOn: E1000_EERW_DONE,
  },
  { name: 'CTRL_EXT', offset: E1000_CTRL_EXT, read: stored, write: store(~0x3000), effect: PLAIN },
  {
    name: 'MDIC',
    offset: E1000_MDIC,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = file.phyAccess(value);
    },
    effect: PLAIN,
  },
  { name: 'FCAL', offset: E1000_FCAL, read: stored, write: store(), effect: PLAIN },
  { name: 'FCAH', offset: E1000_FCAH, read: stored, write: store(0xffff), effect: PLAIN },
  { name: 'FCT', offset: E1000_FCT, read: stored, write: store(0xffff), effect: PLAIN },
  { name: 'VET', offset: E1000_VET, read: stored, write: store(0xffff), effect: PLAIN },
  {
    name: 'ICR',
    offset: E1000_ICR,
    read: (file) => file.readIcr(),
    write: (file, value) => file.writeIcr(value),
    effect: { state: 'ICR', read: 'readClear', write: 'clear' },
  },
  { name: 'ITR', offset: E1000_ITR, read: stored, write: store(0xffff), effect: PLAIN },
  {
    // Write-only on paper; real parts (and QEMU) read back ICR without clearing it.
    name: 'ICS',
    offset: E1000_ICS,
    read: (file) => file.icrValue(),
    write: (file, value) => file.setCauses(value),
    effect: { state: 'ICR', read: 'read', write: 'set' },
  },
  {
    name: 'IMS',
    offset: E1000_IMS,
    read: stored,
    write: (file, value) => file.setMask(value),
    effect: { state: 'IMS', read: 'read', write: 'set' },
  },
  {
    name: 'IMC',
    offset: E1000_IMC,
    read: writeOnly,
    write: (file, value) => file.clearMask(value),
    effect: { state: 'IMS', read: 'none', write: 'clear' },
  },
  { name: 'EIAC', offset: E1000_EIAC, read: stored, write: store(E1000_EIAC_MASK), effect: PLAIN },
  { name: 'IAM', offset: E1000_IAM, read: stored, write: store(E1000_ICR_VALID_CAUSES), effect: PLAIN },
  { name: 'IVAR', offset: E1000_IVAR, read: stored, write: store(), effect: PLAIN },
  {
    name: 'EITR',
    offset: E1000_EITR0,
    count: E1000_MSIX_VECTORS,
    stride: 4,
    read: stored,
    write: store(0xffff),
    effect: PLAIN,
  },
  {
    name: 'RCTL',
    offset: E1000_RCTL,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = value;
      file.receiveControlWritten();
    },
    effect: PLAIN,
  },
  { name: 'FCTTV', offset: E1000_FCTTV, read: stored, write: store(0xffff), effect: PLAIN },
  {
    name: 'TCTL',
    offset: E1000_TCTL,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = value;
      file.transmitControlWritten();
    },
    effect: PLAIN,
  },
  { name: 'TIPG', offset: E1000_TIPG, read: stored, write: store(), effect: PLAIN, powerOn: 0x0060_2008 },
  { name: 'AIT', offset: E1000_AIT, read: stored, write: store(0xffff), effect: PLAIN },
  { name: 'LEDCTL', offset: E1000_LEDCTL, read: stored, write: store(), effect: PLAIN, powerOn: 0x0006_8302 },
  // The software ownership bit is granted as soon as it is written: no firmware competes for it.
  { name: 'EXTCNF_CTRL', offset: E1000_EXTCNF_CTRL, read: stored, write: store(), effect: PLAIN, powerOn: 0x8 },
  { name: 'EXTCNF_SIZE', offset: E1000_EXTCNF_SIZE, read: stored, write: store(), effect: PLAIN },
  { name: 'PHY_CTRL', offset: E1000_PHY_CTRL, read: stored, write: store(), effect: PLAIN, powerOn: 0x030d },
  {
    // RXA (bits 15:0) is the receive FIFO in KiB; TXA reads what is left of the 40 KiB packet buffer.
    name: 'PBA',
    offset: E1000_PBA,
    read: (file, slot) => {
      const rxa = file.mac[slot]! & 0xffff;
      return ((Math.max(0, 40 - rxa) << 16) | rxa) >>> 0;
    },
    write: store(0xffff),
    effect: PLAIN,
    powerOn: 0x14,
  },
  { name: 'PBS', offset: E1000_PBS, read: stored, write: store(0x3f), effect: PLAIN, powerOn: 0x28 },
  { name: 'EEMNGCTL', offset: E1000_EEMNGCTL, read: stored, write: store(), effect: PLAIN, powerOn: 0x8000_0000 },
  {
    // The word lands in the NVM image; EERD reads back the result, as in QEMU.
    name: 'EEWR',
    offset: E1000_EEWR,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = file.nvmAccess(value, true);
    },
    effect: PLAIN,
    powerOn: E1000_EERW_DONE,
  },
  { name: 'FCRTL', offset: E1000_FCRTL, read: stored, write: store(0x8000_fff8), effect: PLAIN },
  { name: 'FCRTH', offset: E1000_FCRTH, read: stored, write: store(0xfff8), effect: PLAIN },
  { name: 'PSRCTL', offset: E1000_PSRCTL, read: stored, write: store(), effect: PLAIN, powerOn: 0x0004_0402 },
  { name: 'RDTR', offset: E1000_RDTR, read: stored, write: store(0xffff), effect: PLAIN },
  {
    name: 'RXDCTL',
    offset: E1000_RXDCTL0,
    ...QUEUES,
    read: stored,
    write: store(),
    effect: PLAIN,
    powerOn: 0x0001_0000,
  },
  { name: 'RADV', offset: E1000_RADV, read: stored, write: store(0xffff), effect: PLAIN },
  { name: 'RSRPD', offset: E1000_RSRPD, read: stored, write: store(0xfff), effect: PLAIN },
  { name: 'TIDV', offset: E1000_TIDV, read: stored, write: store(0xffff), effect: PLAIN },
  { name: 'TXDCTL', offset: E1000_TXDCTL0, ...QUEUES, read: stored, write: store(), effect: PLAIN },
  { name: 'TADV', offset: E1000_TADV, read: stored, write: store(0xffff), effect: PLAIN },
  { name: 'TARC', offset: E1000_TARC0, ...QUEUES, read: stored, write: store(), effect: PLAIN, powerOn: 0x403 },
  ...ringRows('RD', E1000_RDBAL0, E1000_RDBAH0, E1000_RDLEN0, E1000_RDH0, E1000_RDT0, RX),
  ...ringRows('TD', E1000_TDBAL0, E1000_TDBAH0, E1000_TDLEN0, E1000_TDH0, E1000_TDT0, TX),
  { name: 'MPC', offset: E1000_MPC, read: readToClear, write: readOnly, effect: COUNTER },
  { name: 'GPRC', offset: E1000_GPRC, read: readToClear, write: readOnly, effect: COUNTER },
  { name: 'GPTC', offset: E1000_GPTC, read: readToClear, write: readOnly, effect: COUNTER },
  { name: 'RNBC', offset: E1000_RNBC, read: readToClear, write: readOnly, effect: COUNTER },
  { name: 'TPR', offset: E1000_TPR, read: readToClear, write: readOnly, effect: COUNTER },
  { name: 'TPT', offset: E1000_TPT, read: readToClear, write: readOnly, effect: COUNTER },
  { name: 'RXCSUM', offset: E1000_RXCSUM, read: stored, write: store(), effect: PLAIN, powerOn: 0x300 },
  { name: 'RFCTL', offset: E1000_RFCTL, read: stored, write: store(), effect: PLAIN },
  { name: 'MTA', offset: E1000_MTA, count: 128, read: stored, write: store(), effect: PLAIN },
  {
    name: 'RAL',
    offset: E1000_RAL0,
    count: E1000_RAR_ENTRIES,
    stride: 8,
    read: stored,
    write: store(),
    effect: PLAIN,
  },
  {
    name: 'RAH',
    offset: E1000_RAH0,
    count: E1000_RAR_ENTRIES,
    stride: 8,
    read: stored,
    write: store(),
    effect: PLAIN,
  },
  { name: 'VFTA', offset: E1000_VFTA, count: 128, read: stored, write: store(), effect: PLAIN },
  { name: 'WUC', offset: E1000_WUC, read: stored, write: store(), effect: PLAIN },
  { name: 'WUFC', offset: E1000_WUFC, read: stored, write: store(), effect: PLAIN },
  { name: 'MANC', offset: E1000_MANC, read: stored, write: store(), effect: PLAIN, powerOn: 0x1000_0000 },
  {
    // Bits 23, 25 and 26 are read-only.
    name: 'GCR',
    offset: E1000_GCR,
    read: stored,
    write: (file, value, slot) => {
      file.mac[slot] = (value & ~0x0680_0000) | (file.mac[slot]! & 0x0680_0000);
    },
    effect: PLAIN,
    powerOn: 0x0680_0200,
  },
  { name: 'FACTPS', offset: E1000_FACTPS, read: stored, write: store(), effect: PLAIN, powerOn: 0x2000_0004 },
  {
    // A read returns the semaphore and takes it (SMBI set); the first reader sees it free.
    name: 'SWSM',
    offset: E1000_SWSM,
    read: (file, slot) => {
      const value = file.mac[slot]!;
      file.mac[slot] = value | E1000_SWSM_SMBI;
      return value;
    },
    write: store(),
    effect: { read: 'readClear', write: 'write' } as const,
  },
  { name: 'GCR2', offset: E1000_GCR2, read: stored, write: store(), effect: PLAIN },
];

/** The five registers of the RX (`RD`) or TX (`TD`) rings, one row each, an element per queue. */
function ringRows(
  prefix: 'RD' | 'TD',
  bal: number,
  bah: number,
  len: number,
  head: number,
  tail: number,
  firstRing: number,
): Row[] {
  return [
    { name: `${prefix}BAL`, offset: bal, ...QUEUES, read: stored, write: store(~0xf), effect: PLAIN },
    { name: `${prefix}BAH`, offset: bah, ...QUEUES, read: stored, write: store(), effect: PLAIN },
    {
      name: `${prefix}LEN`,
      offset: len,
      ...QUEUES,
      read: stored,
      write: (file, value, _slot, queue) => file.ringLengthWritten(firstRing + queue, value),
      effect: PLAIN,
    },
    { name: `${prefix}H`, offset: head, ...QUEUES, read: stored, write: store(0xffff), effect: PLAIN },
    {
      name: `${prefix}T`,
      offset: tail,
      ...QUEUES,
      read: stored,
      write: (file, value, _slot, queue) => file.ringTailWritten(firstRing + queue, value & 0xffff),
      effect: PLAIN,
    },
  ];
}

/** CTRL's slot, for STATUS (CTRL is the table's first row). */
const SLOT_CTRL = 0;

/** The table: dispatch by offset, slots, names and effects. */
export const E1000_REGISTER_TABLE = new RegisterTable<E1000RegisterFile, NicConfig>(ROWS, E1000_REGISTER_WINDOW_BYTES);

/** The registers handed to drivers as named handles, sorted by offset. */
export const NIC_REGISTERS: readonly DeviceRegister[] = E1000_REGISTER_TABLE.registers;

/** Slots of the register file (an array's elements follow its first: `SLOT.RDT + queue`). */
export const SLOT = Object.freeze({
  CTRL: E1000_REGISTER_TABLE.slot('CTRL'),
  CTRL_EXT: E1000_REGISTER_TABLE.slot('CTRL_EXT'),
  ICR: E1000_REGISTER_TABLE.slot('ICR'),
  ITR: E1000_REGISTER_TABLE.slot('ITR'),
  IMS: E1000_REGISTER_TABLE.slot('IMS'),
  EIAC: E1000_REGISTER_TABLE.slot('EIAC'),
  IAM: E1000_REGISTER_TABLE.slot('IAM'),
  IVAR: E1000_REGISTER_TABLE.slot('IVAR'),
  EITR: E1000_REGISTER_TABLE.slot('EITR'),
  RCTL: E1000_REGISTER_TABLE.slot('RCTL'),
  PBA: E1000_REGISTER_TABLE.slot('PBA'),
  RAL: E1000_REGISTER_TABLE.slot('RAL'),
  RAH: E1000_REGISTER_TABLE.slot('RAH'),
  RDBAL: E1000_REGISTER_TABLE.slot('RDBAL'),
  RDBAH: E1000_REGISTER_TABLE.slot('RDBAH'),
  TDBAL: E1000_REGISTER_TABLE.slot('TDBAL'),
  TDBAH: E1000_REGISTER_TABLE.slot('TDBAH'),
  RNBC: E1000_REGISTER_TABLE.slot('RNBC'),
  TPR: E1000_REGISTER_TABLE.slot('TPR'),
  TPT: E1000_REGISTER_TABLE.slot('TPT'),
  EERD: E1000_REGISTER_TABLE.slot('EERD'),
  TARC: E1000_REGISTER_TABLE.slot('TARC'),
  TCTL: E1000_REGISTER_TABLE.slot('TCTL'),
  RDLEN: E1000_REGISTER_TABLE.slot('RDLEN'),
  RDH: E1000_REGISTER_TABLE.slot('RDH'),
  RDT: E1000_REGISTER_TABLE.slot('RDT'),
  TDLEN: E1000_REGISTER_TABLE.slot('TDLEN'),
  TDH: E1000_REGISTER_TABLE.slot('TDH'),
  TDT: E1000_REGISTER_TABLE.slot('TDT'),
  MPC: E1000_REGISTER_TABLE.slot('MPC'),
  GPRC: E1000_REGISTER_TABLE.slot('GPRC'),
  GPTC: E1000_REGISTER_TABLE.slot('GPTC'),
});
