/**
 * The correct miniport the broken examples start from: examples/e1000-line.ts in brief (line-based,
 * or MSI-X with every cause on message 0), with one piece replaceable. Each file next to this one
 * replaces exactly one piece with a bug and says which rule catches it.
 *
 * The helpers here take spin locks with NdisAcquireSpinLock (legal at PASSIVE_LEVEL and
 * DISPATCH_LEVEL alike) so that a variant calling them at the wrong IRQL trips only its own rule.
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
  NDIS_CONNECT_MESSAGE_BASED,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  type Box,
  type NDIS_HANDLE,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_SPIN_LOCK,
  type NDIS_TIMER_FUNCTION,
  type NdisFunctions,
} from '@ddikit/ndis';
import {
  allocateRing,
  cleanRxRing as takeRxFrames,
  freeRing,
  postTxFrame,
  programRxRing,
  programTxRing,
  reclaimTxRing,
  type Ring,
} from '../lib/e1000-rings.js';
export type { Ring } from '../lib/e1000-rings.js';
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

export const RING_DESCRIPTORS = 64;
export const BUFFER_BYTES = 2048;
export const ALL_CAUSES = 0xffff_ffff;
export const LINE_CAUSES =
  e1000.E1000_ICR_RXT0 | e1000.E1000_ICR_RXO | e1000.E1000_ICR_RXDMT0 | e1000.E1000_ICR_TXDW | e1000.E1000_ICR_LSC;
/** MSI-X: every cause the driver uses, all routed to message 0. */
export const MESSAGE_CAUSES = e1000.E1000_ICR_RXQ0 | e1000.E1000_ICR_TXQ0 | e1000.E1000_ICR_OTHER;

export interface Registers {
  readonly ICR: RegisterHandle;
  readonly IMS: RegisterHandle;
  readonly IMC: RegisterHandle;
  readonly EIAC: RegisterHandle;
  readonly IVAR: RegisterHandle;
  readonly RCTL: RegisterHandle;
  readonly TCTL: RegisterHandle;
  readonly RDBAL0: RegisterHandle;
  readonly RDBAH0: RegisterHandle;
  readonly RDLEN0: RegisterHandle;
  readonly RDH0: RegisterHandle;
  readonly RDT0: RegisterHandle;
  readonly TDBAL0: RegisterHandle;
  readonly TDBAH0: RegisterHandle;
  readonly TDLEN0: RegisterHandle;
  readonly TDH0: RegisterHandle;
  readonly TDT0: RegisterHandle;
}

/** The driver's declared functions, for variants that call or hand them on. */
export interface Functions {
  readonly TakeCauses: MINIPORT_SYNCHRONIZE_INTERRUPT;
  readonly EnableInterrupts: MINIPORT_SYNCHRONIZE_INTERRUPT;
  readonly DisableInterrupts: MINIPORT_SYNCHRONIZE_INTERRUPT;
  readonly InterruptDpc: MINIPORT_INTERRUPT_DPC;
}

export interface Adapter {
  readonly ndis: NdisFunctions;
  readonly resources: SimResources;
  readonly regs: Registers;
  readonly fns: Functions;
  interrupt: NDIS_HANDLE;
  messageBased: boolean;
  messageCount: number;
  /** The causes IMS holds when enabled. */
  enabledCauses: number;

  // ISR-shared (DIRQL only).
  interruptsEnabled: boolean;
  pendingCauses: number;
  halting: boolean;
  dpcCauses: number;
  isrCount: number;

  readonly handle: NDIS_HANDLE;
  readonly rxLock: NDIS_SPIN_LOCK;
  rxRing: Ring | null;
  readonly txLock: NDIS_SPIN_LOCK;
  txRing: Ring | null;
  /** Lengths of received frames waiting to be echoed (rxLock, then txLock). */
  readonly echoLengths: Int32Array;
  echoCount: number;
  framesReceived: number;
  framesSent: number;
}

/** The one piece a variant replaces. Each defaults to the correct driver's. */
export interface Bug {
  /** Ask for MSI-X (every cause on message 0) instead of a line interrupt. */
  readonly messageBased?: boolean;
  /** Allocates the spin locks (default: both). */
  readonly allocateLocks?: (a: Adapter) => void;
  /** The line ISR's body. */
  readonly isr?: (a: Adapter, queueDpc: Box<boolean>) => boolean;
  /** The DPC's body (line and message). */
  readonly dpc?: (a: Adapter) => void;
  /** Unmasks the NIC at the end of MiniportInitializeEx (default: EnableInterrupts, synchronized). */
  readonly enableInterrupts?: (a: Adapter) => void;
  /** Programs the RX and TX rings (bases, lengths, heads, tails) into the NIC. */
  readonly programRings?: (a: Adapter, rx: Ring, tx: Ring) => void;
  /** Runs at the end of MiniportInitializeEx, the interrupt registered and enabled. */
  readonly afterInitialize?: (a: Adapter) => void;
  /** MiniportHaltEx's body. */
  readonly halt?: (a: Adapter) => void;
}

function registersOf(resources: SimResources): Registers {
  const pick = (name: keyof Registers): RegisterHandle => {
    const handle = resources.registers[name];
    if (handle === undefined) throw new Error(`the device has no ${name} register`);
    return handle;
  };
  return {
    ICR: pick('ICR'),
    IMS: pick('IMS'),
    IMC: pick('IMC'),
    EIAC: pick('EIAC'),
    IVAR: pick('IVAR'),
    RCTL: pick('RCTL'),
    TCTL: pick('TCTL'),
    RDBAL0: pick('RDBAL0'),
    RDBAH0: pick('RDBAH0'),
    RDLEN0: pick('RDLEN0'),
    RDH0: pick('RDH0'),
    RDT0: pick('RDT0'),
    TDBAL0: pick('TDBAL0'),
    TDBAH0: pick('TDBAH0'),
    TDLEN0: pick('TDLEN0'),
    TDH0: pick('TDH0'),
    TDT0: pick('TDT0'),
  };
}

// ---- the correct pieces, for variants to reuse -------------------------------------------------------

/** The correct line ISR: claims only an interrupt its NIC raised, masks, queues the DPC. */
export function correctIsr(a: Adapter, queueDpc: Box<boolean>): boolean {
  if (!a.interruptsEnabled) return false;
  const icr = a.regs.ICR.value;
  if (icr === REGISTER_REMOVED_VALUE) return false;
  const causes = icr & LINE_CAUSES;
  if (causes === 0) return false;
  a.regs.IMC.value = ALL_CAUSES;
  a.interruptsEnabled = false;
  a.pendingCauses |= causes;
  queueDpc.value = true;
  return true;
}

/** The received frame count after taking the frames the NIC wrote (the caller holds rxLock). */
export function cleanRxRing(a: Adapter): number {
  if (a.rxRing === null) return 0;
  const arrived = takeRxFrames(a.rxRing, a.regs.RDT0, (_offset, length) => {
    if (a.echoCount < a.echoLengths.length) a.echoLengths[a.echoCount++] = length;
  });
  a.framesReceived += arrived;
  return arrived;
}

/** Reclaims finished TX descriptors and echoes up to `frames` received frames (the caller holds txLock). */
export function serviceTxRing(a: Adapter, frames: number): void {
  if (a.txRing === null) return;
  a.framesSent += reclaimTxRing(a.txRing);
  const count = Math.min(frames, a.echoCount);
  for (let i = 0; i < count; i++) {
    if (!postTxFrame(a.txRing, a.regs.TDT0, a.echoLengths[i]!)) break;
  }
  a.echoCount = 0;
}

/** The correct ring programming: both halves of each base, the length, head and tail. */
export function correctProgramRings(a: Adapter, rx: Ring, tx: Ring): void {
  const regs = a.regs;
  programRxRing({ BAL: regs.RDBAL0, BAH: regs.RDBAH0, LEN: regs.RDLEN0, H: regs.RDH0, T: regs.RDT0 }, rx);
  programTxRing({ BAL: regs.TDBAL0, BAH: regs.TDBAH0, LEN: regs.TDLEN0, H: regs.TDH0, T: regs.TDT0 }, tx);
}

/** The correct DPC body: take the causes, service both rings under their locks, unmask. */
export function correctDpc(a: Adapter): void {
  const { ndis } = a;
  ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.TakeCauses, a);
  ndis.NdisAcquireSpinLock(a.rxLock);
  const arrived = cleanRxRing(a);
  ndis.NdisReleaseSpinLock(a.rxLock);
  ndis.NdisAcquireSpinLock(a.txLock);
  serviceTxRing(a, arrived);
  ndis.NdisReleaseSpinLock(a.txLock);
  ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.EnableInterrupts, a);
}

/** The correct halt body: mask under the interrupt lock, stop, deregister, free. */
export function correctHalt(a: Adapter): void {
  const { ndis } = a;
  ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, a.fns.DisableInterrupts, a);
  a.regs.RCTL.value = 0;
  a.regs.TCTL.value = 0;
  ndis.NdisMDeregisterInterruptEx(a.interrupt);
  a.interrupt = null;
  ndis.NdisFreeSpinLock(a.txLock);
  ndis.NdisFreeSpinLock(a.rxLock);
  freeRings(a);
}

/**
 * A watchdog, as real miniports keep: allocates a timer object whose function gets the adapter and
 * sets it to fire 100 µs from now, then every millisecond. Returns the timer's handle, or null if
 * NDIS refused it.
 */
export function startWatchdog(a: Adapter, watchdog: NDIS_TIMER_FUNCTION): NDIS_HANDLE {
  const timer: Box<NDIS_HANDLE> = { value: null };
  const status = a.ndis.NdisAllocateTimerObject(
    a.handle,
    {
      Header: {
        Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
        Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1,
        Size: 0,
      },
      AllocationTag: 0x676f6457, // 'Wdog'
      TimerFunction: watchdog,
      FunctionContext: a,
    },
    timer,
  );
  if (status !== NDIS_STATUS_SUCCESS) return null;
  // 100 µs from now (relative: negative, in 100 ns units), then every millisecond.
  a.ndis.NdisSetTimerObject(timer.value, { QuadPart: -1_000n }, 1, null);
  return timer.value;
}

/** Frees the rings allocated (the NIC no longer reaches them). */
export function freeRings(a: Adapter): void {
  if (a.rxRing !== null) freeRing(a.ndis, a.handle, a.rxRing);
  if (a.txRing !== null) freeRing(a.ndis, a.handle, a.txRing);
  a.rxRing = null;
  a.txRing = null;
}

/** The miniport with `bug` in place of the correct piece. */
export function brokenE1000(name: string, bug: Bug): MiniportDefinition {
  return defineMiniport(name, (ndis) => {
    const TakeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000TakeCauses', (SynchronizeContext) => {
      const a = SynchronizeContext as Adapter;
      a.dpcCauses = a.pendingCauses;
      a.pendingCauses = 0;
      return a.dpcCauses !== 0;
    });
    const EnableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000EnableInterrupts', (SynchronizeContext) => {
      const a = SynchronizeContext as Adapter;
      if (a.halting) return false;
      a.interruptsEnabled = true;
      a.regs.IMS.value = a.enabledCauses;
      return true;
    });
    const DisableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000DisableInterrupts', (SynchronizeContext) => {
      const a = SynchronizeContext as Adapter;
      a.halting = true;
      a.interruptsEnabled = false;
      a.regs.IMC.value = ALL_CAUSES;
      return true;
    });

    const Isr = MINIPORT_ISR('E1000Isr', (MiniportInterruptContext, QueueDefaultInterruptDpc) => {
      const a = MiniportInterruptContext as Adapter;
      a.isrCount++;
      return (bug.isr ?? correctIsr)(a, QueueDefaultInterruptDpc);
    });
    const MessageIsr = MINIPORT_MESSAGE_INTERRUPT(
      'E1000MessageIsr',
      (MiniportInterruptContext, _MessageId, QueueDefaultInterruptDpc) => {
        const a = MiniportInterruptContext as Adapter;
        a.isrCount++;
        a.regs.IMC.value = ALL_CAUSES;
        a.regs.ICR.value = e1000.E1000_ICR_OTHER; // acknowledge link and overrun causes
        QueueDefaultInterruptDpc.value = true;
        return true;
      },
    );
    const InterruptDpc = MINIPORT_INTERRUPT_DPC('E1000InterruptDpc', (MiniportInterruptContext) => {
      (bug.dpc ?? correctDpc)(MiniportInterruptContext as Adapter);
    });
    const MessageDpc = MINIPORT_MESSAGE_INTERRUPT_DPC('E1000MessageDpc', (MiniportInterruptContext) => {
      (bug.dpc ?? correctDpc)(MiniportInterruptContext as Adapter);
    });
    const DisableInterrupt = MINIPORT_DISABLE_INTERRUPT('E1000DisableInterrupt', (MiniportInterruptContext) => {
      const a = MiniportInterruptContext as Adapter;
      a.interruptsEnabled = false;
      a.regs.IMC.value = ALL_CAUSES;
    });
    const EnableInterrupt = MINIPORT_ENABLE_INTERRUPT('E1000EnableInterrupt', (MiniportInterruptContext) => {
      const a = MiniportInterruptContext as Adapter;
      if (a.halting) return;
      a.interruptsEnabled = true;
      a.regs.IMS.value = a.enabledCauses;
    });
    const DisableMessageInterrupt = MINIPORT_DISABLE_MESSAGE_INTERRUPT(
      'E1000DisableMessageInterrupt',
      (MiniportInterruptContext) => {
        (MiniportInterruptContext as Adapter).regs.IMC.value = ALL_CAUSES;
      },
    );
    const EnableMessageInterrupt = MINIPORT_ENABLE_MESSAGE_INTERRUPT(
      'E1000EnableMessageInterrupt',
      (MiniportInterruptContext) => {
        const a = MiniportInterruptContext as Adapter;
        if (!a.halting) a.regs.IMS.value = a.enabledCauses;
      },
    );

    const InitializeEx = MINIPORT_INITIALIZE(
      'E1000InitializeEx',
      (MiniportAdapterHandle, _MiniportDriverContext, MiniportInitParameters) => {
        const resources = resourcesOf(MiniportInitParameters);
        const regs = registersOf(resources);
        const a: Adapter = {
          ndis,
          resources,
          regs,
          fns: { TakeCauses, EnableInterrupts, DisableInterrupts, InterruptDpc },
          interrupt: null,
          messageBased: false,
          messageCount: 1,
          enabledCauses: LINE_CAUSES,
          interruptsEnabled: false,
          pendingCauses: 0,
          halting: false,
          dpcCauses: 0,
          isrCount: 0,
          handle: MiniportAdapterHandle,
          rxLock: {},
          rxRing: allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES),
          txLock: {},
          txRing: allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES),
          echoLengths: new Int32Array(RING_DESCRIPTORS),
          echoCount: 0,
          framesReceived: 0,
          framesSent: 0,
        };
        if (bug.allocateLocks) bug.allocateLocks(a);
        else {
          ndis.NdisAllocateSpinLock(a.rxLock);
          ndis.NdisAllocateSpinLock(a.txLock);
        }
        regs.IMC.value = ALL_CAUSES;
        if (a.rxRing === null || a.txRing === null) {
          freeRings(a);
          return NDIS_STATUS_RESOURCES;
        }
        (bug.programRings ?? correctProgramRings)(a, a.rxRing, a.txRing);

        const characteristics: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
          Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
          InterruptHandler: Isr,
          InterruptDpcHandler: InterruptDpc,
          DisableInterruptHandler: DisableInterrupt,
          EnableInterruptHandler: EnableInterrupt,
          MsiSupported: bug.messageBased === true,
          MsiSyncWithAllMessages: false,
          MessageInterruptHandler: MessageIsr,
          MessageInterruptDpcHandler: MessageDpc,
          DisableMessageInterruptHandler: DisableMessageInterrupt,
          EnableMessageInterruptHandler: EnableMessageInterrupt,
        };
        const interrupt: Box<NDIS_HANDLE> = { value: null };
        const status = ndis.NdisMRegisterInterruptEx(MiniportAdapterHandle, a, characteristics, interrupt);
        if (status !== NDIS_STATUS_SUCCESS) {
          freeRings(a);
          return status;
        }
        a.interrupt = interrupt.value;
        a.messageBased = characteristics.InterruptType === NDIS_CONNECT_MESSAGE_BASED;
        setMiniportAdapterContext(MiniportAdapterHandle, a);
        if (a.messageBased) {
          a.messageCount = characteristics.MessageInfoTable?.MessageCount ?? 1;
          a.enabledCauses = MESSAGE_CAUSES;
          regs.IVAR.value =
            (e1000.E1000_IVAR_ENTRY(0) << e1000.E1000_IVAR_RXQ0_SHIFT) |
            (e1000.E1000_IVAR_ENTRY(0) << e1000.E1000_IVAR_TXQ0_SHIFT) |
            (e1000.E1000_IVAR_ENTRY(0) << e1000.E1000_IVAR_OTHER_SHIFT);
          regs.EIAC.value = e1000.E1000_ICR_RXQ0 | e1000.E1000_ICR_TXQ0;
        }
        regs.RCTL.value = e1000.E1000_RCTL_EN | e1000.E1000_RCTL_BAM;
        regs.TCTL.value = e1000.E1000_TCTL_EN;
        if (bug.enableInterrupts) bug.enableInterrupts(a);
        else ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, EnableInterrupts, a);
        bug.afterInitialize?.(a);
        return NDIS_STATUS_SUCCESS;
      },
    );

    const HaltEx = MINIPORT_HALT('E1000HaltEx', (MiniportAdapterContext) => {
      (bug.halt ?? correctHalt)(MiniportAdapterContext as Adapter);
    });

    return { MiniportInitializeEx: InitializeEx, MiniportHaltEx: HaltEx };
  });
}
