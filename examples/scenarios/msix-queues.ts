/**
 * A per-queue MSI-X miniport, laid out as virtio-net drivers and the 82574's e1000e driver lay out
 * their vectors: one message per RX queue and per TX queue, and one for the "other" causes (link).
 *
 *   message 0: RX queue 0    message 1: RX queue 1    message 2: TX queue 0
 *   message 3: TX queue 1    message 4: other (LSC)
 *
 * - MiniportInitializeEx sets MsiSupported and reads InterruptType: granted a line-based interrupt
 *   (NDIS may), it runs e1000-style on the line. Granted messages, it routes each queue's cause to
 *   its message (IVAR) and lets the NIC clear and mask a queue's cause when it sends the message
 *   (EIAC); each message's causes are enabled through NdisMSynchronizeWithInterruptEx with that
 *   message's id, so only that message's interrupt lock guards them.
 * - A queue's message ISR counts the interrupt in the queue's `interrupts` (shared with that ISR)
 *   and queues the message's DPC; the "other" ISR masks its cause first. Message interrupts are
 *   never shared: every message ISR returns TRUE.
 * - A message DPC takes its queue's spin lock at DISPATCH_LEVEL, cleans the ring, and — still
 *   holding the spin lock — calls NdisMSynchronizeWithInterruptEx for its message to take the count
 *   and unmask its cause (allowed: a synchronize call may be made at any IRQL up to DIRQL, and the
 *   spin lock is always taken before the interrupt lock, never after). RX DPCs then echo their
 *   frames on the TX queue of the same number.
 * - `syncWithAll: true` sets MsiSyncWithAllMessages: one lock and one DIRQL for every message.
 *   `sharedCounter: true` adds a bug that only MsiSyncWithAllMessages hides: one interrupt counter
 *   for all messages, incremented by every message ISR — without the option, two ISRs holding
 *   different message locks can run at once, and the detector reports ISR-SHARED-RACE.
 *   `sharedFrames: true` adds a bug no interrupt lock can hide: one frame count for every RX queue,
 *   added to by each queue's DPC under its own queue's spin lock — the DPCs of two messages run on
 *   two processors at once, and the detector reports DPC-SHARED-RACE.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_DISABLE_MESSAGE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_ENABLE_MESSAGE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_MESSAGE_INTERRUPT,
  MINIPORT_MESSAGE_INTERRUPT_DPC,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT,
  NDIS_CONNECT_MESSAGE_BASED,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  type NDIS_HANDLE,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_SPIN_LOCK,
} from '@ddikit/ndis';
import {
  defineMiniport,
  E1000Nic,
  e1000,
  REGISTER_REMOVED_VALUE,
  resourcesOf,
  setMiniportAdapterContext,
  type MiniportDefinition,
  type RegisterHandle,
  type Scenario,
  type SimResources,
} from '@ddikit/sim';
import { mapHeadTrackedRings } from '../lib/e1000-rings.js';

const RING = 64;
const ALL = 0xffffffff;
const GONE = REGISTER_REMOVED_VALUE;
const MESSAGE_OTHER = 4;
/** The cause each message carries (message m: CAUSES[m]). */
const CAUSES = [
  e1000.E1000_ICR_RXQ0,
  e1000.E1000_ICR_RXQ1,
  e1000.E1000_ICR_TXQ0,
  e1000.E1000_ICR_TXQ1,
  e1000.E1000_ICR_OTHER,
] as const;
const QUEUE_CAUSES = CAUSES[0] | CAUSES[1] | CAUSES[2] | CAUSES[3];
/** IVAR: each queue's cause, and the other causes, routed to their message. */
const IVAR =
  (e1000.E1000_IVAR_ENTRY(0) << e1000.E1000_IVAR_RXQ0_SHIFT) |
  (e1000.E1000_IVAR_ENTRY(1) << e1000.E1000_IVAR_RXQ1_SHIFT) |
  (e1000.E1000_IVAR_ENTRY(2) << e1000.E1000_IVAR_TXQ0_SHIFT) |
  (e1000.E1000_IVAR_ENTRY(3) << e1000.E1000_IVAR_TXQ1_SHIFT) |
  (e1000.E1000_IVAR_ENTRY(MESSAGE_OTHER) << e1000.E1000_IVAR_OTHER_SHIFT);
/** Line mode: the causes the line handlers enable. */
const LINE_ENABLED = e1000.E1000_IMS_RXT0 | e1000.E1000_IMS_TXDW | e1000.E1000_IMS_LSC;

interface Queue {
  readonly message: number;
  readonly rx: boolean;
  readonly index: number;
  readonly head: RegisterHandle;
  readonly tail: RegisterHandle;
  readonly lock: NDIS_SPIN_LOCK;
  /** Interrupts the queue's ISR counted and no DPC took yet: shared with that ISR. */
  interrupts: number;
  /** What the last DPC took (written under the interrupt lock). */
  taken: number;
  /** RX: the head handed back up to. TX: the next descriptor to post and descriptors in flight. */
  seen: number;
  txTail: number;
  txInFlight: number;
  frames: number;
}

interface Adapter {
  readonly regs: SimResources['registers'];
  readonly queues: readonly Queue[];
  interrupt: NDIS_HANDLE;
  messageBased: boolean;
  messageCount: number;
  /** Line mode: causes the ISR saw and no DPC took yet (shared with the line ISR). */
  causes: number;
  taken: number;
  /** The bug of `sharedCounter`: one count for every message ISR. */
  interruptsTotal: number;
  /** The bug of `sharedFrames`: one frame count for every RX queue's DPC. */
  framesTotal: number;
  linkUp: boolean;
  /** Frees the rings (shared memory). */
  readonly freeRings: () => void;
}

/** The per-queue MSI-X driver, with or without MsiSyncWithAllMessages (and the shared-counter or shared-frames bug). */
export function msixQueues(options: {
  readonly syncWithAll: boolean;
  readonly sharedCounter?: boolean;
  readonly sharedFrames?: boolean;
}): MiniportDefinition {
  const name = `msix-queues${options.syncWithAll ? '-sync-all' : ''}${options.sharedCounter === true ? '-shared-counter' : ''}${options.sharedFrames === true ? '-shared-frames' : ''}`;
  return defineMiniport(name, (ndis) => {
    // ---- message mode --------------------------------------------------------------------------
    const enableMessage = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('QueueEnable', (context) => {
      const q = context as { regs: SimResources['registers']; message: number };
      q.regs.IMS!.value =
        q.message === MESSAGE_OTHER ? CAUSES[MESSAGE_OTHER] | e1000.E1000_IMS_LSC : CAUSES[q.message]!;
      return true;
    });
    const disableMessage = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('QueueDisable', (context) => {
      const q = context as { regs: SimResources['registers']; message: number };
      q.regs.IMC!.value =
        q.message === MESSAGE_OTHER ? CAUSES[MESSAGE_OTHER] | e1000.E1000_IMS_LSC : CAUSES[q.message]!;
      return true;
    });
    /** Takes the queue's interrupt count and unmasks its cause (the NIC masked it when it sent the message). */
    const rearmQueue = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('QueueRearm', (context) => {
      const { a, q } = context as { a: Adapter; q: Queue };
      q.taken = q.interrupts;
      q.interrupts = 0;
      a.regs.IMS!.value = CAUSES[q.message]!;
      return q.taken !== 0;
    });
    /** The other causes: acknowledge them (ICR write-1-to-clear) and unmask. */
    const rearmOther = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('OtherRearm', (context) => {
      const a = context as Adapter;
      a.regs.ICR!.value = CAUSES[MESSAGE_OTHER];
      a.regs.IMS!.value = CAUSES[MESSAGE_OTHER] | e1000.E1000_IMS_LSC;
      return true;
    });

    const QueueIsr = MINIPORT_MESSAGE_INTERRUPT('QueueIsr', (context, messageId, queueDpc) => {
      const a = context as Adapter;
      if (options.sharedCounter === true) a.interruptsTotal++;
      if (messageId === MESSAGE_OTHER) a.regs.IMC!.value = CAUSES[MESSAGE_OTHER] | e1000.E1000_IMS_LSC;
      else a.queues[messageId]!.interrupts++;
      queueDpc.value = true;
      return true; // messages are never shared
    });

    const clean = (q: Queue): number => {
      const head = q.head.value;
      if (head === GONE) return 0;
      if (q.rx) {
        const frames = (head - q.seen + RING) % RING;
        q.seen = head;
        if (frames > 0) ndis.NdisWriteRegisterUlong(q.tail, (head + RING - 1) % RING);
        return frames;
      }
      q.txInFlight = (q.txTail - head + RING) % RING;
      return 0;
    };
    const echo = (frames: number, txQueue: Queue): void => {
      ndis.NdisDprAcquireSpinLock(txQueue.lock);
      const n = Math.min(frames, RING - 1 - txQueue.txInFlight);
      if (n > 0) {
        txQueue.txTail = (txQueue.txTail + n) % RING;
        txQueue.txInFlight += n;
        txQueue.frames += n;
        ndis.NdisWriteRegisterUlong(txQueue.tail, txQueue.txTail);
      }
      ndis.NdisDprReleaseSpinLock(txQueue.lock);
    };

    const QueueDpc = MINIPORT_MESSAGE_INTERRUPT_DPC('QueueDpc', (context, messageId) => {
      const a = context as Adapter;
      if (messageId === MESSAGE_OTHER) {
        const status = a.regs.STATUS!.value;
        a.linkUp = status !== GONE && (status & e1000.E1000_STATUS_LU) !== 0;
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, MESSAGE_OTHER, rearmOther, a);
        return;
      }
      const q = a.queues[messageId]!;
      ndis.NdisDprAcquireSpinLock(q.lock);
      const frames = clean(q);
      if (q.rx) q.frames += frames;
      if (q.rx && options.sharedFrames === true) a.framesTotal += frames;
      // A synchronize call made while holding a spin lock at DISPATCH_LEVEL.
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, messageId, rearmQueue, { a, q });
      ndis.NdisDprReleaseSpinLock(q.lock);
      if (q.rx && frames > 0) echo(frames, a.queues[2 + q.index]!);
    });

    // ---- line mode (NDIS granted a line to this MSI-capable driver) ------------------------------
    const lineTake = MINIPORT_SYNCHRONIZE_INTERRUPT('LineTakeCauses', (context) => {
      const a = context as Adapter;
      a.taken = a.causes;
      a.causes = 0;
      return a.taken !== 0;
    });
    const lineEnable = MINIPORT_SYNCHRONIZE_INTERRUPT('LineEnable', (context) => {
      (context as Adapter).regs.IMS!.value = LINE_ENABLED;
      return true;
    });
    const lineDisable = MINIPORT_SYNCHRONIZE_INTERRUPT('LineDisable', (context) => {
      (context as Adapter).regs.IMC!.value = ALL;
      return true;
    });
    const LineIsr = MINIPORT_ISR('LineIsr', (context, queueDpc) => {
      const a = context as Adapter;
      const mask = a.regs.IMS!.value;
      if (mask === GONE || (mask & LINE_ENABLED) === 0) return false;
      const icr = a.regs.ICR!.value;
      if (icr === GONE || (icr & LINE_ENABLED) === 0) return false;
      a.regs.IMC!.value = ALL;
      a.causes |= icr;
      queueDpc.value = true;
      return true;
    });
    const LineDpc = MINIPORT_INTERRUPT_DPC('LineDpc', (context) => {
      const a = context as Adapter;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, lineTake, a);
      for (const q of a.queues) {
        ndis.NdisDprAcquireSpinLock(q.lock);
        const frames = clean(q);
        if (q.rx) q.frames += frames;
        ndis.NdisDprReleaseSpinLock(q.lock);
        if (q.rx && frames > 0) echo(frames, a.queues[2 + q.index]!);
      }
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, lineEnable, a);
    });

    const eachMessage = (a: Adapter, fn: typeof enableMessage): void => {
      for (let m = 0; m < a.messageCount && m <= MESSAGE_OTHER; m++)
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, m, fn, { regs: a.regs, message: m });
    };

    return {
      MiniportInitializeEx: MINIPORT_INITIALIZE('MsixInitializeEx', (handle, _driverContext, parameters) => {
        const resources = resourcesOf(parameters);
        const r = resources.registers;
        const freeRings = mapHeadTrackedRings(ndis, handle, r, 2, RING);
        if (freeRings === null) return NDIS_STATUS_RESOURCES;
        const queue = (message: number, rx: boolean, index: number): Queue =>
          resources.shared(
            {
              message,
              rx,
              index,
              head: rx ? resources.register(e1000.E1000_RDH(index)) : resources.register(e1000.E1000_TDH(index)),
              tail: rx ? resources.register(e1000.E1000_RDT(index)) : resources.register(e1000.E1000_TDT(index)),
              lock: {},
              interrupts: 0,
              taken: 0,
              seen: 0,
              txTail: 0,
              txInFlight: 0,
              frames: 0,
            },
            'interrupts',
          );
        const queues = [queue(0, true, 0), queue(1, true, 1), queue(2, false, 0), queue(3, false, 1)];
        const a: Adapter = resources.shared(
          {
            regs: r,
            queues,
            interrupt: null,
            messageBased: false,
            messageCount: 1,
            causes: 0,
            taken: 0,
            interruptsTotal: 0,
            framesTotal: 0,
            linkUp: true,
            freeRings,
          },
          'causes',
          'interruptsTotal',
        );
        for (const q of queues) ndis.NdisAllocateSpinLock(q.lock);
        const chars: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: LineIsr,
          InterruptDpcHandler: LineDpc,
          DisableInterruptHandler: MINIPORT_DISABLE_INTERRUPT(
            'LineDisableHandler',
            (c) => void ((c as Adapter).regs.IMC!.value = ALL),
          ),
          EnableInterruptHandler: MINIPORT_ENABLE_INTERRUPT(
            'LineEnableHandler',
            (c) => void ((c as Adapter).regs.IMS!.value = LINE_ENABLED),
          ),
          MsiSupported: true,
          MsiSyncWithAllMessages: options.syncWithAll,
          MessageInterruptHandler: QueueIsr,
          MessageInterruptDpcHandler: QueueDpc,
          DisableMessageInterruptHandler: MINIPORT_DISABLE_MESSAGE_INTERRUPT(
            'QueueDisableHandler',
            (c, m) => void ((c as Adapter).regs.IMC!.value = CAUSES[m] ?? 0),
          ),
          EnableMessageInterruptHandler: MINIPORT_ENABLE_MESSAGE_INTERRUPT(
            'QueueEnableHandler',
            (c, m) => void ((c as Adapter).regs.IMS!.value = CAUSES[m] ?? 0),
          ),
        };
        const box = { value: null as NDIS_HANDLE };
        const status = ndis.NdisMRegisterInterruptEx(handle, a, chars, box);
        if (status !== NDIS_STATUS_SUCCESS) {
          for (const q of queues) ndis.NdisFreeSpinLock(q.lock);
          freeRings();
          return status;
        }
        a.interrupt = box.value;
        a.messageBased = chars.InterruptType === NDIS_CONNECT_MESSAGE_BASED;
        a.messageCount = a.messageBased ? (chars.MessageInfoTable?.MessageCount ?? 1) : 1;
        setMiniportAdapterContext(handle, a);
        for (const q of queues) if (q.rx) ndis.NdisWriteRegisterUlong(q.tail, RING - 1);
        ndis.NdisWriteRegisterUlong(r.RCTL!, e1000.E1000_RCTL_EN);
        ndis.NdisWriteRegisterUlong(r.TCTL!, e1000.E1000_TCTL_EN);
        if (a.messageBased) {
          ndis.NdisWriteRegisterUlong(r.IVAR!, IVAR);
          ndis.NdisWriteRegisterUlong(r.EIAC!, QUEUE_CAUSES);
          eachMessage(a, enableMessage);
        } else {
          ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, lineEnable, a);
        }
        return NDIS_STATUS_SUCCESS;
      }),
      MiniportHaltEx: MINIPORT_HALT('MsixHaltEx', (context) => {
        const a = context as Adapter;
        if (a.messageBased) eachMessage(a, disableMessage);
        else ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, lineDisable, a);
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
        for (const q of a.queues) ndis.NdisFreeSpinLock(q.lock);
        a.freeRings();
      }),
    };
  });
}

/** Both RX queues fed, link changes on. */
export const scenario: Scenario = {
  device: () =>
    new E1000Nic({
      rxQueueCount: 2,
      rxArrivalGapTicksMin: 20,
      rxArrivalGapTicksMax: 150,
      linkChangeGapTicksMin: 500,
      linkChangeGapTicksMax: 2_000,
    }),
  ticks: 3_000,
};

export default msixQueues({ syncWithAll: false });
