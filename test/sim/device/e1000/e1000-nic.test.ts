import { describe, expect, it } from 'vitest';
import { REGISTER_REMOVED_VALUE } from '../../../../packages/sim/src/device/device.js';
import { E1000Nic } from '../../../../packages/sim/src/device/e1000/e1000-nic.js';
import {
  E1000_CTRL,
  E1000_CTRL_EXT,
  E1000_CTRL_EXT_IAME,
  E1000_CTRL_RST,
  E1000_EIAC,
  E1000_EITR_82574,
  E1000_GPRC,
  E1000_GPTC,
  E1000_IAM,
  E1000_ICR,
  E1000_ICR_INT_ASSERTED,
  E1000_ICR_LSC,
  E1000_ICR_OTHER,
  E1000_ICR_RXDMT0,
  E1000_ICR_RXO,
  E1000_ICR_RXQ0,
  E1000_ICR_RXQ1,
  E1000_ICR_RXT0,
  E1000_ICR_TXDW,
  E1000_ICR_TXQ0,
  E1000_ICR_TXQE,
  E1000_ICS,
  E1000_IMC,
  E1000_IMS,
  E1000_ITR,
  E1000_IVAR,
  E1000_IVAR_ENTRY,
  E1000_IVAR_OTHER_SHIFT,
  E1000_IVAR_RXQ0_SHIFT,
  E1000_IVAR_RXQ1_SHIFT,
  E1000_IVAR_TXQ0_SHIFT,
  E1000_MPC,
  E1000_RCTL,
  E1000_RCTL_EN,
  E1000_RCTL_RDMTS_QUAT,
  E1000_RDH0,
  E1000_RDLEN0,
  E1000_RDT0,
  E1000_RDT1,
  E1000_REGISTER_WINDOW_BYTES,
  E1000_STATUS,
  E1000_STATUS_LU,
  E1000_TCTL,
  E1000_TCTL_EN,
  E1000_TDH0,
  E1000_TDT0,
  NIC_REGISTERS,
} from '../../../../packages/sim/src/device/e1000/e1000.js';
import { resolveNicOptions, type NicOptions } from '../../../../packages/sim/src/device/e1000/e1000-options.js';
import { Prng } from '../../../../packages/sim/src/core/prng.js';
import { ArrayBufferBacking, DmaSpace, type SharedMemory } from '../../../../packages/sim/src/device/shared-memory.js';
import type { Violation } from '../../../../packages/sim/src/verifier/violation-sink.js';

/** What a test driver mapped for each NIC: its DMA space and its RX rings' descriptors. */
const hosts = new WeakMap<E1000Nic, { dma: DmaSpace; rings: (SharedMemory | null)[] }>();

/**
 * A NIC attached to a fake host whose clock the test moves, with shared memory for its DMA and the
 * reports it makes collected. Traffic is off unless the options turn it on.
 */
function setup(options: NicOptions = {}, seed = 1) {
  const clock = { now: 0 };
  const reports: Violation[] = [];
  const dma = new DmaSpace(
    new ArrayBufferBacking(),
    () => clock.now,
    (v) => reports.push(v),
    'e1000',
  );
  const nic = new E1000Nic({ rxArrivalGapTicksMax: 0, ...options });
  nic.attach({ prng: new Prng(seed), nowTicks: () => clock.now, dma, report: (v) => reports.push(v) });
  nic.reset();
  hosts.set(nic, { dma, rings: [null, null, null, null] });
  /** Moves time to `tick` and lets the NIC run everything due. */
  const advanceTo = (tick: number): void => {
    clock.now = tick;
    nic.tick(tick);
  };
  return { nic, clock, advanceTo, dma, reports };
}

/** ICR as ICS reads it back: the causes, without clearing them. */
function causes(nic: E1000Nic): number {
  return nic.read32(E1000_ICS) & ~E1000_ICR_INT_ASSERTED;
}

/**
 * A ring of `count` descriptors in shared memory (with 2048-byte buffers for RX), programmed into
 * ring `ring` (0, 1: RX queues; 2, 3: TX queues). Returns the descriptors.
 */
function mapRing(nic: E1000Nic, ring: number, count = 256): SharedMemory {
  const host = hosts.get(nic)!;
  const descriptors = host.dma.allocate(count * 16)!;
  const memory = descriptors.block.virtualAddress as SharedMemory;
  if (ring < 2) {
    const buffers = host.dma.allocate(count * 2048)!;
    for (let i = 0; i < count; i++) memory.setBigUint64(i * 16, BigInt(buffers.address + i * 2048));
  }
  const base = (ring < 2 ? 0x2800 : 0x3800) + 0x100 * (ring % 2);
  nic.write32(base, descriptors.address % 2 ** 32);
  nic.write32(base + 4, Math.floor(descriptors.address / 2 ** 32));
  nic.write32(base + 8, count * 16);
  host.rings[ring] = memory;
  return memory;
}

/** Receiver on, queue `queue` a ring of `count` with `free` descriptors handed to the NIC (RDH 0, RDT free). */
function openRx(nic: E1000Nic, free: number, queue = 0, count = 256): SharedMemory {
  const ring = hosts.get(nic)!.rings[queue] ?? mapRing(nic, queue, count);
  nic.write32(E1000_RCTL, E1000_RCTL_EN);
  nic.write32(queue === 0 ? E1000_RDT0 : E1000_RDT1, free);
  return ring;
}

/** Whether the NIC wrote DD into descriptor `index` of a ring. */
function done(ring: SharedMemory, index: number): boolean {
  return (ring.getUint8(index * 16 + 12) & 1) === 1;
}

/** A TX ring of `count` descriptors, each an empty frame with EOP and, where `rs`, RS. */
function mapTx(nic: E1000Nic, count = 256, rs = true): SharedMemory {
  const ring = mapRing(nic, 2, count);
  for (let i = 0; i < count; i++) ring.setUint8(i * 16 + 11, rs ? 0x09 : 0x01);
  return ring;
}

describe('ICR', () => {
  it('returns the causes with INT_ASSERTED and clears them on read', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    expect(nic.read32(E1000_ICR)).toBe((E1000_ICR_INT_ASSERTED | E1000_ICR_RXT0 | E1000_ICR_TXDW) >>> 0);
    expect(nic.read32(E1000_ICR)).toBe(0);
  });

  it('drops the line when read in line mode', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(true);
    nic.read32(E1000_ICR);
    expect(nic.lineAsserted()).toBe(false);
  });

  it('clears only the causes written as 1 (write-1-to-clear)', () => {
    const { nic } = setup();
    nic.write32(E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    nic.write32(E1000_ICR, E1000_ICR_TXDW);
    expect(causes(nic)).toBe(E1000_ICR_RXT0);
  });
});

describe('ICS', () => {
  it.each([
    { given: 'mask empty', ims: 0, ics: E1000_ICR_RXT0, line: false },
    { given: 'other cause unmasked', ims: E1000_ICR_TXDW, ics: E1000_ICR_RXT0, line: false },
    { given: 'cause unmasked', ims: E1000_ICR_RXT0, ics: E1000_ICR_RXT0, line: true },
    { given: 'one of two unmasked', ims: E1000_ICR_LSC, ics: E1000_ICR_RXT0 | E1000_ICR_LSC, line: true },
  ])('sets the causes and asserts the line only when unmasked ($given)', ({ ims, ics, line }) => {
    const { nic } = setup();
    nic.write32(E1000_IMS, ims);
    nic.write32(E1000_ICS, ics);
    expect(causes(nic)).toBe(ics);
    expect(nic.lineAsserted()).toBe(line);
  });

  it('asserts the line once the pending cause is unmasked later', () => {
    const { nic } = setup();
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(false);
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(true);
    expect(nic.stats.lineAssertions).toBe(1);
  });
});

describe('IMS and IMC', () => {
  it('IMS sets bits (write-1-to-set), IMC clears bits (write-1-to-clear), reading IMS returns the mask', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_IMS, E1000_ICR_TXDW);
    expect(nic.read32(E1000_IMS)).toBe(E1000_ICR_RXT0 | E1000_ICR_TXDW);
    nic.write32(E1000_IMS, 0);
    expect(nic.read32(E1000_IMS)).toBe(E1000_ICR_RXT0 | E1000_ICR_TXDW);
    nic.write32(E1000_IMC, E1000_ICR_RXT0);
    expect(nic.read32(E1000_IMS)).toBe(E1000_ICR_TXDW);
    expect(nic.read32(E1000_IMC)).toBe(0);
  });

  it('IMS ignores bits that are not causes', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, 0xffff_ffff);
    expect(nic.read32(E1000_IMS) & E1000_ICR_INT_ASSERTED).toBe(0);
    expect(nic.read32(E1000_IMS) & E1000_ICR_RXQ0).toBe(E1000_ICR_RXQ0);
  });
});

describe('line level', () => {
  it.each([
    { ims: 0, icr: 0, line: false },
    { ims: E1000_ICR_RXT0, icr: 0, line: false },
    { ims: 0, icr: E1000_ICR_RXT0, line: false },
    { ims: E1000_ICR_RXT0, icr: E1000_ICR_TXDW, line: false },
    { ims: E1000_ICR_RXT0, icr: E1000_ICR_RXT0, line: true },
    { ims: E1000_ICR_RXT0 | E1000_ICR_LSC, icr: E1000_ICR_LSC | E1000_ICR_TXDW, line: true },
  ])('is (IMS & ICR) != 0 for IMS=$ims ICR=$icr', ({ ims, icr, line }) => {
    const { nic } = setup();
    nic.write32(E1000_IMS, ims);
    nic.write32(E1000_ICS, icr);
    expect(nic.lineAsserted()).toBe(line);
  });

  it('drops when IMC masks the last pending cause, though the cause stays in ICR', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    nic.write32(E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    nic.write32(E1000_IMC, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(true);
    nic.write32(E1000_IMC, E1000_ICR_TXDW);
    expect(nic.lineAsserted()).toBe(false);
    expect(causes(nic)).toBe(E1000_ICR_RXT0 | E1000_ICR_TXDW);
  });

  it('drops when ICR is cleared by writing 1s', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    nic.write32(E1000_ICR, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(false);
  });

  it('is never asserted in MSI-X mode', () => {
    const { nic } = setup();
    nic.setMessageSignaled(true);
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(false);
  });
});

describe('MSI-X', () => {
  /** MSI-X on; RXQ0 → vector 2, RXQ1 → vector 3, TXQ0 → 0, OTHER → 4; all five causes unmasked. */
  function msix(options: NicOptions = {}) {
    const env = setup(options);
    const { nic } = env;
    nic.setMessageSignaled(true);
    nic.write32(
      E1000_IVAR,
      (E1000_IVAR_ENTRY(2) << E1000_IVAR_RXQ0_SHIFT) |
        (E1000_IVAR_ENTRY(3) << E1000_IVAR_RXQ1_SHIFT) |
        (E1000_IVAR_ENTRY(0) << E1000_IVAR_TXQ0_SHIFT) |
        (E1000_IVAR_ENTRY(4) << E1000_IVAR_OTHER_SHIFT),
    );
    nic.write32(E1000_IMS, E1000_ICR_RXQ0 | E1000_ICR_RXQ1 | E1000_ICR_TXQ0 | E1000_ICR_OTHER);
    openRx(nic, 8, 0);
    openRx(nic, 8, 1);
    return env;
  }

  it('routes RXQ0 to the vector IVAR names for it', () => {
    const { nic } = msix();
    nic.receivePackets(0, 1);
    expect(causes(nic) & E1000_ICR_RXQ0).toBe(E1000_ICR_RXQ0);
    expect(causes(nic) & E1000_ICR_RXT0).toBe(0);
    expect(nic.pendingMessages()).toBe(1 << 2);
  });

  it('routes RXQ1 to its own vector', () => {
    const { nic } = msix();
    nic.receivePackets(1, 1);
    expect(nic.pendingMessages()).toBe(1 << 3);
  });

  it('routes LSC through OTHER', () => {
    const { nic } = msix();
    nic.setLinkUp(false);
    expect(causes(nic)).toBe(E1000_ICR_LSC | E1000_ICR_OTHER);
    expect(nic.pendingMessages()).toBe(1 << 4);
  });

  it('sends nothing for a cause whose IVAR entry is not valid', () => {
    const { nic } = msix();
    nic.write32(E1000_IVAR, 2 << E1000_IVAR_RXQ0_SHIFT); // vector 2 but no valid bit
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(0);
    expect(nic.stats.messagesUnrouted).toBe(1);
  });

  it('says a vector is blocked while every cause IVAR routes to it is masked and nothing of it is pending', () => {
    const { nic } = msix();
    // Every cause unmasked: each routed vector can send; vector 1 has no cause routed to it.
    expect([0, 1, 2, 3, 4].map((v) => nic.messageBlocked(v))).toEqual([false, true, false, false, false]);
    // EIAC auto-masks RXQ0 on delivery: vector 2 alone is blocked, the others can still send.
    nic.write32(E1000_EIAC, E1000_ICR_RXQ0);
    nic.receivePackets(0, 1);
    expect(nic.messageBlocked(2)).toBe(false); // pending
    nic.messageDelivered(2);
    expect([0, 1, 2, 3, 4].map((v) => nic.messageBlocked(v))).toEqual([false, true, true, false, false]);
    expect(nic.interruptsBlocked()).toBe(false);
    // The driver unmasks RXQ0 again: vector 2 can send.
    nic.write32(E1000_IMS, E1000_ICR_RXQ0);
    expect(nic.messageBlocked(2)).toBe(false);
    // A cause whose IVAR entry is not valid routes nowhere: it does not keep its vector open.
    nic.write32(E1000_IMC, 0xffffffff);
    nic.write32(E1000_IVAR, 2 << E1000_IVAR_RXQ0_SHIFT);
    nic.write32(E1000_IMS, E1000_ICR_RXQ0);
    expect(nic.messageBlocked(2)).toBe(true);
    nic.surpriseRemove();
    expect(nic.messageBlocked(0)).toBe(true);
  });

  it('keeps a vector pending until the harness delivers it', () => {
    const { nic } = msix();
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(1 << 2);
    nic.messageDelivered(2);
    expect(nic.pendingMessages()).toBe(0);
    expect(nic.stats.messagesDelivered).toBe(1);
  });

  it('EIAC auto-clears the cause from ICR (and, without IAME, from IMS) on delivery', () => {
    const { nic } = msix();
    nic.write32(E1000_EIAC, E1000_ICR_RXQ0);
    nic.receivePackets(0, 1);
    nic.messageDelivered(2);
    expect(causes(nic) & E1000_ICR_RXQ0).toBe(0);
    expect(nic.read32(E1000_IMS) & E1000_ICR_RXQ0).toBe(0);
  });

  it('EIAC with CTRL_EXT.IAME clears ICR but leaves IMS', () => {
    const { nic } = msix();
    nic.write32(E1000_CTRL_EXT, E1000_CTRL_EXT_IAME);
    nic.write32(E1000_EIAC, E1000_ICR_RXQ0);
    nic.receivePackets(0, 1);
    nic.messageDelivered(2);
    expect(causes(nic) & E1000_ICR_RXQ0).toBe(0);
    expect(nic.read32(E1000_IMS) & E1000_ICR_RXQ0).toBe(E1000_ICR_RXQ0);
  });

  it('without EIAC the cause stays in ICR and the next packet sends no new message until ICR is cleared', () => {
    const { nic } = msix();
    nic.receivePackets(0, 1);
    nic.messageDelivered(2);
    expect(causes(nic) & E1000_ICR_RXQ0).toBe(E1000_ICR_RXQ0);
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(0);
    nic.write32(E1000_ICR, E1000_ICR_RXQ0);
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(1 << 2);
  });

  it('with EIAC every packet after a delivery sends a new message', () => {
    const { nic } = msix();
    nic.write32(E1000_EIAC, E1000_ICR_RXQ0);
    nic.write32(E1000_CTRL_EXT, E1000_CTRL_EXT_IAME);
    for (let i = 0; i < 3; i++) {
      nic.receivePackets(0, 1);
      expect(nic.pendingMessages()).toBe(1 << 2);
      nic.messageDelivered(2);
    }
    expect(nic.stats.messagesRaised).toBe(3);
  });

  it.each([
    { given: 'IMS zero', ims: 0, ctrlExt: 0, icr: E1000_ICR_RXQ0, cleared: true, imsAfter: 0 },
    {
      given: 'an unmasked cause set',
      ims: E1000_ICR_RXQ0,
      ctrlExt: 0,
      icr: E1000_ICR_RXQ0,
      cleared: true,
      imsAfter: E1000_ICR_RXQ0,
    },
    {
      given: 'only masked causes set',
      ims: E1000_ICR_TXQ0,
      ctrlExt: 0,
      icr: E1000_ICR_RXQ0,
      cleared: false,
      imsAfter: E1000_ICR_TXQ0,
    },
    {
      given: 'IAME, asserted: clears ICR and the IAM bits of IMS',
      ims: E1000_ICR_TXQ0 | E1000_ICR_RXQ0,
      ctrlExt: E1000_CTRL_EXT_IAME,
      icr: E1000_ICR_RXQ0,
      cleared: true,
      imsAfter: E1000_ICR_RXQ0,
    },
    {
      given: 'IAME, only masked causes set: no effect',
      ims: E1000_ICR_TXQ0 | E1000_ICR_RXQ1,
      ctrlExt: E1000_CTRL_EXT_IAME,
      icr: E1000_ICR_RXQ0,
      cleared: false,
      imsAfter: E1000_ICR_TXQ0 | E1000_ICR_RXQ1,
    },
  ])('an ICR read in MSI-X mode clears ICR only per the 82574 rules ($given)', (row) => {
    const { ims, ctrlExt, icr, cleared, imsAfter } = row;
    const { nic } = setup();
    nic.setMessageSignaled(true);
    nic.write32(E1000_CTRL_EXT, ctrlExt);
    nic.write32(E1000_IAM, E1000_ICR_TXQ0);
    nic.write32(E1000_IMS, ims);
    nic.write32(E1000_ICS, icr);
    const asserted = (ims & icr) !== 0 ? E1000_ICR_INT_ASSERTED : 0;
    expect(nic.read32(E1000_ICR)).toBe((icr | asserted) >>> 0);
    expect(causes(nic)).toBe(cleared ? 0 : icr);
    expect(nic.read32(E1000_IMS)).toBe(imsAfter);
  });
});

describe('ITR throttling', () => {
  // ITR 100 units × 256 ns = 25.6 µs = 256 ticks.
  it('holds the next line interrupt back until the interval has passed', () => {
    const { nic, clock, advanceTo } = setup();
    nic.write32(E1000_ITR, 100);
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(true);
    nic.read32(E1000_ICR);
    clock.now = 10;
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(false);
    expect(nic.nextEventTick(10)).toBe(256);
    advanceTo(255);
    expect(nic.lineAsserted()).toBe(false);
    advanceTo(256);
    expect(nic.lineAsserted()).toBe(true);
    expect(nic.stats.interruptsThrottled).toBe(1);
    expect(nic.read32(E1000_ITR)).toBe(100);
  });

  it('does not delay an interrupt raised after the interval', () => {
    const { nic, clock } = setup();
    nic.write32(E1000_ITR, 100);
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    nic.read32(E1000_ICR);
    clock.now = 256;
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    expect(nic.lineAsserted()).toBe(true);
  });

  it('with ITR 0 signals every interrupt at once', () => {
    const { nic, clock } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    for (let t = 0; t < 3; t++) {
      clock.now = t;
      nic.write32(E1000_ICS, E1000_ICR_RXT0);
      expect(nic.lineAsserted()).toBe(true);
      nic.read32(E1000_ICR);
    }
    expect(nic.stats.interruptsThrottled).toBe(0);
  });

  it('EITR holds an MSI-X vector back until its interval has passed', () => {
    const { nic, clock, advanceTo } = setup();
    nic.setMessageSignaled(true);
    nic.write32(E1000_IVAR, E1000_IVAR_ENTRY(1) << E1000_IVAR_RXQ0_SHIFT);
    nic.write32(E1000_EIAC, E1000_ICR_RXQ0);
    nic.write32(E1000_CTRL_EXT, E1000_CTRL_EXT_IAME);
    nic.write32(E1000_EITR_82574(1), 10); // 2.56 µs → 26 ticks
    nic.write32(E1000_IMS, E1000_ICR_RXQ0);
    openRx(nic, 8);
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(1 << 1);
    nic.messageDelivered(1);
    clock.now = 5;
    nic.receivePackets(0, 1);
    expect(nic.pendingMessages()).toBe(0);
    expect(nic.nextEventTick(5)).toBe(26);
    advanceTo(25);
    expect(nic.pendingMessages()).toBe(0);
    advanceTo(26);
    expect(nic.pendingMessages()).toBe(1 << 1);
  });
});

describe('RX rings', () => {
  it('writes frames into free descriptors, raising RXT0, and counts them in GPRC', () => {
    const { nic } = setup();
    const ring = openRx(nic, 4);
    nic.receivePackets(0, 3);
    expect(nic.read32(E1000_RDH0)).toBe(3);
    expect([0, 1, 2, 3].map((i) => done(ring, i))).toEqual([true, true, true, false]);
    expect(causes(nic) & E1000_ICR_RXT0).toBe(E1000_ICR_RXT0);
    expect(nic.read32(E1000_GPRC)).toBe(3);
    expect(nic.read32(E1000_GPRC)).toBe(0);
  });

  it('holds frames in its FIFO when no descriptor is free, and writes them when RDT moves', () => {
    const { nic } = setup();
    const ring = openRx(nic, 2);
    nic.receivePackets(0, 5);
    expect(nic.read32(E1000_RDH0)).toBe(2);
    expect(nic.framesHeld(0)).toBe(3);
    expect(causes(nic) & E1000_ICR_RXO).toBe(0);
    expect(nic.read32(E1000_MPC)).toBe(0);
    nic.write32(E1000_RDT0, 10);
    expect(nic.read32(E1000_RDH0)).toBe(5);
    expect(done(ring, 4)).toBe(true);
    expect(nic.framesHeld(0)).toBe(0);
  });

  it('ignores frames while the receiver is disabled', () => {
    const { nic } = setup();
    mapRing(nic, 0);
    nic.write32(E1000_RDT0, 4);
    nic.receivePackets(0, 2);
    expect(nic.read32(E1000_RDH0)).toBe(0);
    expect(causes(nic)).toBe(0);
    expect(nic.stats.packetsIgnored).toBe(2);
  });

  it('raises RXDMT0 when the free descriptors fall to the RDMTS threshold', () => {
    const { nic } = setup();
    mapRing(nic, 0, 64);
    nic.write32(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_RDMTS_QUAT);
    nic.write32(E1000_RDT0, 20); // 20 free; threshold 64 / 4 = 16
    nic.receivePackets(0, 3);
    expect(causes(nic) & E1000_ICR_RXDMT0).toBe(0);
    nic.receivePackets(0, 1);
    expect(causes(nic) & E1000_ICR_RXDMT0).toBe(E1000_ICR_RXDMT0);
  });

  it('writes only descriptors between head and tail, wrapping at the end of the ring', () => {
    const { nic } = setup();
    const ring = openRx(nic, 7, 0, 8);
    nic.receivePackets(0, 7);
    for (const i of [0, 1, 2, 3, 4, 5, 6]) ring.setUint8(i * 16 + 12, 0); // the driver takes them
    nic.write32(E1000_RDT0, 3); // hands back 7, 0, 1, 2
    expect(nic.read32(E1000_RDLEN0)).toBe(8 * 16);
    nic.receivePackets(0, 3); // fills 7, 0, 1
    expect([7, 0, 1, 2, 3].map((i) => done(ring, i))).toEqual([true, true, true, false, false]);
    expect(nic.read32(E1000_RDH0)).toBe(2);
  });
});

describe('TX descriptors', () => {
  function tx() {
    const env = setup({ txCompletionTicksMin: 10, txCompletionTicksMax: 20 });
    env.nic.write32(E1000_TCTL, E1000_TCTL_EN);
    env.nic.write32(E1000_IMS, E1000_ICR_TXDW);
    return { ...env, ring: mapTx(env.nic) };
  }

  it('raises TXDW after the driver posts descriptors by writing TDT, and writes DD back', () => {
    const { nic, advanceTo, ring } = tx();
    expect(nic.nextEventTick(0)).toBe(Infinity);
    nic.write32(E1000_TDT0, 3);
    expect(causes(nic)).toBe(0);
    const due = nic.nextEventTick(0);
    expect(due).toBeGreaterThanOrEqual(10);
    expect(due).toBeLessThanOrEqual(20);
    advanceTo(due - 1);
    expect(causes(nic)).toBe(0);
    advanceTo(due);
    expect(causes(nic)).toBe(E1000_ICR_TXDW | E1000_ICR_TXQE);
    expect(nic.lineAsserted()).toBe(true);
    expect(nic.read32(E1000_TDH0)).toBe(3);
    expect([0, 1, 2, 3].map((i) => done(ring, i))).toEqual([true, true, true, false]);
    expect(nic.read32(E1000_GPTC)).toBe(3);
  });

  it('processes nothing while the transmitter is disabled', () => {
    const { nic, advanceTo } = tx();
    nic.write32(E1000_TCTL, 0);
    nic.write32(E1000_TDT0, 3);
    advanceTo(1000);
    expect(causes(nic)).toBe(0);
    expect(nic.read32(E1000_TDH0)).toBe(0);
  });

  it('processes in batches of at most txDescriptorsPerCompletionMax, TXQE only when the ring is drained', () => {
    const { nic, advanceTo } = setup({
      txDescriptorsPerCompletionMax: 2,
      txCompletionTicksMin: 5,
      txCompletionTicksMax: 5,
    });
    mapTx(nic);
    nic.write32(E1000_TCTL, E1000_TCTL_EN);
    nic.write32(E1000_TDT0, 3);
    advanceTo(5);
    expect(nic.read32(E1000_TDH0)).toBe(2);
    expect(nic.read32(E1000_ICR) & ~E1000_ICR_INT_ASSERTED).toBe(E1000_ICR_TXDW);
    advanceTo(10);
    expect(nic.read32(E1000_TDH0)).toBe(3);
    expect(causes(nic)).toBe(E1000_ICR_TXDW | E1000_ICR_TXQE);
  });

  it('raises TXQ0 instead of TXDW in MSI-X mode', () => {
    const { nic, advanceTo } = tx();
    nic.setMessageSignaled(true);
    nic.write32(E1000_TDT0, 1);
    advanceTo(nic.nextEventTick(0));
    expect(causes(nic) & (E1000_ICR_TXQ0 | E1000_ICR_TXDW)).toBe(E1000_ICR_TXQ0);
  });
});

describe('link changes', () => {
  it('raise LSC and update STATUS.LU', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_LSC);
    expect(nic.read32(E1000_STATUS) & E1000_STATUS_LU).toBe(E1000_STATUS_LU);
    nic.setLinkUp(false);
    expect(nic.read32(E1000_STATUS) & E1000_STATUS_LU).toBe(0);
    expect(nic.read32(E1000_ICR) & E1000_ICR_LSC).toBe(E1000_ICR_LSC);
    nic.setLinkUp(false);
    expect(causes(nic)).toBe(0);
    nic.setLinkUp(true);
    expect(causes(nic)).toBe(E1000_ICR_LSC);
    expect(nic.lineAsserted()).toBe(true);
  });

  it('happen on their own when the traffic source is told to flap the link', () => {
    const { nic, advanceTo } = setup({ linkChangeGapTicksMin: 100, linkChangeGapTicksMax: 100 });
    advanceTo(99);
    expect(causes(nic)).toBe(0);
    advanceTo(100);
    expect(causes(nic)).toBe(E1000_ICR_LSC);
    expect(nic.linkIsUp).toBe(false);
    advanceTo(200);
    expect(nic.linkIsUp).toBe(true);
    expect(nic.stats.linkChanges).toBe(2);
  });
});

describe('traffic source', () => {
  /**
   * Runs a NIC with traffic on two queues for `ticks`, servicing it like a driver would (read ICR, hand
   * every received descriptor back), and returns the trace of (tick, queue, RDH) at each arrival.
   */
  function trace(seed: number, ticks = 20_000): string[] {
    const { nic, clock } = setup(
      {
        rxQueueCount: 2,
        rxArrivalGapTicksMin: 10,
        rxArrivalGapTicksMax: 300,
        rxPacketsPerArrivalMax: 4,
      },
      seed,
    );
    const rings = [openRx(nic, 63, 0, 64), openRx(nic, 63, 1, 64)];
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    const out: string[] = [];
    const heads = [0, 0];
    for (let step = 0; step < 10_000; step++) {
      const next = nic.nextEventTick(clock.now);
      if (next > ticks) break;
      clock.now = next;
      nic.tick(next);
      for (const queue of [0, 1]) {
        const rdh = nic.read32(E1000_RDH0 + 0x100 * queue);
        if (rdh !== heads[queue]) {
          out.push(`${next}:${queue}:${rdh}`);
          heads[queue] = rdh;
          for (let i = 0; i < 64; i++) rings[queue]!.setUint8(i * 16 + 12, 0);
          nic.write32(E1000_RDT0 + 0x100 * queue, (rdh + 63) % 64);
        }
      }
      nic.read32(E1000_ICR);
    }
    return out;
  }

  it('is deterministic per seed: the same seed gives the same arrivals', () => {
    const first = trace(42);
    expect(first.length).toBeGreaterThan(50);
    expect(trace(42)).toEqual(first);
  });

  it('differs between seeds', () => {
    expect(trace(43)).not.toEqual(trace(42));
  });

  it('feeds every configured queue and keeps arrivals inside the configured gaps', () => {
    const arrivals = trace(7).map((entry) => entry.split(':').map(Number) as [number, number, number]);
    for (const queue of [0, 1]) {
      const ticks = arrivals.filter(([, q]) => q === queue).map(([t]) => t);
      expect(ticks.length).toBeGreaterThan(10);
      for (let i = 1; i < ticks.length; i++) {
        const gap = ticks[i]! - ticks[i - 1]!;
        expect(gap).toBeGreaterThanOrEqual(10);
        expect(gap).toBeLessThanOrEqual(300);
      }
    }
  });

  it('draws burst sizes in 1..rxPacketsPerArrivalMax', () => {
    const bursts = new Set<number>();
    let previous = [0, 0];
    for (const entry of trace(9)) {
      const [, queue, rdh] = entry.split(':').map(Number) as [number, number, number];
      bursts.add((rdh - previous[queue]! + 64) % 64);
      previous = queue === 0 ? [rdh, previous[1]!] : [previous[0]!, rdh];
    }
    expect([...bursts].sort()).toEqual([1, 2, 3, 4]);
  });

  it('processes at most eventsPerTickMax events per tick call', () => {
    const { nic, advanceTo } = setup({
      rxArrivalGapTicksMin: 1,
      rxArrivalGapTicksMax: 1,
      rxPacketsPerArrivalMax: 1,
      eventsPerTickMax: 10,
    });
    openRx(nic, 200);
    advanceTo(1000);
    expect(nic.stats.packetsReceived).toBe(10);
    expect(nic.nextEventTick(1000)).toBe(1001);
  });
});

describe('surprise removal', () => {
  it('makes every register read 0xFFFFFFFF', () => {
    const { nic } = setup();
    nic.surpriseRemove();
    for (const register of NIC_REGISTERS) {
      expect(nic.read32(register.offset), register.name).toBe(REGISTER_REMOVED_VALUE);
    }
    expect(nic.present).toBe(false);
  });

  it('drops writes and stops all interrupts and traffic', () => {
    const { nic, advanceTo } = setup({ rxArrivalGapTicksMin: 5, rxArrivalGapTicksMax: 5 });
    openRx(nic, 8);
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.surpriseRemove();
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    advanceTo(100);
    expect(nic.lineAsserted()).toBe(false);
    expect(nic.pendingMessages()).toBe(0);
    expect(nic.nextEventTick(100)).toBe(Infinity);
    expect(nic.stats.packetsReceived).toBe(0);
    nic.reset();
    expect(nic.present).toBe(true);
    expect(nic.read32(E1000_IMS)).toBe(0);
  });
});

describe('register window', () => {
  it('resets every register on CTRL.RST', () => {
    const { nic } = setup();
    nic.write32(E1000_IMS, E1000_ICR_RXT0);
    nic.write32(E1000_ICS, E1000_ICR_RXT0);
    nic.write32(E1000_RDT0, 5);
    nic.write32(E1000_CTRL, E1000_CTRL_RST);
    expect(nic.read32(E1000_IMS)).toBe(0);
    expect(nic.read32(E1000_ICR)).toBe(0);
    expect(nic.read32(E1000_RDT0)).toBe(0);
    expect(nic.read32(E1000_CTRL) & E1000_CTRL_RST).toBe(0);
    expect(nic.lineAsserted()).toBe(false);
  });

  it('reads 0 and drops writes at offsets it does not model, counts them and reports each, naming the register', () => {
    const { nic, reports } = setup();
    nic.write32(0x5818, 0x1234);
    expect(nic.read32(0x5818)).toBe(0);
    expect(nic.read32(0x1234)).toBe(0);
    expect(nic.stats.unmodeledAccesses).toBe(3);
    expect(reports.map((r) => [r.rule, r.subject, r.site])).toEqual([
      ['NIC-UNMODELED-REGISTER', 'MRQC', 'write'],
      ['NIC-UNMODELED-REGISTER', 'MRQC', 'read'],
      ['NIC-UNMODELED-REGISTER', 'REG_0x1234', 'read'],
    ]);
    expect(reports[0]!.message).toBe(
      'write of MRQC (offset 0x5818): the e1000 model does not implement this register, so the write is dropped; the hardware would behave otherwise',
    );
  });

  it.each([3, -4, E1000_REGISTER_WINDOW_BYTES, 1.5])('rejects offset %s', (offset) => {
    const { nic } = setup();
    expect(() => nic.read32(offset)).toThrow(RangeError);
    expect(() => nic.write32(offset, 0)).toThrow(RangeError);
  });

  it('lists its registers sorted by offset, with unique names', () => {
    const offsets = NIC_REGISTERS.map((r) => r.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(new Set(NIC_REGISTERS.map((r) => r.name)).size).toBe(NIC_REGISTERS.length);
    expect(NIC_REGISTERS.find((r) => r.name === 'TDT0')?.offset).toBe(E1000_TDT0);
  });

  it('must be attached before it runs', () => {
    const nic = new E1000Nic();
    expect(() => nic.reset()).toThrow(/attach\(\)/);
  });
});

describe('options', () => {
  it.each([
    { given: { frameBytesMin: 10 }, want: /frameBytesMin must be an integer in 14\.\.16384/ },
    { given: { macAddress: [1, 2, 3] }, want: /macAddress must be 6 bytes/ },
    { given: { singleMessage: 'msy' }, want: /singleMessage must be 'msi' or 'msix'/ },
    { given: { rxQueueCount: 3 }, want: /rxQueueCount must be an integer in 1\.\.2/ },
    {
      given: { rxArrivalGapTicksMin: 50, rxArrivalGapTicksMax: 10 },
      want: /rxArrivalGapTicksMin must be an integer in 1\.\.10 \(got 50\)/,
    },
    { given: { txCompletionTicksMin: 0 }, want: /txCompletionTicksMin must be an integer in 1\./ },
    { given: { eventsPerTickMax: 0.5 }, want: /eventsPerTickMax must be an integer/ },
  ] as { given: NicOptions; want: RegExp }[])('rejects $given', ({ given, want }) => {
    expect(() => resolveNicOptions(given)).toThrow(want);
  });

  it('fills in defaults', () => {
    expect(resolveNicOptions({ rxQueueCount: 2 })).toMatchObject({ rxQueueCount: 2, singleMessage: 'msi' });
  });
});

describe('the bound on events per tick', () => {
  it('counts a tick that left due events for the next one, and runs them there', () => {
    // Arrivals every tick, but at most one event handled per tick: a jump of 100 ticks leaves most due.
    const { nic, advanceTo } = setup({ rxArrivalGapTicksMin: 1, rxArrivalGapTicksMax: 1, eventsPerTickMax: 1 });
    openRx(nic, 200);
    advanceTo(100);
    expect(nic.stats.eventBoundHits).toBe(1);
    const received = nic.stats.packetsReceived;
    expect(received).toBeGreaterThan(0);
    advanceTo(101);
    expect(nic.stats.packetsReceived).toBeGreaterThan(received);
  });

  it('stays quiet when every due event fits', () => {
    const { nic, advanceTo } = setup({ rxArrivalGapTicksMin: 1, rxArrivalGapTicksMax: 1 });
    openRx(nic, 200);
    for (let t = 1; t <= 100; t++) advanceTo(t);
    expect(nic.stats.packetsReceived).toBeGreaterThan(50);
    expect(nic.stats.eventBoundHits).toBe(0);
  });
});
