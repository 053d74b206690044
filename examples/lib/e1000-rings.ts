/**
 * Descriptor rings of an e1000 driver, as the Intel drivers keep them: legacy 16-byte RX and TX
 * descriptors and one packet buffer per descriptor, all in memory from NdisMAllocateSharedMemory.
 * The driver programs each ring's physical base (both halves), length, head and tail; the NIC writes
 * received frames into the buffers and DD (descriptor done) into the descriptors, which the driver
 * polls. The examples share this file; nothing in it is specific to the simulator.
 *
 * Call `allocateRing` and `programRxRing` / `programTxRing` from MiniportInitializeEx
 * (PASSIVE_LEVEL); `cleanRxRing`, `postTxFrame` and `reclaimTxRing` from the DPC under the ring's
 * spin lock; `freeRing` from MiniportHaltEx once the receiver and transmitter are off.
 */
import type { NDIS_HANDLE, NdisFunctions } from '@ddikit/ndis';
import { e1000, type RegisterHandle, type SharedMemory } from '@ddikit/sim';

/** A descriptor ring and its buffers in shared memory. */
export interface Ring {
  /** Descriptors in the ring (a multiple of 8). */
  readonly count: number;
  /** Bytes of each packet buffer (RCTL.BSIZE for RX). */
  readonly bufferBytes: number;
  readonly descriptors: SharedMemory;
  readonly descriptorsAddress: bigint;
  /** The packet buffers (null for a ring without buffers: its descriptors transfer nothing). */
  readonly buffers: SharedMemory | null;
  readonly buffersAddress: bigint;
  /** RX: the next descriptor to clean. TX: the next to post. */
  next: number;
  /** TX: the next descriptor to reclaim, and how many are posted and not yet reclaimed. */
  clean: number;
  inFlight: number;
}

/** A ring's registers: base low and high, length, head, tail. */
export interface RingRegisters {
  readonly BAL: RegisterHandle;
  readonly BAH: RegisterHandle;
  readonly LEN: RegisterHandle;
  readonly H: RegisterHandle;
  readonly T: RegisterHandle;
}

const DESCRIPTOR = e1000.E1000_DESCRIPTOR_BYTES;
const LENGTH = e1000.E1000_DESC_LENGTH;
const STATUS = e1000.E1000_DESC_STATUS;
const COMMAND = e1000.E1000_TXD_CMD;

/**
 * A ring of `count` descriptors with a buffer of `bufferBytes` each (0: no buffers, for a TX ring whose
 * descriptors carry no data); null when memory is short.
 */
export function allocateRing(
  ndis: NdisFunctions,
  adapterHandle: NDIS_HANDLE,
  count: number,
  bufferBytes: number,
): Ring | null {
  const descriptors = allocate(ndis, adapterHandle, count * DESCRIPTOR);
  if (descriptors === null) return null;
  const buffers = bufferBytes === 0 ? null : allocate(ndis, adapterHandle, count * bufferBytes);
  if (buffers === null && bufferBytes !== 0) {
    free(ndis, adapterHandle, descriptors);
    return null;
  }
  for (let i = 0; buffers !== null && i < count; i++) {
    descriptors.memory.setBigUint64(i * DESCRIPTOR, buffers.address + BigInt(i * bufferBytes));
  }
  return {
    count,
    bufferBytes,
    descriptors: descriptors.memory,
    descriptorsAddress: descriptors.address,
    buffers: buffers?.memory ?? null,
    buffersAddress: buffers?.address ?? 0n,
    next: 0,
    clean: 0,
    inFlight: 0,
  };
}

/** Frees a ring's memory (the NIC must no longer reach it). */
export function freeRing(ndis: NdisFunctions, adapterHandle: NDIS_HANDLE, ring: Ring): void {
  if (ring.buffers !== null) free(ndis, adapterHandle, { memory: ring.buffers, address: ring.buffersAddress });
  free(ndis, adapterHandle, { memory: ring.descriptors, address: ring.descriptorsAddress });
}

/** Programs an RX ring and hands every descriptor but one to the NIC. */
export function programRxRing(regs: RingRegisters, ring: Ring): void {
  programBase(regs, ring);
  regs.H.value = 0;
  regs.T.value = ring.count - 1;
}

/** Programs a TX ring, empty. */
export function programTxRing(regs: RingRegisters, ring: Ring): void {
  programBase(regs, ring);
  regs.H.value = 0;
  regs.T.value = 0;
}

function programBase(regs: RingRegisters, ring: Ring): void {
  regs.BAL.value = Number(ring.descriptorsAddress & 0xffff_ffffn);
  regs.BAH.value = Number(ring.descriptorsAddress >> 32n);
  regs.LEN.value = ring.count * DESCRIPTOR;
}

/**
 * Takes the frames the NIC wrote (DD set) from `ring.next` on, hands their descriptors back by moving
 * the tail, and returns how many frames arrived; `onFrame` sees each (its buffer offset and length).
 * A descriptor without EOP continues the frame in the next one.
 */
export function cleanRxRing(
  ring: Ring,
  tail: RegisterHandle,
  onFrame?: (offset: number, length: number) => void,
): number {
  const d = ring.descriptors;
  let frames = 0;
  let cleaned = 0;
  while (cleaned < ring.count - 1) {
    const at = ring.next * DESCRIPTOR;
    const status = d.getUint8(at + STATUS);
    if ((status & e1000.E1000_RXD_STAT_DD) === 0) break;
    if ((status & e1000.E1000_RXD_STAT_EOP) !== 0) {
      frames++;
      onFrame?.(ring.next * ring.bufferBytes, d.getUint16(at + LENGTH));
    }
    d.setUint8(at + STATUS, 0); // the NIC sets DD again when it writes the descriptor next
    ring.next = (ring.next + 1) % ring.count;
    cleaned++;
  }
  // The NIC owns head up to tail - 1: the descriptor before the next to clean is the last it may fill.
  if (cleaned > 0) tail.value = (ring.next + ring.count - 1) % ring.count;
  return frames;
}

/**
 * Posts one frame of `length` bytes (copied from `source` at `offset`, when given) on a TX ring, with
 * RS so the NIC reports it done, and moves the tail. False when the ring is full.
 */
export function postTxFrame(
  ring: Ring,
  tail: RegisterHandle,
  length: number,
  source?: SharedMemory | null,
  offset = 0,
): boolean {
  if (ring.inFlight >= ring.count - 1) return false;
  const index = ring.next;
  const bytes = Math.min(length, ring.bufferBytes);
  if (source != null && ring.buffers !== null)
    ring.buffers.bytes.set(source.bytes.subarray(offset, offset + bytes), index * ring.bufferBytes);
  const at = index * DESCRIPTOR;
  const d = ring.descriptors;
  d.setUint16(at + LENGTH, bytes);
  d.setUint8(at + COMMAND, e1000.E1000_TXD_CMD_EOP | e1000.E1000_TXD_CMD_IFCS | e1000.E1000_TXD_CMD_RS);
  d.setUint8(at + STATUS, 0);
  ring.next = (index + 1) % ring.count;
  ring.inFlight++;
  tail.value = ring.next;
  return true;
}

/** Reclaims the TX descriptors the NIC reported done (DD); returns how many frames were sent. */
export function reclaimTxRing(ring: Ring): number {
  const d = ring.descriptors;
  let sent = 0;
  while (ring.inFlight > 0 && (d.getUint8(ring.clean * DESCRIPTOR + STATUS) & e1000.E1000_TXD_STAT_DD) !== 0) {
    d.setUint8(ring.clean * DESCRIPTOR + STATUS, 0);
    ring.clean = (ring.clean + 1) % ring.count;
    ring.inFlight--;
    sent++;
  }
  return sent;
}

interface Block {
  readonly memory: SharedMemory;
  readonly address: bigint;
}

function allocate(ndis: NdisFunctions, adapterHandle: NDIS_HANDLE, length: number): Block | null {
  const virtualAddress = { value: null as unknown };
  const physicalAddress = { value: 0n };
  ndis.NdisMAllocateSharedMemory(adapterHandle, length, false, virtualAddress, physicalAddress);
  if (virtualAddress.value === null) return null;
  return { memory: virtualAddress.value as SharedMemory, address: physicalAddress.value };
}

function free(ndis: NdisFunctions, adapterHandle: NDIS_HANDLE, block: Block): void {
  ndis.NdisMFreeSharedMemory(adapterHandle, block.memory.length, false, block.memory, block.address);
}

/** The registers of RX (`RD`) or TX (`TD`) ring `queue` among an adapter's named registers. */
export function ringRegisters(
  registers: Readonly<Record<string, RegisterHandle>>,
  prefix: 'RD' | 'TD',
  queue: number,
): RingRegisters {
  const pick = (name: string): RegisterHandle => {
    const handle = registers[`${prefix}${name}${queue}`];
    if (handle === undefined) throw new Error(`the device has no ${prefix}${name}${queue} register`);
    return handle;
  };
  return { BAL: pick('BAL'), BAH: pick('BAH'), LEN: pick('LEN'), H: pick('H'), T: pick('T') };
}

/**
 * Rings for drivers that follow the NIC by its head registers (RDH, TDH) rather than by DD bits:
 * `queues` RX rings with buffers and as many TX rings without (each TX descriptor an empty frame
 * with EOP and RS, so the NIC reports it done), each of `count` descriptors, programmed (bases,
 * lengths, heads; RX tails hand all but one descriptor to the NIC). Returns the function that frees
 * them, or null when memory is short.
 */
export function mapHeadTrackedRings(
  ndis: NdisFunctions,
  adapterHandle: NDIS_HANDLE,
  registers: Readonly<Record<string, RegisterHandle>>,
  queues: number,
  count: number,
): (() => void) | null {
  const rings: Ring[] = [];
  const freeAll = (): void => {
    for (const ring of rings) freeRing(ndis, adapterHandle, ring);
    rings.length = 0;
  };
  for (let queue = 0; queue < queues; queue++) {
    const rx = allocateRing(ndis, adapterHandle, count, 2048);
    const tx = rx === null ? null : allocateRing(ndis, adapterHandle, count, 0);
    if (rx !== null) rings.push(rx);
    if (rx === null || tx === null) {
      freeAll();
      return null;
    }
    rings.push(tx);
    for (let i = 0; i < count; i++)
      tx.descriptors.setUint8(i * DESCRIPTOR + COMMAND, e1000.E1000_TXD_CMD_EOP | e1000.E1000_TXD_CMD_RS);
    programRxRing(ringRegisters(registers, 'RD', queue), rx);
    programTxRing(ringRegisters(registers, 'TD', queue), tx);
  }
  return freeAll;
}
