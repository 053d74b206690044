/**
 * Conformance of the e1000 model with the hardware a real driver was written for: each test names the
 * manual section it follows (8254x SDM = the PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual; SDM-E = the PCIe GbE Controllers Open Source SDM; DS = the 82574
 * datasheet), or QEMU's e1000e function where the manuals are silent.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../../../packages/sim/src/core/prng.js';
import { E1000Nic } from '../../../../packages/sim/src/device/e1000/e1000-nic.js';
import * as e from '../../../../packages/sim/src/device/e1000/e1000.js';
import type { NicOptions } from '../../../../packages/sim/src/device/e1000/e1000-options.js';
import { ArrayBufferBacking, DmaSpace, type SharedMemory } from '../../../../packages/sim/src/device/shared-memory.js';
import type { Violation } from '../../../../packages/sim/src/verifier/violation-sink.js';

const ASSERTED = e.E1000_ICR_INT_ASSERTED;

/** A NIC on a host with shared memory; traffic off; frames delivered by the test. */
function setup(options: NicOptions = {}) {
  const clock = { now: 0 };
  const reports: Violation[] = [];
  const dma = new DmaSpace(
    new ArrayBufferBacking(),
    () => clock.now,
    (v) => reports.push(v),
    'e1000',
  );
  const nic = new E1000Nic({ rxArrivalGapTicksMax: 0, ...options });
  nic.attach({ prng: new Prng(1), nowTicks: () => clock.now, dma, report: (v) => reports.push(v) });
  nic.reset();
  /** An RX ring of `count` descriptors with `bufferBytes` buffers, programmed; returns descriptors and buffers. */
  const rxRing = (count: number, bufferBytes = 2048) => {
    const d = dma.allocate(count * 16)!;
    const b = dma.allocate(count * bufferBytes)!;
    const descriptors = d.block.virtualAddress as SharedMemory;
    for (let i = 0; i < count; i++) descriptors.setBigUint64(i * 16, BigInt(b.address + i * bufferBytes));
    nic.write32(e.E1000_RDBAL0, d.address % 2 ** 32);
    nic.write32(e.E1000_RDBAH0, Math.floor(d.address / 2 ** 32));
    nic.write32(e.E1000_RDLEN0, count * 16);
    return { descriptors, buffers: b.block.virtualAddress as SharedMemory };
  };
  /** A TX ring of `count` descriptors whose commands the test sets; programmed. */
  const txRing = (count: number) => {
    const d = dma.allocate(count * 16)!;
    nic.write32(e.E1000_TDBAL0, d.address % 2 ** 32);
    nic.write32(e.E1000_TDBAH0, Math.floor(d.address / 2 ** 32));
    nic.write32(e.E1000_TDLEN0, count * 16);
    return d.block.virtualAddress as SharedMemory;
  };
  const advanceTo = (tick: number): void => {
    clock.now = tick;
    nic.tick(tick);
  };
  return { nic, reports, rxRing, txRing, advanceTo };
}

const status = (ring: SharedMemory, i: number): number => ring.getUint8(i * 16 + 12);
const length = (ring: SharedMemory, i: number): number => ring.getUint16(i * 16 + 8);

describe('INT_ASSERTED', () => {
  it('is set only for causes enabled in IMS (SDM-E §13.3.27; Linux commit 116f4a640b31)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_ICS, e.E1000_ICR_RXT0);
    expect(nic.read32(e.E1000_ICS)).toBe(e.E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(false);
    nic.write32(e.E1000_IMS, e.E1000_ICR_TXDW);
    expect(nic.read32(e.E1000_ICR)).toBe(e.E1000_ICR_RXT0);
  });

  it('is set when an enabled cause is raised, or IMS unmasks a pending one (SDM-E §13.3.27)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_ICS, e.E1000_ICR_LSC);
    nic.write32(e.E1000_IMS, e.E1000_ICR_LSC);
    expect(nic.read32(e.E1000_ICS)).toBe((ASSERTED | e.E1000_ICR_LSC) >>> 0);
  });

  it('survives IMC and clears with the last cause (QEMU e1000e_fix_icr_asserted, latched)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_IMS, e.E1000_ICR_RXT0);
    nic.write32(e.E1000_ICS, e.E1000_ICR_RXT0);
    nic.write32(e.E1000_IMC, 0xffffffff);
    expect(nic.read32(e.E1000_ICS)).toBe((ASSERTED | e.E1000_ICR_RXT0) >>> 0);
    nic.write32(e.E1000_ICR, e.E1000_ICR_RXT0);
    expect(nic.read32(e.E1000_ICS)).toBe(0);
  });
});

describe('CTRL_EXT.IAME on ICR reads', () => {
  function iame() {
    const env = setup();
    env.nic.write32(e.E1000_CTRL_EXT, e.E1000_CTRL_EXT_IAME);
    env.nic.write32(e.E1000_IAM, 0xffffffff);
    return env;
  }

  it('an ICR read while asserted clears the IAM bits from IMS in INTx mode (DS §10.2.4 case 2; Linux e1000_intr)', () => {
    const { nic } = iame();
    nic.write32(e.E1000_IMS, 0x9d);
    nic.write32(e.E1000_ICS, e.E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(true);
    expect(nic.read32(e.E1000_ICR)).toBe((ASSERTED | e.E1000_ICR_RXT0) >>> 0);
    expect(nic.read32(e.E1000_IMS)).toBe(0);
    expect(nic.lineAsserted()).toBe(false);
    nic.write32(e.E1000_ICS, e.E1000_ICR_RXT0); // masked now: no interrupt until the driver re-enables
    expect(nic.lineAsserted()).toBe(false);
  });

  it('an ICR read while not asserted clears ICR and leaves IMS (DS §10.2.4 case 3)', () => {
    const { nic } = iame();
    nic.write32(e.E1000_IMS, e.E1000_ICR_RXT0);
    nic.write32(e.E1000_ICS, e.E1000_ICR_LSC);
    expect(nic.read32(e.E1000_ICR)).toBe(e.E1000_ICR_LSC);
    expect(nic.read32(e.E1000_ICS)).toBe(0);
    expect(nic.read32(e.E1000_IMS)).toBe(e.E1000_ICR_RXT0);
  });

  it('auto-masks on an ICR read in MSI mode too (DS §10.2.4; QEMU 2.7–6.2 e1000e_mac_icr_read)', () => {
    const { nic } = iame();
    nic.setMessageSignaled(true);
    nic.messagesGranted(1);
    nic.write32(e.E1000_IMS, e.E1000_ICR_RXT0);
    nic.write32(e.E1000_ICS, e.E1000_ICR_RXT0);
    nic.read32(e.E1000_ICR);
    expect(nic.read32(e.E1000_IMS)).toBe(0);
  });
});

describe('single-message MSI', () => {
  function msi() {
    const env = setup();
    env.nic.setMessageSignaled(true);
    env.nic.messagesGranted(1);
    env.rxRing(8);
    env.nic.write32(e.E1000_RCTL, e.E1000_RCTL_EN);
    env.nic.write32(e.E1000_RDT0, 7);
    return env;
  }

  it('uses the INTx causes and needs no IVAR (QEMU e1000e_rx_wb_interrupt_cause: MSI-X only behind msix_enabled)', () => {
    const { nic } = msi();
    expect(nic.signalingMode).toBe('msi');
    nic.write32(e.E1000_IMS, e.E1000_ICR_RXT0 | e.E1000_ICR_RXDMT0);
    nic.receivePackets(0, 1);
    expect(nic.read32(e.E1000_ICS) & ~ASSERTED).toBe(e.E1000_ICR_RXT0);
    expect(nic.pendingMessages()).toBe(1);
    expect(nic.stats.messagesUnrouted).toBe(0);
    expect(nic.lineAsserted()).toBe(false);
  });

  it('sends one message per assertion, none again until ICR is read (QEMU e1000e_raise_interrupts)', () => {
    const { nic } = msi();
    nic.write32(e.E1000_IMS, e.E1000_ICR_RXT0);
    nic.receivePackets(0, 1);
    nic.messageDelivered(0);
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(0);
    expect(nic.read32(e.E1000_ICR)).toBe((ASSERTED | e.E1000_ICR_RXT0) >>> 0);
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(1);
    expect(nic.stats.messagesRaised).toBe(2);
  });

  it('an ICR read clears every cause, as in INTx mode (DS §7.4.3)', () => {
    const { nic } = msi();
    nic.write32(e.E1000_IMS, e.E1000_ICR_TXDW);
    nic.write32(e.E1000_ICS, e.E1000_ICR_RXT0 | e.E1000_ICR_LSC);
    nic.read32(e.E1000_ICR);
    expect(nic.read32(e.E1000_ICS)).toBe(0);
  });

  it('is MSI-X with a one-entry table when the NIC is told so (singleMessage: msix)', () => {
    const { nic } = setup({ singleMessage: 'msix' });
    nic.setMessageSignaled(true);
    nic.messagesGranted(1);
    expect(nic.signalingMode).toBe('msix');
  });
});

describe('power-on values', () => {
  it('RDLEN and TDLEN are 0, so a driver that never programs a ring gets nothing written (8254x SDM §13.4.27)', () => {
    const { nic, reports } = setup();
    for (const offset of [e.E1000_RDLEN0, e.E1000_RDLEN1, e.E1000_TDLEN0, e.E1000_TDLEN1])
      expect(nic.read32(offset)).toBe(0);
    nic.write32(e.E1000_RCTL, e.E1000_RCTL_EN);
    nic.write32(e.E1000_RDT0, 255);
    nic.receivePackets(0, 2);
    expect(nic.stats.packetsReceived).toBe(0);
    expect(nic.framesHeld(0)).toBe(2);
    expect(nic.read32(e.E1000_RNBC)).toBe(2);
    expect(reports).toEqual([]);
  });

  it.each([
    { name: 'CTRL', offset: e.E1000_CTRL, want: 0x00140241 },
    { name: 'EECD', offset: e.E1000_EECD, want: 0x300 },
    { name: 'EERD', offset: e.E1000_EERD, want: e.E1000_EERW_DONE },
    { name: 'EXTCNF_CTRL', offset: e.E1000_EXTCNF_CTRL, want: 0x8 },
    { name: 'PBA', offset: e.E1000_PBA, want: 0x00140014 },
    { name: 'RXDCTL0', offset: e.E1000_RXDCTL0, want: 0x00010000 },
    { name: 'TARC0', offset: e.E1000_TARC0, want: 0x403 },
    { name: 'RXCSUM', offset: e.E1000_RXCSUM, want: 0x300 },
    { name: 'MANC', offset: e.E1000_MANC, want: 0x10000000 },
    { name: 'GCR', offset: e.E1000_GCR, want: 0x06800200 },
    { name: 'RAL0', offset: e.E1000_RAL0, want: 0x12005452 },
    { name: 'RAH0', offset: e.E1000_RAH0, want: (e.E1000_RAH_AV | 0x5634) >>> 0 },
  ])(
    '$name reads 0x$want.toString(16) after reset (QEMU e1000e_mac_reg_init, e1000x_reset_mac_addr)',
    ({ offset, want }) => {
      const { nic } = setup();
      expect(nic.read32(offset)).toBe(want >>> 0);
    },
  );
});

describe('the RX FIFO', () => {
  function fifo() {
    const env = setup();
    const ring = env.rxRing(32).descriptors;
    env.nic.write32(e.E1000_RCTL, e.E1000_RCTL_EN);
    env.nic.write32(e.E1000_IMS, e.E1000_ICR_RXO | e.E1000_ICR_RXT0);
    return { ...env, ring };
  }

  it('holds frames that find RDH == RDT and counts them in RNBC, with no RXO or MPC (8254x SDM §13.7.33)', () => {
    const { nic, ring } = fifo();
    nic.receivePackets(0, [1514, 1514, 1514, 1514, 1514]);
    expect(nic.read32(e.E1000_RNBC)).toBe(5);
    expect(nic.read32(e.E1000_MPC)).toBe(0);
    expect(nic.read32(e.E1000_ICS) & e.E1000_ICR_RXO).toBe(0);
    nic.write32(e.E1000_RDT0, 5);
    expect(nic.read32(e.E1000_RDH0)).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => status(ring, i))).toEqual([3, 3, 3, 3, 3]);
    expect(nic.framesHeld(0)).toBe(0);
  });

  it('drops a frame with MPC and RXO only when the FIFO overflows (8254x SDM §13.7.5)', () => {
    const { nic } = fifo();
    // 20 KiB holds 13 full-size frames (1,536 bytes each with FCS and status word).
    nic.receivePackets(0, new Array<number>(15).fill(1514));
    expect(nic.framesHeld(0)).toBe(13);
    expect(nic.read32(e.E1000_MPC)).toBe(2);
    expect(nic.read32(e.E1000_TPR)).toBe(15);
    expect(nic.read32(e.E1000_RNBC)).toBe(15);
    expect(nic.read32(e.E1000_ICR) & e.E1000_ICR_RXO).toBe(e.E1000_ICR_RXO);
  });

  it('PBA.RXA sizes it, and TXA reads the rest of the 40 KiB packet buffer (Linux e1000e_reset)', () => {
    const { nic } = fifo();
    nic.write32(e.E1000_PBA, 32);
    expect(nic.read32(e.E1000_PBA)).toBe(0x00080020);
    nic.receivePackets(0, new Array<number>(22).fill(1514));
    expect(nic.framesHeld(0)).toBe(21);
    expect(nic.read32(e.E1000_MPC)).toBe(1);
  });

  it('ignores arrivals without counting while RCTL.EN is clear (8254x SDM §13.7.5)', () => {
    const { nic } = fifo();
    nic.write32(e.E1000_RCTL, 0);
    nic.receivePackets(0, 3);
    expect(nic.read32(e.E1000_MPC)).toBe(0);
    expect(nic.read32(e.E1000_RNBC)).toBe(0);
    expect(nic.framesHeld(0)).toBe(0);
  });

  it('is emptied by CTRL.RST', () => {
    const { nic } = fifo();
    nic.receivePackets(0, 3);
    nic.write32(e.E1000_CTRL, e.E1000_CTRL_RST);
    expect(nic.framesHeld(0)).toBe(0);
  });
});

describe('legacy RX descriptors', () => {
  function rx(rctl = 0, bufferBytes = 2048) {
    const env = setup();
    const ring = env.rxRing(8, bufferBytes);
    env.nic.write32(e.E1000_RCTL, e.E1000_RCTL_EN | rctl);
    env.nic.write32(e.E1000_RDT0, 7);
    return { ...env, ...ring };
  }

  it('get the frame, its length with the FCS, DD and EOP (8254x SDM §3.2.3; QEMU e1000e_write_lgcy_rx_descr)', () => {
    const { nic, descriptors, buffers } = rx();
    nic.receivePackets(0, [100]);
    expect(length(descriptors, 0)).toBe(104);
    expect(status(descriptors, 0)).toBe(e.E1000_RXD_STAT_DD | e.E1000_RXD_STAT_EOP);
    expect(descriptors.getUint8(13)).toBe(0); // errors
    // Unicast to the NIC's address, EtherType 0x88B5, then the payload; the FCS reads as zeros.
    expect([...buffers.bytes.subarray(0, 6)]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect([buffers.getUint8(12), buffers.getUint8(13)]).toEqual([0x88, 0xb5]);
    expect([...buffers.bytes.subarray(100, 104)]).toEqual([0, 0, 0, 0]);
    expect(nic.read32(e.E1000_RDH0)).toBe(1);
  });

  it('leave out the FCS with RCTL.SECRC (QEMU e1000x_fcs_len)', () => {
    const { nic, descriptors } = rx(e.E1000_RCTL_SECRC);
    nic.receivePackets(0, [100]);
    expect(length(descriptors, 0)).toBe(100);
  });

  it('span several buffers for a large frame, EOP on the last (8254x SDM §3.2.3.1)', () => {
    const { nic, descriptors } = rx(e.E1000_RCTL_SZ_256, 256);
    nic.receivePackets(0, [596]);
    expect([0, 1, 2].map((i) => length(descriptors, i))).toEqual([256, 256, 88]);
    expect([0, 1, 2].map((i) => status(descriptors, i))).toEqual([1, 1, 3]);
    expect(nic.read32(e.E1000_RDH0)).toBe(3);
  });

  it('carry payload byte k of frame n as (n + k) mod 256, across buffers and past 256 bytes', () => {
    // Frame 0 of 1,514 bytes in one 2,048-byte buffer, frame 1 of 1,000 bytes over 256-byte buffers.
    const whole = rx();
    whole.nic.receivePackets(0, [1514]);
    const got = [...whole.buffers.bytes.subarray(14, 1514)];
    expect(got).toEqual(Array.from({ length: 1500 }, (_, j) => (14 + j) & 0xff));
    expect([...whole.buffers.bytes.subarray(1514, 1518)]).toEqual([0, 0, 0, 0]);

    const split = rx(e.E1000_RCTL_SZ_256, 256);
    split.nic.receivePackets(0, [60, 1000]);
    // Frame 1 starts in buffer 1 (frame 0 took buffer 0) and fills buffers 1–4.
    const frame = [...split.buffers.bytes.subarray(256, 256 + 1000)];
    expect(frame.slice(14)).toEqual(Array.from({ length: 986 }, (_, j) => (1 + 14 + j) & 0xff));
  });

  it('are never written at RDT: the NIC owns head up to tail - 1 (8254x SDM §3.2.6)', () => {
    const { nic, descriptors } = rx();
    nic.write32(e.E1000_RDT0, 3);
    nic.receivePackets(0, 5);
    expect([0, 1, 2, 3].map((i) => status(descriptors, i))).toEqual([3, 3, 3, 0]);
    expect(nic.framesHeld(0)).toBe(2);
  });
});

describe('legacy TX descriptors', () => {
  function tx(commands: number[]) {
    const env = setup({ txCompletionTicksMin: 1, txCompletionTicksMax: 1 });
    const ring = env.txRing(8);
    commands.forEach((command, i) => ring.setUint8(i * 16 + 11, command));
    env.nic.write32(e.E1000_TCTL, e.E1000_TCTL_EN);
    return { ...env, ring };
  }

  it('get DD written back only where CMD.RS is set (8254x SDM §3.3.3 note 2; QEMU e1000e_txdesc_writeback)', () => {
    const { nic, ring, advanceTo } = tx([0, 0, e.E1000_TXD_CMD_EOP | e.E1000_TXD_CMD_RS]);
    nic.write32(e.E1000_TDT0, 3);
    advanceTo(1);
    expect([0, 1, 2].map((i) => status(ring, i))).toEqual([0, 0, e.E1000_TXD_STAT_DD]);
    expect(nic.read32(e.E1000_TDH0)).toBe(3);
    expect(nic.read32(e.E1000_GPTC)).toBe(1);
  });

  it('raise only TXQE for a pass that wrote nothing back (QEMU e1000e_start_xmit)', () => {
    const { nic, advanceTo } = tx([e.E1000_TXD_CMD_EOP]);
    nic.write32(e.E1000_TDT0, 1);
    advanceTo(1);
    expect(nic.read32(e.E1000_ICS)).toBe(e.E1000_ICR_TXQE);
  });

  it('are not processed while TARC0 bit 10 is clear (QEMU e1000e_set_tdt)', () => {
    const { nic, advanceTo } = tx([e.E1000_TXD_CMD_EOP | e.E1000_TXD_CMD_RS]);
    nic.write32(e.E1000_TARC0, 0x3);
    nic.write32(e.E1000_TDT0, 1);
    advanceTo(100);
    expect(nic.read32(e.E1000_TDH0)).toBe(0);
  });
});

describe('the registers of an initialization sequence', () => {
  it('EERD completes at once with DONE and the word (QEMU e1000e_set_eerd; Linux e1000e_read_nvm_eerd)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_EERD, (0x0b << 2) | e.E1000_EERW_START);
    expect(nic.read32(e.E1000_EERD)).toBe(((0x10d3 << 16) | (0x0b << 2) | e.E1000_EERW_DONE) >>> 0);
    nic.write32(e.E1000_EERD, 5 << 2); // no START
    expect(nic.read32(e.E1000_EERD)).toBe(5 << 2);
  });

  it('the NVM holds the MAC in words 0–2 and sums to 0xBABA (QEMU e1000x_core_prepare_eeprom; Linux e1000e_validate_nvm_checksum_generic)', () => {
    const { nic } = setup({ macAddress: [0x02, 0x11, 0x22, 0x33, 0x44, 0x55] });
    const words: number[] = [];
    for (let address = 0; address < 64; address++) {
      nic.write32(e.E1000_EERD, (address << 2) | e.E1000_EERW_START);
      words.push(nic.read32(e.E1000_EERD) >>> 16);
    }
    expect(words.slice(0, 3)).toEqual([0x1102, 0x3322, 0x5544]);
    expect(words.reduce((sum, word) => (sum + word) & 0xffff, 0)).toBe(0xbaba);
  });

  it('EEWR writes a word of the NVM image (QEMU e1000e_set_eewr)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_EEWR, (0xabcd << 16) | (5 << 2) | e.E1000_EERW_START);
    nic.write32(e.E1000_EERD, (5 << 2) | e.E1000_EERW_START);
    expect(nic.read32(e.E1000_EERD) >>> 16).toBe(0xabcd);
  });

  it('MDIC reads the 82574 PHY id, READY and REGADD echoed (QEMU e1000e_phy_reg_init; Linux e1000e_read_phy_reg_mdic)', () => {
    const { nic } = setup();
    const read = (register: number): number => {
      nic.write32(e.E1000_MDIC, (register << 16) | (1 << 21) | e.E1000_MDIC_OP_READ);
      return nic.read32(e.E1000_MDIC);
    };
    const id1 = read(2);
    const id2 = read(3);
    expect(id1 & e.E1000_MDIC_READY).toBe(e.E1000_MDIC_READY);
    expect(id1 & e.E1000_MDIC_ERROR).toBe(0);
    expect((id1 >>> 16) & 0x1f).toBe(2);
    expect([id1 & 0xffff, id2 & 0xffff]).toEqual([0x0141, 0x0cb1]);
  });

  it('MDIC sets ERROR for a register the PHY lacks, or another PHY address (QEMU e1000e_set_mdic; I210 DS §3.7.2.2)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_MDIC, (12 << 16) | (1 << 21) | e.E1000_MDIC_OP_READ);
    expect(nic.read32(e.E1000_MDIC) & (e.E1000_MDIC_READY | e.E1000_MDIC_ERROR)).toBe(
      (e.E1000_MDIC_READY | e.E1000_MDIC_ERROR) >>> 0,
    );
    nic.write32(e.E1000_MDIC, (1 << 16) | (2 << 21) | e.E1000_MDIC_OP_READ);
    const value = nic.read32(e.E1000_MDIC);
    expect(value & 0xffff).toBe(0xffff);
    expect(value & e.E1000_MDIC_ERROR).toBe(e.E1000_MDIC_ERROR);
  });

  it('MDIC writes a PHY register, and INT_EN raises MDAC (QEMU e1000e_set_mdic)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_IMS, e.E1000_ICR_MDAC);
    nic.write32(e.E1000_MDIC, (4 << 16) | (1 << 21) | e.E1000_MDIC_OP_WRITE | e.E1000_MDIC_INT_EN | 0x01e1);
    expect(nic.lineAsserted()).toBe(true);
    nic.write32(e.E1000_MDIC, (4 << 16) | (1 << 21) | e.E1000_MDIC_OP_READ);
    expect(nic.read32(e.E1000_MDIC) & 0xffff).toBe(0x01e1);
  });

  it('EXTCNF_CTRL grants MDIO software ownership on write (QEMU: plain RW; Linux e1000_get_hw_semaphore_82573)', () => {
    const { nic } = setup();
    nic.write32(e.E1000_EXTCNF_CTRL, nic.read32(e.E1000_EXTCNF_CTRL) | e.E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP);
    expect(nic.read32(e.E1000_EXTCNF_CTRL) & e.E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP).toBe(
      e.E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP,
    );
  });

  it('SWSM: a read returns the semaphore and sets SMBI, the first reader sees it free (SDM-E SWSM; QEMU e1000e_mac_swsm_read)', () => {
    const { nic } = setup();
    expect(nic.read32(e.E1000_SWSM)).toBe(0);
    expect(nic.read32(e.E1000_SWSM)).toBe(e.E1000_SWSM_SMBI);
    nic.write32(e.E1000_SWSM, 0);
    expect(nic.read32(e.E1000_SWSM) & e.E1000_SWSM_SMBI).toBe(0);
  });

  it('STATUS.GIO_MASTER_ENABLE reads 0 while CTRL.GIO_MASTER_DISABLE is set (QEMU e1000e_get_status)', () => {
    const { nic } = setup();
    expect(nic.read32(e.E1000_STATUS) & e.E1000_STATUS_GIO_MASTER_ENABLE).not.toBe(0);
    nic.write32(e.E1000_CTRL, nic.read32(e.E1000_CTRL) | e.E1000_CTRL_GIO_MASTER_DISABLE);
    expect(nic.read32(e.E1000_STATUS) & e.E1000_STATUS_GIO_MASTER_ENABLE).toBe(0);
  });

  it.each([
    { name: 'RDTR', offset: e.E1000_RDTR, write: 0x8000_0123, want: 0x123 },
    { name: 'RADV', offset: e.E1000_RADV, write: 0x1_0008, want: 8 },
    { name: 'TIDV', offset: e.E1000_TIDV, write: 8, want: 8 },
    { name: 'TADV', offset: e.E1000_TADV, write: 32, want: 32 },
    { name: 'TXDCTL0', offset: e.E1000_TXDCTL0, write: 0x0141011f, want: 0x0141011f },
    { name: 'RXDCTL0', offset: e.E1000_RXDCTL0, write: 0x01040420, want: 0x01040420 },
    { name: 'RAH1', offset: e.E1000_RAH0 + 8, write: 0x8000_1234, want: 0x8000_1234 },
    { name: 'MTA5', offset: e.E1000_MTA + 20, write: 0xffff_ffff, want: 0xffff_ffff },
    { name: 'FCAH', offset: e.E1000_FCAH, write: 0x1234_0100, want: 0x0100 },
    { name: 'FCRTL', offset: e.E1000_FCRTL, write: 0xffff_ffff, want: 0x8000_fff8 },
  ])(
    '$name reads back what was written, under its mask, with no warning (QEMU e1000e_macreg writeops)',
    ({ offset, write, want }) => {
      const { nic, reports } = setup();
      nic.write32(offset, write);
      expect(nic.read32(offset)).toBe(want >>> 0);
      expect(reports).toEqual([]);
    },
  );
});
