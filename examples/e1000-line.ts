/**
 * A line-based miniport for the simulated e1000 NIC, built the way the Intel e1000 drivers are.
 *
 * - MiniportInitializeEx allocates a spin lock per ring, allocates the RX and TX descriptor rings and
 *   their buffers with NdisMAllocateSharedMemory and programs them (examples/lib/e1000-rings.ts), fills
 *   NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, registers the interrupt, checks the InterruptType NDIS
 *   granted, and enables the NIC's interrupts through NdisMSynchronizeWithInterruptEx.
 * - The ISR runs at DIRQL on a line it may share with other devices. It returns FALSE at once when
 *   the NIC cannot be the one interrupting (its interrupts are masked) or when ICR — read-to-clear —
 *   holds none of the causes the driver enabled. Otherwise it masks every cause (IMC), hands the
 *   causes to the DPC through ISR-shared state and queues the DPC.
 * - The DPC runs at DISPATCH_LEVEL: it takes the causes inside a synchronize function, takes every
 *   frame whose RX descriptor the NIC marked done (DD) and hands the descriptors back by moving RDT,
 *   echoes each received frame on the TX ring, reclaims the TX descriptors the NIC marked done,
 *   follows the link, and re-enables interrupts (IMS) inside a synchronize function.
 * - MiniportHaltEx masks the NIC under the interrupt lock, stops the receiver and transmitter,
 *   deregisters the interrupt (NDIS runs the DPCs still queued), frees the rings and the spin locks.
 *
 * - With `watchdog` on (examples/e1000-watchdog.ts), MiniportInitializeEx also allocates a timer
 *   object and sets it to expire every millisecond; its NDIS_TIMER_FUNCTION runs at DISPATCH_LEVEL,
 *   beside the DPC on another processor, and notes under the RX lock how far the receiver got.
 *   MiniportHaltEx cancels it at PASSIVE_LEVEL before freeing it and what it uses.
 *
 * State the ISR touches (`pendingCauses`, `interruptsEnabled`, `halting`, ICR/IMS/IMC) is touched
 * below DIRQL only inside synchronize functions; ring state shared among DPCs (and the watchdog) is
 * guarded by spin locks. Run it with `ddikit simulate examples/e1000-line.ts`.
 */
import {
  MINIPORT_DISABLE_INTERRUPT,
  MINIPORT_ENABLE_INTERRUPT,
  MINIPORT_HALT,
  MINIPORT_INITIALIZE,
  MINIPORT_INTERRUPT_DPC,
  MINIPORT_ISR,
  MINIPORT_SYNCHRONIZE_INTERRUPT,
  NDIS_CONNECT_LINE_BASED,
  NDIS_MINIPORT_INTERRUPT_REVISION_1,
  NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT,
  NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
  NDIS_STATUS_FAILURE,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  NDIS_TIMER_CHARACTERISTICS_REVISION_1,
  NDIS_TIMER_FUNCTION,
  type Box,
  type NDIS_HANDLE,
  type NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS,
  type NDIS_SPIN_LOCK,
  type NDIS_STATUS,
  type NdisFunctions,
} from '@ddikit/ndis';
import {
  allocateRing,
  cleanRxRing,
  freeRing,
  postTxFrame,
  programRxRing,
  programTxRing,
  reclaimTxRing,
  type Ring,
} from './lib/e1000-rings.js';
import {
  REGISTER_REMOVED_VALUE,
  defineMiniport,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type MiniportHandlers,
  type MiniportDefinition,
  type RegisterHandle,
  type SimResources,
} from '@ddikit/sim';

/** Descriptors per ring (RDLEN/TDLEN hold the size in bytes) and bytes per packet buffer (RCTL.BSIZE 2048). */
const RING_DESCRIPTORS = 64;
const BUFFER_BYTES = 2048;
/** The causes the driver enables; an ICR holding none of them is another device's interrupt. */
const RX_CAUSES = e1000.E1000_ICR_RXT0 | e1000.E1000_ICR_RXO | e1000.E1000_ICR_RXDMT0;
const ENABLED_CAUSES = RX_CAUSES | e1000.E1000_ICR_TXDW | e1000.E1000_ICR_LSC;
const ALL_CAUSES = 0xffff_ffff;
/** The watchdog's pool tag ('Wdog'), and its first expiry: 1 ms from now (relative: negative, 100 ns units). */
const WATCHDOG_TAG = 0x676f6457;
const WATCHDOG_DUE = -10_000n;

/** What the driver keeps besides the NIC's basics. */
export interface E1000LineOptions {
  /**
   * A watchdog timer, as real miniports keep (examples/c/e1000-line.c's CONTOSO_WATCHDOG): 1 every
   * millisecond (NdisSetTimerObject); 2 every 2 ms ± 1 ms (NdisSetCoalescableTimerObject, each
   * expiry drawn from the seed). 0, the default: none.
   */
  readonly watchdog?: 0 | 1 | 2;
}

/** The registers the driver uses, looked up once. */
interface Registers {
  readonly STATUS: RegisterHandle;
  readonly ICR: RegisterHandle;
  readonly IMS: RegisterHandle;
  readonly IMC: RegisterHandle;
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
  readonly MPC: RegisterHandle;
}

/** The MiniportAdapterContext (and the interrupt and synchronize context). */
interface Adapter {
  readonly regs: Registers;
  readonly handle: NDIS_HANDLE;
  interrupt: NDIS_HANDLE;

  // ISR-shared: read and written at DIRQL only (the ISR and synchronize functions).
  /** What IMS holds: false once the ISR or halt masked the NIC. */
  interruptsEnabled: boolean;
  /** Causes the ISR read from ICR that no DPC has taken yet. */
  pendingCauses: number;
  /** Halt has begun: a DPC still running must not unmask the NIC again. */
  halting: boolean;
  /** The causes TakeCauses handed to the DPC that called it. */
  dpcCauses: number;

  /** Guards the RX ring. */
  readonly rxLock: NDIS_SPIN_LOCK;
  rxRing: Ring | null;
  /** Guards the TX ring. */
  readonly txLock: NDIS_SPIN_LOCK;
  txRing: Ring | null;

  linkUp: boolean;
  framesReceived: number;
  framesSent: number;
  framesMissed: number;

  /** The watchdog's timer object (null: none). */
  watchdogTimer: NDIS_HANDLE;
  /** Guarded by the RX lock: the watchdog's runs, and the RX descriptor the receiver was to clean next. */
  watchdogRuns: number;
  rxNextAtWatchdog: number;
}

function registersOf(resources: SimResources): Registers {
  const pick = (name: keyof Registers): RegisterHandle => {
    const handle = resources.registers[name];
    if (handle === undefined) throw new Error(`e1000-line: the device has no ${name} register`);
    return handle;
  };
  return {
    STATUS: pick('STATUS'),
    ICR: pick('ICR'),
    IMS: pick('IMS'),
    IMC: pick('IMC'),
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
    MPC: pick('MPC'),
  };
}

/** The driver, with the options' extras (none: examples/e1000-line.ts itself). */
export function e1000LineDriver(options: E1000LineOptions = {}): MiniportDefinition {
  const watchdog = options.watchdog ?? 0;
  return defineMiniport(watchdog === 0 ? 'e1000-line' : 'e1000-watchdog', (ndis) => miniport(ndis, watchdog));
}

export default e1000LineDriver();

/** The miniport's functions, as NDIS gets them. */
function miniport(ndis: NdisFunctions, watchdog: 0 | 1 | 2): MiniportHandlers {
  // ---- DIRQL: synchronize functions, ISR, enable/disable -------------------------------------------

  /** Hands the causes the ISR collected to the DPC. */
  const TakeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000TakeCauses', (SynchronizeContext) => {
    const a = SynchronizeContext as Adapter;
    a.dpcCauses = a.pendingCauses;
    a.pendingCauses = 0;
    return a.dpcCauses !== 0;
  });

  /** Unmasks the NIC's interrupts, unless halt has begun. */
  const EnableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000EnableInterrupts', (SynchronizeContext) => {
    const a = SynchronizeContext as Adapter;
    if (a.halting) return false;
    a.interruptsEnabled = true;
    a.regs.IMS.value = ENABLED_CAUSES;
    return true;
  });

  /** Masks the NIC's interrupts for good (halt). */
  const DisableInterrupts = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000DisableInterrupts', (SynchronizeContext) => {
    const a = SynchronizeContext as Adapter;
    a.halting = true;
    a.interruptsEnabled = false;
    a.regs.IMC.value = ALL_CAUSES;
    return true;
  });

  const E1000Isr = MINIPORT_ISR('E1000Isr', (MiniportInterruptContext, QueueDefaultInterruptDpc) => {
    const a = MiniportInterruptContext as Adapter;
    // Masked, the NIC cannot assert the line: another device on the shared line did.
    if (!a.interruptsEnabled) return false;
    const icr = a.regs.ICR.value; // read-to-clear: the read also drops the NIC's line
    if (icr === REGISTER_REMOVED_VALUE) return false; // the NIC is gone
    const causes = icr & ENABLED_CAUSES;
    if (causes === 0) return false; // not ours
    a.regs.IMC.value = ALL_CAUSES;
    a.interruptsEnabled = false;
    a.pendingCauses |= causes;
    QueueDefaultInterruptDpc.value = true;
    return true;
  });

  const E1000DisableInterrupt = MINIPORT_DISABLE_INTERRUPT('E1000DisableInterrupt', (MiniportInterruptContext) => {
    const a = MiniportInterruptContext as Adapter;
    a.interruptsEnabled = false;
    a.regs.IMC.value = ALL_CAUSES;
  });

  const E1000EnableInterrupt = MINIPORT_ENABLE_INTERRUPT('E1000EnableInterrupt', (MiniportInterruptContext) => {
    const a = MiniportInterruptContext as Adapter;
    if (a.halting) return;
    a.interruptsEnabled = true;
    a.regs.IMS.value = ENABLED_CAUSES;
  });

  // ---- DISPATCH_LEVEL: the DPC and what it calls -----------------------------------------------------

  /**
   * Takes the frames the NIC wrote, hands their descriptors back and echoes each on the TX ring
   * (RX lock, then TX lock: always in this order). Returns how many arrived.
   */
  function receive(a: Adapter): number {
    const rx = a.rxRing!;
    const tx = a.txRing!;
    ndis.NdisDprAcquireSpinLock(a.rxLock);
    ndis.NdisDprAcquireSpinLock(a.txLock);
    const arrived = cleanRxRing(rx, a.regs.RDT0, (offset, length) => {
      postTxFrame(tx, a.regs.TDT0, length, rx.buffers, offset);
    });
    ndis.NdisDprReleaseSpinLock(a.txLock);
    ndis.NdisDprReleaseSpinLock(a.rxLock);
    a.framesReceived += arrived;
    return arrived;
  }

  /** Reclaims the TX descriptors the NIC reported done. */
  function completeTransmits(a: Adapter): void {
    ndis.NdisDprAcquireSpinLock(a.txLock);
    a.framesSent += reclaimTxRing(a.txRing!);
    ndis.NdisDprReleaseSpinLock(a.txLock);
  }

  const E1000InterruptDpc = MINIPORT_INTERRUPT_DPC('E1000InterruptDpc', (MiniportInterruptContext) => {
    const a = MiniportInterruptContext as Adapter;
    if (ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, TakeCauses, a)) {
      const causes = a.dpcCauses;
      if ((causes & RX_CAUSES) !== 0) {
        receive(a);
        if ((causes & e1000.E1000_ICR_RXO) !== 0) a.framesMissed += a.regs.MPC.value; // read-to-clear
      }
      if ((causes & e1000.E1000_ICR_TXDW) !== 0) completeTransmits(a);
      if ((causes & e1000.E1000_ICR_LSC) !== 0) a.linkUp = (a.regs.STATUS.value & e1000.E1000_STATUS_LU) !== 0;
    }
    // The last DPC of the batch unmasks the NIC; causes raised meanwhile interrupt again at once.
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, EnableInterrupts, a);
  });

  /** DISPATCH_LEVEL, every millisecond: notes how far the receiver got, under the lock the DPC takes. */
  const E1000Watchdog = NDIS_TIMER_FUNCTION('E1000Watchdog', (_SystemSpecific1, FunctionContext) => {
    const a = FunctionContext as Adapter;
    ndis.NdisDprAcquireSpinLock(a.rxLock);
    a.watchdogRuns += 1;
    a.rxNextAtWatchdog = a.rxRing!.next;
    ndis.NdisDprReleaseSpinLock(a.rxLock);
  });

  // ---- PASSIVE_LEVEL: initialize and halt -----------------------------------------------------------

  /** Allocates the watchdog's timer object; it runs once startWatchdog sets it. */
  function allocateWatchdog(a: Adapter): NDIS_STATUS {
    const timer: Box<NDIS_HANDLE> = { value: null };
    const status = ndis.NdisAllocateTimerObject(
      a.handle,
      {
        Header: {
          Type: NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS,
          Revision: NDIS_TIMER_CHARACTERISTICS_REVISION_1,
          Size: 0,
        },
        AllocationTag: WATCHDOG_TAG,
        TimerFunction: E1000Watchdog,
        FunctionContext: a,
      },
      timer,
    );
    a.watchdogTimer = timer.value;
    return status;
  }

  function startWatchdog(a: Adapter): void {
    if (watchdog === 2) {
      // Coalescable: each expiry may move by up to 1 ms either way.
      ndis.NdisSetCoalescableTimerObject(a.watchdogTimer, { QuadPart: WATCHDOG_DUE }, 2, null, 1);
    } else ndis.NdisSetTimerObject(a.watchdogTimer, { QuadPart: WATCHDOG_DUE }, 1, null);
  }

  /** Frees the watchdog's timer object, if there is one. */
  function freeWatchdog(a: Adapter): void {
    if (a.watchdogTimer === null) return;
    ndis.NdisFreeTimerObject(a.watchdogTimer);
    a.watchdogTimer = null;
  }

  /** Frees whatever rings were allocated (the NIC no longer reaches them). */
  function freeRings(a: Adapter): void {
    if (a.rxRing !== null) freeRing(ndis, a.handle, a.rxRing);
    if (a.txRing !== null) freeRing(ndis, a.handle, a.txRing);
    a.rxRing = null;
    a.txRing = null;
  }

  const E1000InitializeEx = MINIPORT_INITIALIZE(
    'E1000InitializeEx',
    (MiniportAdapterHandle, _MiniportDriverContext, MiniportInitParameters) => {
      const regs = registersOf(resourcesOf(MiniportInitParameters));
      const a: Adapter = {
        regs,
        handle: MiniportAdapterHandle,
        interrupt: null,
        interruptsEnabled: false,
        pendingCauses: 0,
        halting: false,
        dpcCauses: 0,
        rxLock: {},
        rxRing: null,
        txLock: {},
        txRing: null,
        linkUp: false,
        framesReceived: 0,
        framesSent: 0,
        framesMissed: 0,
        watchdogTimer: null,
        watchdogRuns: 0,
        rxNextAtWatchdog: 0,
      };
      // Rings first, with the receiver and transmitter still off and every cause masked.
      a.rxRing = allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES);
      a.txRing = allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES);
      if (a.rxRing === null || a.txRing === null) {
        freeRings(a);
        return NDIS_STATUS_RESOURCES;
      }
      if (watchdog !== 0) {
        const status = allocateWatchdog(a);
        if (status !== NDIS_STATUS_SUCCESS) {
          freeRings(a);
          return status;
        }
      }
      ndis.NdisAllocateSpinLock(a.rxLock);
      ndis.NdisAllocateSpinLock(a.txLock);
      regs.IMC.value = ALL_CAUSES;
      programRxRing({ BAL: regs.RDBAL0, BAH: regs.RDBAH0, LEN: regs.RDLEN0, H: regs.RDH0, T: regs.RDT0 }, a.rxRing);
      programTxRing({ BAL: regs.TDBAL0, BAH: regs.TDBAH0, LEN: regs.TDLEN0, H: regs.TDH0, T: regs.TDT0 }, a.txRing);

      const characteristics: NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS = {
        Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
        InterruptHandler: E1000Isr,
        InterruptDpcHandler: E1000InterruptDpc,
        DisableInterruptHandler: E1000DisableInterrupt,
        EnableInterruptHandler: E1000EnableInterrupt,
        MsiSupported: false,
        MsiSyncWithAllMessages: false,
      };
      const interrupt: Box<NDIS_HANDLE> = { value: null };
      // The ISR may run before this returns: it finds the NIC masked and returns FALSE.
      const status = ndis.NdisMRegisterInterruptEx(MiniportAdapterHandle, a, characteristics, interrupt);
      if (status !== NDIS_STATUS_SUCCESS) {
        freeWatchdog(a);
        ndis.NdisFreeSpinLock(a.txLock);
        ndis.NdisFreeSpinLock(a.rxLock);
        freeRings(a);
        return status;
      }
      a.interrupt = interrupt.value;
      if (characteristics.InterruptType !== NDIS_CONNECT_LINE_BASED) {
        // This driver asked for a line interrupt and handles nothing else.
        ndis.NdisMDeregisterInterruptEx(a.interrupt);
        freeWatchdog(a);
        ndis.NdisFreeSpinLock(a.txLock);
        ndis.NdisFreeSpinLock(a.rxLock);
        freeRings(a);
        return NDIS_STATUS_FAILURE;
      }
      setMiniportAdapterContext(MiniportAdapterHandle, a);

      a.linkUp = (regs.STATUS.value & e1000.E1000_STATUS_LU) !== 0;
      regs.RCTL.value = e1000.E1000_RCTL_EN | e1000.E1000_RCTL_BAM | e1000.E1000_RCTL_SZ_2048;
      regs.TCTL.value = e1000.E1000_TCTL_EN;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, EnableInterrupts, a);
      if (watchdog !== 0) startWatchdog(a);
      return NDIS_STATUS_SUCCESS;
    },
  );

  const E1000HaltEx = MINIPORT_HALT('E1000HaltEx', (MiniportAdapterContext) => {
    const a = MiniportAdapterContext as Adapter;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, DisableInterrupts, a);
    a.regs.RCTL.value = 0;
    a.regs.TCTL.value = 0;
    // NDIS runs the DPCs still queued before this returns; they find `halting` set.
    ndis.NdisMDeregisterInterruptEx(a.interrupt);
    a.interrupt = null;
    // A periodic timer: canceled at PASSIVE_LEVEL (NdisCancelTimerObject then waits for a run of its
    // function on another processor), before what its function uses is freed.
    if (a.watchdogTimer !== null) ndis.NdisCancelTimerObject(a.watchdogTimer);
    freeWatchdog(a);
    ndis.NdisFreeSpinLock(a.txLock);
    ndis.NdisFreeSpinLock(a.rxLock);
    freeRings(a);
  });

  return { MiniportInitializeEx: E1000InitializeEx, MiniportHaltEx: E1000HaltEx };
}
