/**
 * The NIC's NVM (EEPROM, read through EERD) and its PHY (read and written through MDIC), as QEMU's
 * e1000e models them (`e1000e_set_eerd`, `e1000e_set_mdic`, `e1000e_phy_reg_init`): an access
 * completes at once, so DONE and READY are set when the driver first polls.
 *
 * NVM: 64 words; words 0–2 the MAC address (low byte first), words 0x0B and 0x0D the device id
 * 0x10D3, word 0x3F chosen so that the 16-bit sum of all 64 words is 0xBABA (the checksum drivers
 * validate). PHY: an 82574 PHY at MDIO address 1 (id 0x0141 / 0x0CB1), page 0 registers 0–10, 15–22,
 * 25, 26, 29, 30; a register outside them answers with MDIC.ERROR.
 */
import {
  E1000_EERW_ADDR_SHIFT,
  E1000_EERW_DATA_SHIFT,
  E1000_EERW_DONE,
  E1000_EERW_START,
  E1000_MDIC_DATA_MASK,
  E1000_MDIC_ERROR,
  E1000_MDIC_OP_READ,
  E1000_MDIC_OP_WRITE,
  E1000_MDIC_PHY_SHIFT,
  E1000_MDIC_READY,
  E1000_MDIC_REG_SHIFT,
  E1000_NVM_SUM,
  E1000_NVM_WORDS,
  E1000_PHY_ADDRESS,
} from './e1000-registers.js';

/** QEMU's e1000e EEPROM template (words 0x03..0x3E; words 0–2 are the MAC, 0x3F the checksum). */
const NVM_TEMPLATE: readonly number[] = [
  0x0000, 0x0000, 0x0000, 0x0420, 0xf746, 0x2010, 0xffff, 0xffff, 0x0000, 0x0000, 0x026b, 0x10d3, 0x8086, 0x10d3,
  0x0000, 0x8058, 0x0000, 0x2001, 0x7e7c, 0xffff, 0x1000, 0x00c8, 0x0000, 0x2704, 0x6cc9, 0x3150, 0x070e, 0x460b,
  0x2d84, 0x0100, 0xf000, 0x0706, 0x6000, 0x0080, 0x0f04, 0x7fff, 0x4f01, 0xc600, 0x0000, 0x20ff, 0x0028, 0x0003,
  0x0000, 0x0000, 0x0000, 0x0003, 0x0000, 0xffff, 0x0100, 0xc000, 0x121c, 0xc007, 0xffff, 0xffff, 0xffff, 0xffff,
  0xffff, 0xffff, 0xffff, 0xffff, 0x0000, 0x0120, 0xffff, 0x0000,
];

/** The NVM image for a MAC address (6 bytes). */
export function nvmImage(mac: readonly number[]): Uint16Array {
  const words = Uint16Array.from(NVM_TEMPLATE);
  for (let i = 0; i < 3; i++) words[i] = mac[2 * i]! | (mac[2 * i + 1]! << 8);
  let sum = 0;
  for (let i = 0; i < E1000_NVM_WORDS - 1; i++) sum += words[i]!;
  words[E1000_NVM_WORDS - 1] = (E1000_NVM_SUM - sum) & 0xffff;
  return words;
}

/** EERD after the driver wrote `value`: with START and an address inside the NVM, DONE and the word. */
export function eerdAfterWrite(nvm: Uint16Array, value: number): number {
  const address = (value >>> E1000_EERW_ADDR_SHIFT) & 0x3fff;
  if ((value & E1000_EERW_START) === 0 || address >= nvm.length) return (address << E1000_EERW_ADDR_SHIFT) >>> 0;
  return (E1000_EERW_DONE | (address << E1000_EERW_ADDR_SHIFT) | (nvm[address]! << E1000_EERW_DATA_SHIFT)) >>> 0;
}

/** PHY registers: reset value, and whether software may write it. Absent: no such register (ERROR). */
const PHY_REGISTERS: ReadonlyMap<number, { readonly reset: number; readonly writable: boolean }> = new Map([
  [0, { reset: 0x1140, writable: true }], // BMCR: 1000 Mb/s, full duplex, autonegotiation on
  [1, { reset: 0x796d, writable: false }], // BMSR: link up, autonegotiation complete
  [2, { reset: 0x0141, writable: false }], // PHY identifier 1
  [3, { reset: 0x0cb1, writable: false }], // PHY identifier 2 (82574)
  [4, { reset: 0x0de1, writable: true }], // autonegotiation advertisement
  [5, { reset: 0x47e0, writable: false }], // link partner ability (acknowledged)
  [6, { reset: 0x0005, writable: false }],
  [7, { reset: 0x2001, writable: true }],
  [8, { reset: 0x0000, writable: false }],
  [9, { reset: 0x0f00, writable: true }], // 1000BASE-T control
  [10, { reset: 0x3c00, writable: false }], // 1000BASE-T status
  [15, { reset: 0x3000, writable: false }],
  [16, { reset: 0x3360, writable: true }], // copper control 1
  [17, { reset: 0xac08, writable: false }], // copper status 1
  [18, { reset: 0x0000, writable: true }],
  [19, { reset: 0x0000, writable: false }],
  [20, { reset: 0x0000, writable: true }],
  [21, { reset: 0x0000, writable: false }],
  [22, { reset: 0x0000, writable: true }], // page select
  [25, { reset: 0x0000, writable: true }],
  [26, { reset: 0x0000, writable: true }],
  [29, { reset: 0x0000, writable: true }],
  [30, { reset: 0x0000, writable: true }],
]);

/** BMCR bits that clear themselves (RESET, restart autonegotiation) and the reserved bits 5:0. */
const BMCR_SELF_CLEARING = 0x8000 | 0x0200 | 0x003f;

/** The PHY behind MDIC. */
export class Phy {
  private readonly values = new Uint16Array(32);

  constructor() {
    this.reset();
  }

  reset(): void {
    this.values.fill(0);
    for (const [register, { reset }] of PHY_REGISTERS) this.values[register] = reset;
  }

  /** MDIC after the driver wrote `value`: the access done (READY), with ERROR where it failed. */
  mdicAfterWrite(value: number): number {
    const register = (value >>> E1000_MDIC_REG_SHIFT) & 0x1f;
    const phy = (value >>> E1000_MDIC_PHY_SHIFT) & 0x1f;
    const fields = value & ~(E1000_MDIC_READY | E1000_MDIC_ERROR);
    if (phy !== E1000_PHY_ADDRESS) {
      // No PHY answers: the data reads all ones (as the I210 datasheet describes MDIO errors).
      return (((fields & ~E1000_MDIC_DATA_MASK) | 0xffff | E1000_MDIC_READY | E1000_MDIC_ERROR) >>> 0) as number;
    }
    const known = PHY_REGISTERS.get(register);
    if ((value & E1000_MDIC_OP_READ) !== 0) {
      if (known === undefined) return (fields | E1000_MDIC_READY | E1000_MDIC_ERROR) >>> 0;
      return ((fields & ~E1000_MDIC_DATA_MASK) | this.values[register]! | E1000_MDIC_READY) >>> 0;
    }
    if ((value & E1000_MDIC_OP_WRITE) !== 0) {
      if (known === undefined || !known.writable) return (fields | E1000_MDIC_READY | E1000_MDIC_ERROR) >>> 0;
      const data = value & E1000_MDIC_DATA_MASK;
      this.values[register] = register === 0 ? data & ~BMCR_SELF_CLEARING : register === 22 ? data & 0x7f : data;
    }
    return (fields | E1000_MDIC_READY) >>> 0;
  }
}
