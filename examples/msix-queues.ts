/**
 * An MSI-X miniport for the simulated e1000 NIC (the 82574's five vectors): one message per RX queue,
 * one per TX queue and one for the "other" causes (link, overrun), as the Linux e1000e driver lays
 * out the 82574 and virtio-net lays out its queues.
 *
 * - MiniportInitializeEx sets MsiSupported, registers, and reads InterruptType: NDIS may grant a
 *   line-based interrupt to a driver that supports MSI, and then the driver runs e1000-style on the
 *   line (an ISR that reads ICR and claims only its own interrupts, one DPC for everything).
 * - Granted messages, it routes each queue's cause to its own message through IVAR — fewer messages
 *   than queues share the last one — and lets the NIC auto-clear queue causes as it sends (EIAC).
 * - A message ISR masks only its own message's causes (IMC), acknowledges the "other" causes when it
 *   is that message, and queues its DPC; message interrupts are never shared, so it returns TRUE.
 * - Granted a single message, the 82574 signals MSI, not MSI-X: the line-style causes (RXT0, TXDW,
 *   LSC), no IVAR routing, ICR cleared by reading it. The driver then enables those causes and its
 *   message ISR reads ICR, as Linux's e1000_intr_msi does.
 * - The rings and their buffers live in memory from NdisMAllocateSharedMemory
 *   (examples/lib/e1000-rings.ts); the DPCs poll the DD bits the NIC writes back.
 * - A message DPC cleans only its own queues and unmasks only its own causes, through
 *   NdisMSynchronizeWithInterruptEx with its own MessageId. IMS and IMC set and clear single bits,
 *   so messages never need one another's interrupt lock.
 * - With MsiSyncWithAllMessages (the `syncWithAllMessages` export) NDIS serializes every message
 *   behind one interrupt lock at one DIRQL; the driver is the same.
 *
 * Run it with `ddikit simulate examples/msix-queues.ts --rx-queues 2`, and
 * `--export syncWithAllMessages` or `--interrupt line` for the other two ways.
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
  type Box,
  type NDIS_HANDLE,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_SPIN_LOCK,
} from '@ddikit/ndis';
import {
  allocateRing,
  cleanRxRing,
  freeRing,
  postTxFrame,
  programRxRing,
  programTxRing,
  reclaimTxRing,
  type Ring as RingMemory,
  type RingRegisters,
} from './lib/e1000-rings.js';
import {
  REGISTER_REMOVED_VALUE,
  defineMiniport,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type MiniportDefinition,
  type RegisterHandle,
  type SimResources,
} from '@ddikit/sim';

/** Queues per direction (the 82574 has two of each). */
const QUEUES = 2;
const RING_DESCRIPTORS = 64;
const BUFFER_BYTES = 2048;
const ALL_CAUSES = 0xffff_ffff;

/**
 * The interrupt sources in vector order: RX queues, TX queues, other. Message n serves source n;
 * with fewer messages than sources, the last message serves the rest.
 */
const SOURCES = [
  { cause: e1000.E1000_ICR_RXQ0, ivarShift: e1000.E1000_IVAR_RXQ0_SHIFT, rxQueue: 0, txQueue: -1 },
  { cause: e1000.E1000_ICR_RXQ1, ivarShift: e1000.E1000_IVAR_RXQ1_SHIFT, rxQueue: 1, txQueue: -1 },
  { cause: e1000.E1000_ICR_TXQ0, ivarShift: e1000.E1000_IVAR_TXQ0_SHIFT, rxQueue: -1, txQueue: 0 },
  { cause: e1000.E1000_ICR_TXQ1, ivarShift: e1000.E1000_IVAR_TXQ1_SHIFT, rxQueue: -1, txQueue: 1 },
  { cause: e1000.E1000_ICR_OTHER, ivarShift: e1000.E1000_IVAR_OTHER_SHIFT, rxQueue: -1, txQueue: -1 },
] as const;
/** Queue causes the NIC clears from ICR (and masks) by itself when it sends their message. */
const AUTO_CLEARED_CAUSES = e1000.E1000_ICR_RXQ0 | e1000.E1000_ICR_RXQ1 | e1000.E1000_ICR_TXQ0 | e1000.E1000_ICR_TXQ1;

/** Causes of the line-based fallback (the NIC reports queue activity as RXT0 / TXDW then). */
const LINE_RX_CAUSES = e1000.E1000_ICR_RXT0 | e1000.E1000_ICR_RXO | e1000.E1000_ICR_RXDMT0;
const LINE_CAUSES = LINE_RX_CAUSES | e1000.E1000_ICR_TXDW | e1000.E1000_ICR_LSC;

export interface MsixQueuesOptions {
  /** Set MsiSyncWithAllMessages: one interrupt lock and one DIRQL for every message. */
  readonly syncWithAllMessages: boolean;
}

interface Registers {
  readonly STATUS: RegisterHandle;
  readonly ICR: RegisterHandle;
  readonly IMS: RegisterHandle;
  readonly IMC: RegisterHandle;
  readonly EIAC: RegisterHandle;
  readonly IVAR: RegisterHandle;
  readonly RCTL: RegisterHandle;
  readonly TCTL: RegisterHandle;
  readonly MPC: RegisterHandle;
}

/** One RX or TX ring and the spin lock that guards its state. */
interface Ring {
  readonly queue: number;
  readonly lock: NDIS_SPIN_LOCK;
  readonly registers: RingRegisters;
  /** The descriptors and buffers in shared memory. */
  memory: RingMemory | null;
  /**
   * Frames this ring received or sent, under its lock. Per ring, not per adapter: the DPCs of two
   * messages run on two processors at once, each holding only its own rings' locks.
   */
  frames: number;
}

/** What one message serves, and its ISR-shared state (touched at its DIRQL only). */
interface Message {
  readonly adapter: Adapter;
  readonly id: number;
  /** The IMS/IMC bits of this message's causes. */
  causes: number;
  readonly rx: Ring[];
  readonly tx: Ring[];
  other: boolean;
  /** Halt has begun: the message's DPC must not unmask it again. */
  halting: boolean;
}

interface Adapter {
  readonly regs: Registers;
  readonly handle: NDIS_HANDLE;
  readonly rx: readonly Ring[];
  readonly tx: readonly Ring[];
  interrupt: NDIS_HANDLE;
  messageBased: boolean;
  /** A single message: MSI, with the line-style causes. */
  msi: boolean;
  readonly messages: Message[];

  // Line-based fallback, ISR-shared (DIRQL only).
  lineEnabled: boolean;
  linePendingCauses: number;
  lineHalting: boolean;
  lineDpcCauses: number;

  linkUp: boolean;
  /** Only the DPC of the message with the "other" causes counts these. */
  framesMissed: number;
}

function registersOf(resources: SimResources): { regs: Registers; rx: Ring[]; tx: Ring[] } {
  const pick = (name: string): RegisterHandle => {
    const handle = resources.registers[name];
    if (handle === undefined) throw new Error(`msix-queues: the device has no ${name} register`);
    return handle;
  };
  const ring = (prefix: 'R' | 'T', queue: number): Ring => ({
    queue,
    lock: {},
    registers: {
      BAL: pick(`${prefix}DBAL${queue}`),
      BAH: pick(`${prefix}DBAH${queue}`),
      LEN: pick(`${prefix}DLEN${queue}`),
      H: pick(`${prefix}DH${queue}`),
      T: pick(`${prefix}DT${queue}`),
    },
    memory: null,
    frames: 0,
  });
  const regs: Registers = {
    STATUS: pick('STATUS'),
    ICR: pick('ICR'),
    IMS: pick('IMS'),
    IMC: pick('IMC'),
    EIAC: pick('EIAC'),
    IVAR: pick('IVAR'),
    RCTL: pick('RCTL'),
    TCTL: pick('TCTL'),
    MPC: pick('MPC'),
  };
  const rx: Ring[] = [];
  const tx: Ring[] = [];
  for (let queue = 0; queue < QUEUES; queue++) {
    rx.push(ring('R', queue));
    tx.push(ring('T', queue));
  }
  return { regs, rx, tx };
}

/** The miniport, with or without MsiSyncWithAllMessages. */
export function msixQueuesMiniport(options: MsixQueuesOptions): MiniportDefinition {
  const name = options.syncWithAllMessages ? 'msix-queues-sync-all' : 'msix-queues';
  return defineMiniport(name, (ndis) => {
    // ---- DIRQL, message-based ------------------------------------------------------------------------

    const QueueMessageInterrupt = MINIPORT_MESSAGE_INTERRUPT(
      'QueueMessageInterrupt',
      (MiniportInterruptContext, MessageId, QueueDefaultInterruptDpc) => {
        const a = MiniportInterruptContext as Adapter;
        const message = a.messages[MessageId];
        if (message === undefined) return true; // a message this driver never routed a cause to
        a.regs.IMC.value = message.causes; // mask this message only
        // MSI: reading ICR clears the causes. MSI-X: "other" stands for link and overrun causes,
        // which the NIC does not auto-clear: acknowledge them (writing OTHER clears the causes behind
        // it); the DPC reads their state afresh.
        if (a.msi) void a.regs.ICR.value;
        else if (message.other) a.regs.ICR.value = e1000.E1000_ICR_OTHER;
        QueueDefaultInterruptDpc.value = true;
        return true; // message interrupts are never shared
      },
    );

    /** Unmasks one message's causes (SynchronizeContext: the Message), unless halt has begun. */
    const EnableMessage = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('QueueEnableMessage', (SynchronizeContext) => {
      const message = SynchronizeContext as Message;
      if (message.halting) return false;
      message.adapter.regs.IMS.value = message.causes;
      return true;
    });

    /** Masks one message's causes for good (halt). */
    const DisableMessage = MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT('QueueDisableMessage', (SynchronizeContext) => {
      const message = SynchronizeContext as Message;
      message.halting = true;
      message.adapter.regs.IMC.value = message.causes;
      return true;
    });

    const QueueDisableMessageInterrupt = MINIPORT_DISABLE_MESSAGE_INTERRUPT(
      'QueueDisableMessageInterrupt',
      (MiniportInterruptContext, MessageId) => {
        const a = MiniportInterruptContext as Adapter;
        const message = a.messages[MessageId];
        if (message !== undefined) a.regs.IMC.value = message.causes;
      },
    );

    const QueueEnableMessageInterrupt = MINIPORT_ENABLE_MESSAGE_INTERRUPT(
      'QueueEnableMessageInterrupt',
      (MiniportInterruptContext, MessageId) => {
        const a = MiniportInterruptContext as Adapter;
        const message = a.messages[MessageId];
        if (message !== undefined && !message.halting) a.regs.IMS.value = message.causes;
      },
    );

    // ---- DIRQL, line-based fallback ------------------------------------------------------------------

    const QueueLineIsr = MINIPORT_ISR('QueueLineIsr', (MiniportInterruptContext, QueueDefaultInterruptDpc) => {
      const a = MiniportInterruptContext as Adapter;
      if (!a.lineEnabled) return false; // masked: another device on the shared line
      const icr = a.regs.ICR.value; // read-to-clear
      if (icr === REGISTER_REMOVED_VALUE) return false;
      const causes = icr & LINE_CAUSES;
      if (causes === 0) return false;
      a.regs.IMC.value = ALL_CAUSES;
      a.lineEnabled = false;
      a.linePendingCauses |= causes;
      QueueDefaultInterruptDpc.value = true;
      return true;
    });

    const TakeLineCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('QueueTakeLineCauses', (SynchronizeContext) => {
      const a = SynchronizeContext as Adapter;
      a.lineDpcCauses = a.linePendingCauses;
      a.linePendingCauses = 0;
      return a.lineDpcCauses !== 0;
    });

    const EnableLine = MINIPORT_SYNCHRONIZE_INTERRUPT('QueueEnableLine', (SynchronizeContext) => {
      const a = SynchronizeContext as Adapter;
      if (a.lineHalting) return false;
      a.lineEnabled = true;
      a.regs.IMS.value = LINE_CAUSES;
      return true;
    });

    const DisableLine = MINIPORT_SYNCHRONIZE_INTERRUPT('QueueDisableLine', (SynchronizeContext) => {
      const a = SynchronizeContext as Adapter;
      a.lineHalting = true;
      a.lineEnabled = false;
      a.regs.IMC.value = ALL_CAUSES;
      return true;
    });

    const QueueDisableInterrupt = MINIPORT_DISABLE_INTERRUPT('QueueDisableInterrupt', (MiniportInterruptContext) => {
      const a = MiniportInterruptContext as Adapter;
      a.lineEnabled = false;
      a.regs.IMC.value = ALL_CAUSES;
    });

    const QueueEnableInterrupt = MINIPORT_ENABLE_INTERRUPT('QueueEnableInterrupt', (MiniportInterruptContext) => {
      const a = MiniportInterruptContext as Adapter;
      if (a.lineHalting) return;
      a.lineEnabled = true;
      a.regs.IMS.value = LINE_CAUSES;
    });

    // ---- DISPATCH_LEVEL ------------------------------------------------------------------------------

    /** Takes the frames of an RX ring, hands its descriptors back, and echoes them on the TX queue of the same number. */
    function receive(a: Adapter, ring: Ring): void {
      const rx = ring.memory!;
      const txRing = a.tx[ring.queue]!;
      const tx = txRing.memory!;
      // RX lock, then TX lock: always in this order.
      ndis.NdisDprAcquireSpinLock(ring.lock);
      ndis.NdisDprAcquireSpinLock(txRing.lock);
      ring.frames += cleanRxRing(rx, ring.registers.T, (offset, length) => {
        postTxFrame(tx, txRing.registers.T, length, rx.buffers, offset);
      });
      ndis.NdisDprReleaseSpinLock(txRing.lock);
      ndis.NdisDprReleaseSpinLock(ring.lock);
    }

    function completeTransmits(a: Adapter, ring: Ring): void {
      ndis.NdisDprAcquireSpinLock(ring.lock);
      ring.frames += reclaimTxRing(ring.memory!);
      ndis.NdisDprReleaseSpinLock(ring.lock);
    }

    /** Link and overrun: read their state from STATUS and MPC (read-to-clear). */
    function otherCauses(a: Adapter): void {
      a.linkUp = (a.regs.STATUS.value & e1000.E1000_STATUS_LU) !== 0;
      a.framesMissed += a.regs.MPC.value;
    }

    const QueueMessageDpc = MINIPORT_MESSAGE_INTERRUPT_DPC('QueueMessageDpc', (MiniportInterruptContext, MessageId) => {
      const a = MiniportInterruptContext as Adapter;
      const message = a.messages[MessageId];
      if (message === undefined) return;
      for (const ring of message.rx) receive(a, ring);
      for (const ring of message.tx) completeTransmits(a, ring);
      if (message.other) otherCauses(a);
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, MessageId, EnableMessage, message);
    });

    const QueueLineDpc = MINIPORT_INTERRUPT_DPC('QueueLineDpc', (MiniportInterruptContext) => {
      const a = MiniportInterruptContext as Adapter;
      if (ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, TakeLineCauses, a)) {
        const causes = a.lineDpcCauses;
        if ((causes & LINE_RX_CAUSES) !== 0) for (const ring of a.rx) receive(a, ring);
        if ((causes & e1000.E1000_ICR_TXDW) !== 0) for (const ring of a.tx) completeTransmits(a, ring);
        if ((causes & (e1000.E1000_ICR_LSC | e1000.E1000_ICR_RXO)) !== 0) otherCauses(a);
      }
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, EnableLine, a);
    });

    // ---- PASSIVE_LEVEL -------------------------------------------------------------------------------

    /** Frees the rings' memory (the NIC no longer reaches it). */
    function freeRings(a: Adapter): void {
      for (const ring of [...a.rx, ...a.tx]) {
        if (ring.memory !== null) freeRing(ndis, a.handle, ring.memory);
        ring.memory = null;
      }
    }

    /** Routes each source to a message and fills in what each message serves. */
    function planMessages(a: Adapter, messageCount: number): number {
      let ivar = 0;
      for (let id = 0; id < Math.min(messageCount, SOURCES.length); id++) {
        a.messages.push({ adapter: a, id, causes: 0, rx: [], tx: [], other: false, halting: false });
      }
      SOURCES.forEach((source, index) => {
        const message = a.messages[Math.min(index, a.messages.length - 1)]!;
        message.causes |= source.cause;
        if (source.rxQueue >= 0) message.rx.push(a.rx[source.rxQueue]!);
        if (source.txQueue >= 0) message.tx.push(a.tx[source.txQueue]!);
        if (source.cause === e1000.E1000_ICR_OTHER) message.other = true;
        ivar |= e1000.E1000_IVAR_ENTRY(message.id) << source.ivarShift;
      });
      return ivar >>> 0;
    }

    const QueueInitializeEx = MINIPORT_INITIALIZE(
      'QueueInitializeEx',
      (MiniportAdapterHandle, _MiniportDriverContext, MiniportInitParameters) => {
        const { regs, rx, tx } = registersOf(resourcesOf(MiniportInitParameters));
        const a: Adapter = {
          regs,
          handle: MiniportAdapterHandle,
          rx,
          tx,
          interrupt: null,
          messageBased: false,
          msi: false,
          messages: [],
          lineEnabled: false,
          linePendingCauses: 0,
          lineHalting: false,
          lineDpcCauses: 0,
          linkUp: false,
          framesMissed: 0,
        };
        for (const ring of [...rx, ...tx]) {
          ring.memory = allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES);
          if (ring.memory === null) {
            freeRings(a);
            return NDIS_STATUS_RESOURCES;
          }
        }
        for (const ring of [...rx, ...tx]) ndis.NdisAllocateSpinLock(ring.lock);
        for (const ring of rx) programRxRing(ring.registers, ring.memory!);
        for (const ring of tx) programTxRing(ring.registers, ring.memory!);
        regs.IMC.value = ALL_CAUSES;

        const characteristics: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: QueueLineIsr,
          InterruptDpcHandler: QueueLineDpc,
          DisableInterruptHandler: QueueDisableInterrupt,
          EnableInterruptHandler: QueueEnableInterrupt,
          MsiSupported: true,
          MsiSyncWithAllMessages: options.syncWithAllMessages,
          MessageInterruptHandler: QueueMessageInterrupt,
          MessageInterruptDpcHandler: QueueMessageDpc,
          DisableMessageInterruptHandler: QueueDisableMessageInterrupt,
          EnableMessageInterruptHandler: QueueEnableMessageInterrupt,
        };
        const interrupt: Box<NDIS_HANDLE> = { value: null };
        const status = ndis.NdisMRegisterInterruptEx(MiniportAdapterHandle, a, characteristics, interrupt);
        if (status !== NDIS_STATUS_SUCCESS) {
          for (const ring of [...rx, ...tx]) ndis.NdisFreeSpinLock(ring.lock);
          freeRings(a);
          return status;
        }
        a.interrupt = interrupt.value;
        // NDIS decides: messages, or a line even though the driver supports MSI.
        a.messageBased = characteristics.InterruptType === NDIS_CONNECT_MESSAGE_BASED;
        setMiniportAdapterContext(MiniportAdapterHandle, a);

        const messageCount = characteristics.MessageInfoTable?.MessageCount ?? 1;
        if (a.messageBased && messageCount === 1) {
          // One message: MSI, with the line-style causes; it serves everything.
          a.msi = true;
          a.messages.push({
            adapter: a,
            id: 0,
            causes: LINE_CAUSES,
            rx: [...rx],
            tx: [...tx],
            other: true,
            halting: false,
          });
        } else if (a.messageBased) {
          regs.IVAR.value = planMessages(a, messageCount);
          regs.EIAC.value = AUTO_CLEARED_CAUSES;
        }
        a.linkUp = (regs.STATUS.value & e1000.E1000_STATUS_LU) !== 0;
        regs.RCTL.value = e1000.E1000_RCTL_EN | e1000.E1000_RCTL_BAM;
        regs.TCTL.value = e1000.E1000_TCTL_EN;
        if (a.messageBased) {
          for (const message of a.messages)
            ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, message.id, EnableMessage, message);
        } else {
          ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, EnableLine, a);
        }
        return NDIS_STATUS_SUCCESS;
      },
    );

    const QueueHaltEx = MINIPORT_HALT('QueueHaltEx', (MiniportAdapterContext) => {
      const a = MiniportAdapterContext as Adapter;
      if (a.messageBased) {
        for (const message of a.messages)
          ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, message.id, DisableMessage, message);
      } else {
        ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, DisableLine, a);
      }
      a.regs.RCTL.value = 0;
      a.regs.TCTL.value = 0;
      ndis.NdisMDeregisterInterruptEx(a.interrupt);
      a.interrupt = null;
      for (const ring of [...a.rx, ...a.tx]) ndis.NdisFreeSpinLock(ring.lock);
      freeRings(a);
    });

    return { MiniportInitializeEx: QueueInitializeEx, MiniportHaltEx: QueueHaltEx };
  });
}

/** One interrupt lock per message: messages synchronize only with themselves. */
export default msixQueuesMiniport({ syncWithAllMessages: false });

/** MsiSyncWithAllMessages: one interrupt lock for all messages. */
export const syncWithAllMessages = msixQueuesMiniport({ syncWithAllMessages: true });
