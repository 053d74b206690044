/**
 * The NIC's transmit path (QEMU's `e1000e_start_xmit` / `e1000e_process_tx_desc` /
 * `e1000e_txdesc_writeback`, 8254x manual §3.3.3): the descriptors the driver posted by moving TDT
 * are fetched by DMA from TDH on and their buffers read; a frame ends at the descriptor with CMD.EOP.
 * Only a descriptor with CMD.RS (or every descriptor, with IVAR bit 31 in MSI-X mode) gets DD
 * written back into its status byte; TDH moves on past every descriptor processed. A pass raises
 * TXDW (INTx, MSI) or TXQ0/TXQ1 (MSI-X) when it wrote a descriptor back, and TXQE when the ring is
 * empty afterwards.
 */
import type { DeviceDma } from '../shared-memory.js';
import { SLOT } from './e1000-register-table.js';
import {
  E1000_DESC_LENGTH,
  E1000_DESC_STATUS,
  E1000_DESCRIPTOR_BYTES,
  E1000_ICR_TXDW,
  E1000_ICR_TXQ0,
  E1000_ICR_TXQ1,
  E1000_ICR_TXQE,
  E1000_IVAR_TX_INT_EVERY_WB,
  E1000_TXD_CMD,
  E1000_TXD_CMD_EOP,
  E1000_TXD_CMD_RS,
  E1000_TXD_STAT_DD,
} from './e1000-registers.js';
import type { NicStats } from './e1000-stats.js';
import { increment, readAddress } from './receiver.js';
import type { Ring } from './ring.js';

export interface TransmitterPort {
  readonly mac: Uint32Array;
  readonly counters: NicStats;
  readonly dma: DeviceDma | undefined;
  readonly msix: boolean;
}

/** Processes up to `descriptorsMax` posted descriptors of `ring` (TX queue `queue`); returns the causes. */
export function transmit(port: TransmitterPort, ring: Ring, queue: number, descriptorsMax: number): number {
  const { mac, dma, counters } = port;
  const posted = ring.owned();
  if (posted === 0 || dma === undefined) return 0;
  const everyWriteBack = port.msix && (mac[SLOT.IVAR]! & E1000_IVAR_TX_INT_EVERY_WB) !== 0;
  const count = Math.min(posted, descriptorsMax);
  let wroteBack = false;
  for (let i = 0; i < count; i++) {
    const index = ring.head;
    const descriptor = dma.read(ring.descriptorAddress(index), E1000_DESCRIPTOR_BYTES, `TX descriptor ${index}`);
    if (descriptor === null) return wroteBack ? writeBackCause(port, queue) : 0; // the ring is unusable
    const length = descriptor[E1000_DESC_LENGTH]! | (descriptor[E1000_DESC_LENGTH + 1]! << 8);
    const address = readAddress(descriptor);
    // A null address or zero length transfers nothing (8254x manual §3.3.3, note 3).
    if (length > 0 && address !== 0) dma.read(address, length, `TX buffer ${index}`);
    const command = descriptor[E1000_TXD_CMD]!;
    if ((command & E1000_TXD_CMD_EOP) !== 0) {
      increment(mac, SLOT.GPTC);
      increment(mac, SLOT.TPT);
      counters.packetsTransmitted++;
    }
    if ((command & E1000_TXD_CMD_RS) !== 0 || everyWriteBack) {
      descriptor[E1000_DESC_STATUS] = descriptor[E1000_DESC_STATUS]! | E1000_TXD_STAT_DD;
      wroteBack = true;
    }
    counters.descriptorsTransmitted++;
    ring.advanceHead();
  }
  let causes = wroteBack ? writeBackCause(port, queue) : 0;
  if (ring.owned() === 0) causes |= E1000_ICR_TXQE;
  return causes;
}

function writeBackCause(port: TransmitterPort, queue: number): number {
  return port.msix ? (queue === 0 ? E1000_ICR_TXQ0 : E1000_ICR_TXQ1) : E1000_ICR_TXDW;
}
