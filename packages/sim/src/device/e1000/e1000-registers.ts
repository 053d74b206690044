/**
 * Register offsets and bit names of the simulated NIC, spelled as the Intel 8254x / 82574 datasheets
 * and the e1000 drivers spell them, so a driver written for the sim reads like one written for the
 * hardware. Offsets are byte offsets into BAR 0. What each register does is the register table's
 * (e1000-register-table.ts).
 */
// Register offsets.

/** Device Control. */
export const E1000_CTRL = 0x0000;
/** Device Status (read-only). */
export const E1000_STATUS = 0x0008;
/** EEPROM/Flash Control: NVM present (PRES), auto-read done (AUTO_RD). */
export const E1000_EECD = 0x0010;
/** EEPROM Read: START a read of the NVM word at ADDR, poll DONE, take DATA (82574 layout). */
export const E1000_EERD = 0x0014;
/** Extended Device Control (IAME, EIAME). */
export const E1000_CTRL_EXT = 0x0018;
/** MDI Control: one PHY register read or write; poll READY. */
export const E1000_MDIC = 0x0020;
/** Flow control address low, high, type. */
export const E1000_FCAL = 0x0028;
export const E1000_FCAH = 0x002c;
export const E1000_FCT = 0x0030;
/** VLAN EtherType. */
export const E1000_VET = 0x0038;
/** Interrupt Cause Read: reading returns the causes and clears them (see the NIC for the MSI-X rules). */
export const E1000_ICR = 0x00c0;
/** Interrupt Throttling Rate, in units of 256 ns (0: no throttling). */
export const E1000_ITR = 0x00c4;
/** Interrupt Cause Set: writing a 1 sets that cause. */
export const E1000_ICS = 0x00c8;
/** Interrupt Mask Set: writing a 1 enables that cause; reading returns the mask. */
export const E1000_IMS = 0x00d0;
/** Interrupt Mask Clear: writing a 1 disables that cause. */
export const E1000_IMC = 0x00d8;
/** Extended Interrupt Auto Clear (82574): causes cleared from ICR when their MSI-X message is sent. */
export const E1000_EIAC = 0x00dc;
/** Interrupt Acknowledge Auto Mask (82574). */
export const E1000_IAM = 0x00e0;
/** Interrupt Vector Allocation (82574): maps RxQ0, RxQ1, TxQ0, TxQ1 and Other to MSI-X vectors. */
export const E1000_IVAR = 0x00e4;
/** Extended Interrupt Throttling Rate of MSI-X vector 0 (82574); vector n is at `E1000_EITR_82574(n)`. */
export const E1000_EITR0 = 0x00e8;
/** Receive Control. */
export const E1000_RCTL = 0x0100;
/** Flow control transmit timer value. */
export const E1000_FCTTV = 0x0170;
/** Transmit Control. */
export const E1000_TCTL = 0x0400;
/** Transmit inter-packet gap. */
export const E1000_TIPG = 0x0410;
/** Adaptive IFS throttle. */
export const E1000_AIT = 0x0458;
/** LED control. */
export const E1000_LEDCTL = 0x0e00;
/** Extended configuration control: MDIO_SW_OWNERSHIP (bit 5) is the software semaphore for PHY and NVM. */
export const E1000_EXTCNF_CTRL = 0x0f00;
/** Extended configuration size. */
export const E1000_EXTCNF_SIZE = 0x0f08;
/** PHY control (low-power link-up bits). */
export const E1000_PHY_CTRL = 0x0f10;
/** Packet buffer allocation: RXA (bits 15:0) KiB of the 40 KiB packet buffer receive; TXA reads the rest. */
export const E1000_PBA = 0x1000;
/** Packet buffer size. */
export const E1000_PBS = 0x1008;
/** Manageability EEPROM control. */
export const E1000_EEMNGCTL = 0x1010;
/** EEPROM write (writes the NVM image, no checksum fix-up). */
export const E1000_EEWR = 0x102c;
/** Flow control receive threshold low, high. */
export const E1000_FCRTL = 0x2160;
export const E1000_FCRTH = 0x2168;
/** Packet split receive control. */
export const E1000_PSRCTL = 0x2170;
/** RX delay timer (units of 1.024 µs); bit 31 FPD flushes a pending delayed RX interrupt. */
export const E1000_RDTR = 0x2820;
/** RX descriptor control, queue 0 (queue 1 at +0x100). */
export const E1000_RXDCTL0 = 0x2828;
/** RX absolute delay timer (units of 1.024 µs). */
export const E1000_RADV = 0x282c;
/** RX small packet detect. */
export const E1000_RSRPD = 0x2c00;
/** TX delay timer (units of 1.024 µs), for descriptors with CMD.IDE; bit 31 FPD flushes. */
export const E1000_TIDV = 0x3820;
/** TX descriptor control, queue 0 (queue 1 at +0x100). */
export const E1000_TXDCTL0 = 0x3828;
/** TX absolute delay timer (units of 1.024 µs). */
export const E1000_TADV = 0x382c;
/** TX arbitration counter, queue 0 (queue 1 at +0x100); bit 10 enables the queue. */
export const E1000_TARC0 = 0x3840;
/** RX checksum control. */
export const E1000_RXCSUM = 0x5000;
/** RX filter control (EXTEN: extended RX descriptors, not modeled). */
export const E1000_RFCTL = 0x5008;
/** Multicast table array, 128 entries. */
export const E1000_MTA = 0x5200;
/** Receive address low / high of entry 0; entry n at +8n, 16 entries. RAH bit 31 AV: address valid. */
export const E1000_RAL0 = 0x5400;
export const E1000_RAH0 = 0x5404;
/** VLAN filter table array, 128 entries. */
export const E1000_VFTA = 0x5600;
/** Wake-up control, filter control, status. */
export const E1000_WUC = 0x5800;
export const E1000_WUFC = 0x5808;
/** Management control. */
export const E1000_MANC = 0x5820;
/** PCIe control. */
export const E1000_GCR = 0x5b00;
/** Function active and power state to manageability. */
export const E1000_FACTPS = 0x5b30;
/** Software semaphore: reading returns the value, then sets SMBI (bit 0); writing 0 releases it. */
export const E1000_SWSM = 0x5b50;
/** PCIe control 2. */
export const E1000_GCR2 = 0x5b64;
/** RX descriptor ring 0: base address low, high, length in bytes, head, tail. */
export const E1000_RDBAL0 = 0x2800;
export const E1000_RDBAH0 = 0x2804;
export const E1000_RDLEN0 = 0x2808;
export const E1000_RDH0 = 0x2810;
export const E1000_RDT0 = 0x2818;
/** RX descriptor ring 1 (queue registers repeat every 0x100 bytes). */
export const E1000_RDBAL1 = 0x2900;
export const E1000_RDBAH1 = 0x2904;
export const E1000_RDLEN1 = 0x2908;
export const E1000_RDH1 = 0x2910;
export const E1000_RDT1 = 0x2918;
/** TX descriptor ring 0: base address low, high, length in bytes, head, tail. */
export const E1000_TDBAL0 = 0x3800;
export const E1000_TDBAH0 = 0x3804;
export const E1000_TDLEN0 = 0x3808;
export const E1000_TDH0 = 0x3810;
export const E1000_TDT0 = 0x3818;
/** TX descriptor ring 1. */
export const E1000_TDBAL1 = 0x3900;
export const E1000_TDBAH1 = 0x3904;
export const E1000_TDLEN1 = 0x3908;
export const E1000_TDH1 = 0x3910;
export const E1000_TDT1 = 0x3918;
/** Missed Packets Count (read-to-clear, saturating): frames dropped because the RX FIFO was full. */
export const E1000_MPC = 0x4010;
/** Receive No Buffers Count (read-to-clear, saturating): frames that arrived with RDH == RDT. */
export const E1000_RNBC = 0x40a0;
/** Total Packets Received (read-to-clear, saturating), missed ones included. */
export const E1000_TPR = 0x40d0;
/** Total Packets Transmitted (read-to-clear, saturating). */
export const E1000_TPT = 0x40d4;
/** Good Packets Received Count (read-to-clear, saturating). */
export const E1000_GPRC = 0x4074;
/** Good Packets Transmitted Count (read-to-clear, saturating). */
export const E1000_GPTC = 0x4080;

/** Byte distance between the registers of queue 0 and queue 1. */
export const E1000_QUEUE_STRIDE = 0x100;
/** Number of MSI-X vectors of the 82574 (and of its QEMU model). */
export const E1000_MSIX_VECTORS = 5;

/** Offset of the RX ring head register of `queue` (0 or 1). */
export function E1000_RDH(queue: number): number {
  return E1000_RDH0 + queue * E1000_QUEUE_STRIDE;
}
/** Offset of the RX ring tail register of `queue` (0 or 1). */
export function E1000_RDT(queue: number): number {
  return E1000_RDT0 + queue * E1000_QUEUE_STRIDE;
}
/** Offset of the TX ring head register of `queue` (0 or 1). */
export function E1000_TDH(queue: number): number {
  return E1000_TDH0 + queue * E1000_QUEUE_STRIDE;
}
/** Offset of the TX ring tail register of `queue` (0 or 1). */
export function E1000_TDT(queue: number): number {
  return E1000_TDT0 + queue * E1000_QUEUE_STRIDE;
}
/** Offset of the EITR register of MSI-X vector `vector` (0..4). */
export function E1000_EITR_82574(vector: number): number {
  return E1000_EITR0 + vector * 4;
}

// Interrupt causes: the same bit in ICR, ICS, IMS and IMC.

/** Transmit descriptor written back (a TX completion). */
export const E1000_ICR_TXDW = 0x0000_0001;
/** Transmit queue empty. */
export const E1000_ICR_TXQE = 0x0000_0002;
/** Link status change. */
export const E1000_ICR_LSC = 0x0000_0004;
/** RX descriptor minimum threshold reached (ring 0). */
export const E1000_ICR_RXDMT0 = 0x0000_0010;
/** Receiver overrun: a packet arrived with no free RX descriptor. */
export const E1000_ICR_RXO = 0x0000_0040;
/** Receiver timer interrupt (ring 0): a packet was written back. */
export const E1000_ICR_RXT0 = 0x0000_0080;
/** MDIO access complete (only settable through ICS here). */
export const E1000_ICR_MDAC = 0x0000_0200;
/** TX descriptor low threshold (only settable through ICS here). */
export const E1000_ICR_TXD_LOW = 0x0000_8000;
/** Small receive packet detected (only settable through ICS here). */
export const E1000_ICR_SRPD = 0x0001_0000;
/** Receive ACK frame (only settable through ICS here). */
export const E1000_ICR_ACK = 0x0002_0000;
/** Manageability event (only settable through ICS here). */
export const E1000_ICR_MNG = 0x0004_0000;
/** 82574, MSI-X: RX queue 0 wrote back a packet. */
export const E1000_ICR_RXQ0 = 0x0010_0000;
/** 82574, MSI-X: RX queue 1 wrote back a packet. */
export const E1000_ICR_RXQ1 = 0x0020_0000;
/** 82574, MSI-X: TX queue 0 wrote back a descriptor. */
export const E1000_ICR_TXQ0 = 0x0040_0000;
/** 82574, MSI-X: TX queue 1 wrote back a descriptor. */
export const E1000_ICR_TXQ1 = 0x0080_0000;
/** 82574, MSI-X: one of the "other" causes (LSC, RXO, MDAC, SRPD, ACK, MNG) is set. */
export const E1000_ICR_OTHER = 0x0100_0000;
/** Set while any cause is set: a line ISR on a shared line checks it to claim the interrupt. */
export const E1000_ICR_INT_ASSERTED = 0x8000_0000;

/** The causes that raise ICR.OTHER in MSI-X mode. */
export const E1000_ICR_OTHER_CAUSES =
  E1000_ICR_LSC | E1000_ICR_RXO | E1000_ICR_MDAC | E1000_ICR_SRPD | E1000_ICR_ACK | E1000_ICR_MNG;

/** Every cause bit the NIC models (the bits IMS accepts and ICS sets). */
export const E1000_ICR_VALID_CAUSES =
  E1000_ICR_TXDW |
  E1000_ICR_TXQE |
  E1000_ICR_LSC |
  E1000_ICR_RXDMT0 |
  E1000_ICR_RXO |
  E1000_ICR_RXT0 |
  E1000_ICR_MDAC |
  E1000_ICR_TXD_LOW |
  E1000_ICR_SRPD |
  E1000_ICR_ACK |
  E1000_ICR_MNG |
  E1000_ICR_RXQ0 |
  E1000_ICR_RXQ1 |
  E1000_ICR_TXQ0 |
  E1000_ICR_TXQ1 |
  E1000_ICR_OTHER;

// The same bits under the names drivers use for the other three registers.
export const E1000_ICS_TXDW = E1000_ICR_TXDW;
export const E1000_ICS_TXQE = E1000_ICR_TXQE;
export const E1000_ICS_LSC = E1000_ICR_LSC;
export const E1000_ICS_RXDMT0 = E1000_ICR_RXDMT0;
export const E1000_ICS_RXO = E1000_ICR_RXO;
export const E1000_ICS_RXT0 = E1000_ICR_RXT0;
export const E1000_ICS_RXQ0 = E1000_ICR_RXQ0;
export const E1000_ICS_RXQ1 = E1000_ICR_RXQ1;
export const E1000_ICS_TXQ0 = E1000_ICR_TXQ0;
export const E1000_ICS_TXQ1 = E1000_ICR_TXQ1;
export const E1000_ICS_OTHER = E1000_ICR_OTHER;
export const E1000_IMS_TXDW = E1000_ICR_TXDW;
export const E1000_IMS_TXQE = E1000_ICR_TXQE;
export const E1000_IMS_LSC = E1000_ICR_LSC;
export const E1000_IMS_RXDMT0 = E1000_ICR_RXDMT0;
export const E1000_IMS_RXO = E1000_ICR_RXO;
export const E1000_IMS_RXT0 = E1000_ICR_RXT0;
export const E1000_IMS_RXQ0 = E1000_ICR_RXQ0;
export const E1000_IMS_RXQ1 = E1000_ICR_RXQ1;
export const E1000_IMS_TXQ0 = E1000_ICR_TXQ0;
export const E1000_IMS_TXQ1 = E1000_ICR_TXQ1;
export const E1000_IMS_OTHER = E1000_ICR_OTHER;
export const E1000_IMC_TXDW = E1000_ICR_TXDW;
export const E1000_IMC_TXQE = E1000_ICR_TXQE;
export const E1000_IMC_LSC = E1000_ICR_LSC;
export const E1000_IMC_RXDMT0 = E1000_ICR_RXDMT0;
export const E1000_IMC_RXO = E1000_ICR_RXO;
export const E1000_IMC_RXT0 = E1000_ICR_RXT0;
export const E1000_IMC_RXQ0 = E1000_ICR_RXQ0;
export const E1000_IMC_RXQ1 = E1000_ICR_RXQ1;
export const E1000_IMC_TXQ0 = E1000_ICR_TXQ0;
export const E1000_IMC_TXQ1 = E1000_ICR_TXQ1;
export const E1000_IMC_OTHER = E1000_ICR_OTHER;

// CTRL bits.

/** Full duplex. */
export const E1000_CTRL_FD = 0x0000_0001;
/** Set link up. */
export const E1000_CTRL_SLU = 0x0000_0040;
/** GIO master disable: STATUS.GIO_MASTER_ENABLE reads 0 while set. */
export const E1000_CTRL_GIO_MASTER_DISABLE = 0x0000_0004;
/** Device reset (self-clearing): returns every register to its power-on value. */
export const E1000_CTRL_RST = 0x0400_0000;
/** CTRL at power-on (QEMU's e1000e): FD, SLU, speed 1000, software-definable pins. */
export const E1000_CTRL_POWER_ON = 0x0014_0241;

// EECD, EERD, MDIC, EXTCNF_CTRL, SWSM bits.

/** EECD: an NVM is present. */
export const E1000_EECD_PRES = 0x0000_0100;
/** EECD: the NVM was read after reset. */
export const E1000_EECD_AUTO_RD = 0x0000_0200;
/** EERD / EEWR: start. */
export const E1000_EERW_START = 0x0000_0001;
/** EERD / EEWR: done. */
export const E1000_EERW_DONE = 0x0000_0002;
/** EERD / EEWR: word address shift (14 bits). */
export const E1000_EERW_ADDR_SHIFT = 2;
/** EERD / EEWR: data shift (16 bits). */
export const E1000_EERW_DATA_SHIFT = 16;
/** Words of the NVM image. */
export const E1000_NVM_WORDS = 64;
/** The 16-bit sum of NVM words 0x00..0x3F. */
export const E1000_NVM_SUM = 0xbaba;
/** MDIC fields. */
export const E1000_MDIC_DATA_MASK = 0x0000_ffff;
export const E1000_MDIC_REG_SHIFT = 16;
export const E1000_MDIC_PHY_SHIFT = 21;
export const E1000_MDIC_OP_WRITE = 0x0400_0000;
export const E1000_MDIC_OP_READ = 0x0800_0000;
export const E1000_MDIC_READY = 0x1000_0000;
export const E1000_MDIC_INT_EN = 0x2000_0000;
export const E1000_MDIC_ERROR = 0x4000_0000;
/** The PHY address the 82574's PHY answers at. */
export const E1000_PHY_ADDRESS = 1;
/** EXTCNF_CTRL: software owns MDIO / NVM (granted at once: no firmware competes). */
export const E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP = 0x0000_0020;
/** SWSM: software semaphore bit, set by a read. */
export const E1000_SWSM_SMBI = 0x0000_0001;
/** SWSM: software/firmware semaphore bit. */
export const E1000_SWSM_SWESMBI = 0x0000_0002;
/** RAH: address valid. */
export const E1000_RAH_AV = 0x8000_0000;
/** Entries of the receive address table. */
export const E1000_RAR_ENTRIES = 16;
/** TARC bit 10: the queue may transmit. */
export const E1000_TARC_ENABLE = 0x0000_0400;
/** RDTR / TIDV bit 31: flush partial descriptor block (fire a pending delayed interrupt now). */
export const E1000_RDTR_FPD = 0x8000_0000;
/** One RDTR/RADV/TIDV/TADV unit, in nanoseconds. */
export const E1000_DELAY_UNIT_NS = 1024;

// STATUS bits.

/** Full duplex. */
export const E1000_STATUS_FD = 0x0000_0001;
/** Link up. */
export const E1000_STATUS_LU = 0x0000_0002;
/** Link speed 1000 Mb/s. */
export const E1000_STATUS_SPEED_1000 = 0x0000_0080;
/** PCIe master requests enabled (reads 0 while CTRL.GIO_MASTER_DISABLE is set). */
export const E1000_STATUS_GIO_MASTER_ENABLE = 0x0008_0000;

// CTRL_EXT bits (82574).

/** Extended interrupt auto-mask enable: sending an MSI-X message clears that cause from IAM. */
export const E1000_CTRL_EXT_EIAME = 0x0100_0000;
/** Interrupt acknowledge auto-mask enable: reading or writing ICR while asserted clears IAM bits from IMS. */
export const E1000_CTRL_EXT_IAME = 0x0800_0000;

// RCTL / TCTL bits.

/** Receiver enable. */
export const E1000_RCTL_EN = 0x0000_0002;
/** Accept broadcast frames. */
export const E1000_RCTL_BAM = 0x0000_8000;
/** Buffer size field (bits 17:16) and its extension (bit 25): see {@link e1000RxBufferBytes}. */
export const E1000_RCTL_SZ_2048 = 0x0000_0000;
export const E1000_RCTL_SZ_1024 = 0x0001_0000;
export const E1000_RCTL_SZ_512 = 0x0002_0000;
export const E1000_RCTL_SZ_256 = 0x0003_0000;
export const E1000_RCTL_BSEX = 0x0200_0000;
/** Strip the Ethernet CRC: descriptor lengths exclude the 4 FCS bytes. */
export const E1000_RCTL_SECRC = 0x0400_0000;
/** RX descriptor minimum threshold: RXDMT0 when free descriptors fall to 1/2 of the ring. */
export const E1000_RCTL_RDMTS_HALF = 0x0000_0000;
/** … to 1/4 of the ring. */
export const E1000_RCTL_RDMTS_QUAT = 0x0000_0100;
/** … to 1/8 of the ring. */
export const E1000_RCTL_RDMTS_EIGTH = 0x0000_0200;
/** Transmitter enable. */
export const E1000_TCTL_EN = 0x0000_0002;

// IVAR layout (82574): five 4-bit entries, each a vector number (bits 0-2) and a valid bit (bit 3).

export const E1000_IVAR_RXQ0_SHIFT = 0;
export const E1000_IVAR_RXQ1_SHIFT = 4;
export const E1000_IVAR_TXQ0_SHIFT = 8;
export const E1000_IVAR_TXQ1_SHIFT = 12;
export const E1000_IVAR_OTHER_SHIFT = 16;
/** Valid bit of one IVAR entry. */
export const E1000_IVAR_INT_ALLOC_VALID = 0x8;
/** Vector number field of one IVAR entry. */
export const E1000_IVAR_ENTRY_VEC_MASK = 0x7;
/** The causes EIAC may hold (RXQ0..OTHER). */
export const E1000_EIAC_MASK = 0x01f0_0000;

/** One IVAR entry that routes a cause to `vector`, to be shifted by the cause's `E1000_IVAR_*_SHIFT`. */
export function E1000_IVAR_ENTRY(vector: number): number {
  return (E1000_IVAR_INT_ALLOC_VALID | (vector & E1000_IVAR_ENTRY_VEC_MASK)) >>> 0;
}

// Descriptor rings and legacy descriptors (16 bytes: buffer address at 0, length at 8, then the
// RX checksum, status, errors and special fields, or the TX CSO, CMD, STA, CSS and special fields).

/** RX descriptor status: descriptor done. */
export const E1000_RXD_STAT_DD = 0x01;
/** RX descriptor status: end of packet. */
export const E1000_RXD_STAT_EOP = 0x02;
/** TX descriptor command: end of packet, insert FCS, report status, interrupt delay enable. */
export const E1000_TXD_CMD_EOP = 0x01;
export const E1000_TXD_CMD_IFCS = 0x02;
export const E1000_TXD_CMD_RS = 0x08;
export const E1000_TXD_CMD_DEXT = 0x20;
export const E1000_TXD_CMD_IDE = 0x80;
/** TX descriptor status: descriptor done. */
export const E1000_TXD_STAT_DD = 0x01;
/** Byte offsets inside a legacy descriptor. */
export const E1000_DESC_ADDRESS = 0;
export const E1000_DESC_LENGTH = 8;
export const E1000_TXD_CMD = 11;
export const E1000_DESC_STATUS = 12;
export const E1000_RXD_ERRORS = 13;
/** IVAR bit 31: write back every TX descriptor, RS or not (MSI-X). */
export const E1000_IVAR_TX_INT_EVERY_WB = 0x8000_0000;

/** Bytes of an RX buffer as RCTL.BSIZE and BSEX select them. */
export function e1000RxBufferBytes(rctl: number): number {
  const size = (rctl >>> 16) & 3;
  if ((rctl & E1000_RCTL_BSEX) !== 0) return size === 0 ? 2048 : 32768 >>> size;
  return 2048 >>> size;
}

// Descriptor rings.

/** Size of one legacy descriptor in bytes; RDLEN/TDLEN hold the ring size in bytes. */
export const E1000_DESCRIPTOR_BYTES = 16;
/** RDLEN/TDLEN keep bits 7..19: a ring is a multiple of 8 descriptors, at most 65528 of them. */
export const E1000_XDLEN_MASK = 0x000f_ff80;
/** Largest ring the length registers can describe, in descriptors. */
export const E1000_RING_DESCRIPTORS_MAX = E1000_XDLEN_MASK / E1000_DESCRIPTOR_BYTES;

/** Size of the register window (BAR 0) of the 8254x family: 128 KiB. */
export const E1000_REGISTER_WINDOW_BYTES = 0x2_0000;
/** One ITR/EITR unit, in nanoseconds. */
export const E1000_ITR_UNIT_NS = 256;
