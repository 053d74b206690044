/**
 * The names of the e1000 model's named registers, as a type: `resourcesOf(parameters, 'e1000')`
 * hands the driver a register record with exactly these keys, so `regs.IMS` needs no `!` and a typo
 * (`regs.IMZ`) does not compile. The list follows the register table (NIC_REGISTERS, register
 * arrays element by element); a test checks that the two agree.
 */
export const E1000_REGISTER_NAMES = [
  'CTRL',
  'STATUS',
  'CTRL_EXT',
  'ICR',
  'ITR',
  'ICS',
  'IMS',
  'IMC',
  'EIAC',
  'IAM',
  'IVAR',
  'EITR0',
  'EITR1',
  'EITR2',
  'EITR3',
  'EITR4',
  'RCTL',
  'TCTL',
  'RDBAL0',
  'RDBAH0',
  'RDLEN0',
  'RDH0',
  'RDT0',
  'RDBAL1',
  'RDBAH1',
  'RDLEN1',
  'RDH1',
  'RDT1',
  'TDBAL0',
  'TDBAH0',
  'TDLEN0',
  'TDH0',
  'TDT0',
  'TDBAL1',
  'TDBAH1',
  'TDLEN1',
  'TDH1',
  'TDT1',
  'MPC',
  'GPRC',
  'GPTC',
] as const;

/** A named register of the e1000 model. */
export type E1000RegisterName = (typeof E1000_REGISTER_NAMES)[number];
