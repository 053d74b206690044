/**
 * A line-based miniport built the way Linux's e1000e driver drives an 82574 — initialization,
 * interrupt handling and rings as `e1000_probe`, `e1000_intr` and `e1000e_poll` do them — on a line
 * it may share with other devices.
 *
 * - MiniportInitializeEx resets the NIC (CTRL.RST), validates the NVM checksum word by word through
 *   EERD (polling DONE), reads the PHY identifier through MDIC (polling READY) while holding the
 *   EXTCNF_CTRL software-ownership semaphore, takes the MAC address from RAL0/RAH0, allocates the RX
 *   and TX rings and their buffers with NdisMAllocateSharedMemory and programs them (both halves of
 *   each base), turns on interrupt auto-masking (CTRL_EXT.IAME with IAM all ones), registers the
 *   interrupt and enables its causes.
 * - The ISR is `e1000_intr`: it reads ICR once and claims the interrupt only when INT_ASSERTED is
 *   set — the NIC sets it only for a cause enabled in IMS, so another device's interrupt on the
 *   shared line finds it clear. It never writes IMC: reading ICR with INT_ASSERTED set masks the IAM
 *   causes in hardware. It hands the causes to the DPC and queues it.
 * - The DPC is `e1000e_poll`: it takes every frame whose RX descriptor has DD, hands the descriptors
 *   back (RDT), echoes each frame on the TX ring with RS, reclaims the TX descriptors with DD, follows
 *   the link, and re-enables interrupts with one IMS write inside a synchronize function.
 * - MiniportHaltEx masks under the interrupt lock, stops the receiver and transmitter, deregisters
 *   the interrupt and frees the rings.
 *
 * Run it with `ddikit simulate examples/e1000e-linux.ts`.
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
  NDIS_STATUS_FAILURE,
  NDIS_STATUS_RESOURCES,
  NDIS_STATUS_SUCCESS,
  type Box,
  type NDIS_HANDLE,
  type NDIS_SPIN_LOCK,
  type NdisFunctions,
} from '@ddikit/ndis';
import {
  REGISTER_REMOVED_VALUE,
  defineMiniport,
  e1000,
  resourcesOf,
  setMiniportAdapterContext,
  type RegisterHandle,
  type SimResources,
} from '@ddikit/sim';
import {
  allocateRing,
  cleanRxRing,
  freeRing,
  postTxFrame,
  programRxRing,
  programTxRing,
  reclaimTxRing,
  ringRegisters,
  type Ring,
} from './lib/e1000-rings.js';

const RING_DESCRIPTORS = 64;
const BUFFER_BYTES = 2048;
/** IMS_ENABLE_MASK of Linux's e1000e for INTx, plus RXO. */
const ENABLED_CAUSES =
  e1000.E1000_IMS_RXT0 | e1000.E1000_IMS_TXDW | e1000.E1000_IMS_RXDMT0 | e1000.E1000_IMS_LSC | e1000.E1000_IMS_RXO;
const ALL_CAUSES = 0xffff_ffff;
/** The 82574's PHY identifier (PHYID1 << 16 | PHYID2), as Linux's e1000_get_phy_id_82571 expects it. */
const PHY_ID_82574 = 0x0141_0cb1;
/** Polls of EERD.DONE / MDIC.READY / the semaphore before giving up, 1 µs apart. */
const POLLS_MAX = 100;

interface Adapter {
  readonly handle: NDIS_HANDLE;
  readonly resources: SimResources;
  readonly regs: Readonly<Record<string, RegisterHandle>>;
  interrupt: NDIS_HANDLE;

  // ISR-shared: touched at DIRQL only (the ISR and synchronize functions).
  /** Causes the ISR read from ICR that no DPC has taken yet. */
  pendingCauses: number;
  /** The causes TakeCauses handed to the DPC that called it. */
  dpcCauses: number;
  /** Halt has begun: the DPC must not unmask the NIC again. */
  halting: boolean;

  /** Guards the rings (RX first, then TX). */
  readonly rxLock: NDIS_SPIN_LOCK;
  readonly txLock: NDIS_SPIN_LOCK;
  rx: Ring | null;
  tx: Ring | null;

  macAddress: number[];
  linkUp: boolean;
  framesReceived: number;
  framesSent: number;
}

/** A register of the adapter's, by the datasheet's name. */
function reg(a: Adapter, name: string): RegisterHandle {
  const handle = a.regs[name];
  if (handle === undefined) throw new Error(`e1000e-linux: the device has no ${name} register`);
  return handle;
}

// ---- PASSIVE_LEVEL helpers: the NVM and the PHY, as e1000e's nvm.c and phy.c reach them --------------

/** One NVM word through EERD (e1000e_read_nvm_eerd); -1 when DONE never comes. */
function readNvm(ndis: NdisFunctions, a: Adapter, word: number): number {
  reg(a, 'EERD').value = (word << e1000.E1000_EERW_ADDR_SHIFT) | e1000.E1000_EERW_START;
  for (let poll = 0; poll < POLLS_MAX; poll++) {
    const value = reg(a, 'EERD').value;
    if ((value & e1000.E1000_EERW_DONE) !== 0) return value >>> e1000.E1000_EERW_DATA_SHIFT;
    ndis.NdisStallExecution(1);
  }
  return -1;
}

/** The NVM checksum (e1000e_validate_nvm_checksum_generic): words 0x00..0x3F sum to 0xBABA. */
function nvmValid(ndis: NdisFunctions, a: Adapter): boolean {
  let sum = 0;
  for (let word = 0; word < e1000.E1000_NVM_WORDS; word++) {
    const value = readNvm(ndis, a, word);
    if (value < 0) return false;
    sum = (sum + value) & 0xffff;
  }
  return sum === e1000.E1000_NVM_SUM;
}

/** Takes the MDIO software-ownership semaphore (e1000_get_hw_semaphore_82573). */
function acquireMdio(ndis: NdisFunctions, a: Adapter): boolean {
  const extcnf = reg(a, 'EXTCNF_CTRL');
  for (let poll = 0; poll < POLLS_MAX; poll++) {
    extcnf.value = extcnf.value | e1000.E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP;
    if ((extcnf.value & e1000.E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP) !== 0) return true;
    ndis.NdisStallExecution(1);
  }
  return false;
}

function releaseMdio(a: Adapter): void {
  const extcnf = reg(a, 'EXTCNF_CTRL');
  extcnf.value = extcnf.value & ~e1000.E1000_EXTCNF_CTRL_MDIO_SW_OWNERSHIP;
}

/** One PHY register through MDIC (e1000e_read_phy_reg_mdic); -1 on a timeout, an error or a wrong echo. */
function readPhy(ndis: NdisFunctions, a: Adapter, register: number): number {
  const mdic = reg(a, 'MDIC');
  mdic.value =
    (register << e1000.E1000_MDIC_REG_SHIFT) |
    (e1000.E1000_PHY_ADDRESS << e1000.E1000_MDIC_PHY_SHIFT) |
    e1000.E1000_MDIC_OP_READ;
  for (let poll = 0; poll < POLLS_MAX; poll++) {
    const value = mdic.value;
    if ((value & e1000.E1000_MDIC_READY) !== 0) {
      if ((value & e1000.E1000_MDIC_ERROR) !== 0) return -1;
      if (((value >>> e1000.E1000_MDIC_REG_SHIFT) & 0x1f) !== register) return -1;
      return value & e1000.E1000_MDIC_DATA_MASK;
    }
    ndis.NdisStallExecution(1);
  }
  return -1;
}

/** The PHY identifier, under the MDIO semaphore (e1000_get_phy_id_82571). */
function phyId(ndis: NdisFunctions, a: Adapter): number {
  if (!acquireMdio(ndis, a)) return -1;
  const high = readPhy(ndis, a, 2);
  const low = readPhy(ndis, a, 3);
  releaseMdio(a);
  return high < 0 || low < 0 ? -1 : ((high << 16) | low) >>> 0;
}

export default defineMiniport('e1000e-linux', (ndis) => {
  // ---- DIRQL -------------------------------------------------------------------------------------

  /** e1000_intr: claim only what the NIC asserted; IAME has masked the NIC by the time ICR returns. */
  const E1000eIntr = MINIPORT_ISR('E1000eIntr', (MiniportInterruptContext, QueueDefaultInterruptDpc) => {
    const a = MiniportInterruptContext as Adapter;
    const icr = reg(a, 'ICR').value;
    if (icr === REGISTER_REMOVED_VALUE) return false; // the NIC is gone
    // "If INT_ASSERTED is not set, the adapter didn't send an interrupt."
    if ((icr & e1000.E1000_ICR_INT_ASSERTED) === 0) return false;
    a.pendingCauses |= icr & ENABLED_CAUSES;
    QueueDefaultInterruptDpc.value = true;
    return true;
  });

  const TakeCauses = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000eTakeCauses', (SynchronizeContext) => {
    const a = SynchronizeContext as Adapter;
    a.dpcCauses = a.pendingCauses;
    a.pendingCauses = 0;
    return true;
  });

  /** e1000_irq_enable. */
  const IrqEnable = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000eIrqEnable', (SynchronizeContext) => {
    const a = SynchronizeContext as Adapter;
    if (a.halting) return false;
    reg(a, 'IMS').value = ENABLED_CAUSES;
    return true;
  });

  /** e1000_irq_disable, for good (halt). */
  const IrqDisable = MINIPORT_SYNCHRONIZE_INTERRUPT('E1000eIrqDisable', (SynchronizeContext) => {
    const a = SynchronizeContext as Adapter;
    a.halting = true;
    reg(a, 'IMC').value = ALL_CAUSES;
    return true;
  });

  const DisableInterrupt = MINIPORT_DISABLE_INTERRUPT('E1000eDisableInterrupt', (MiniportInterruptContext) => {
    reg(MiniportInterruptContext as Adapter, 'IMC').value = ALL_CAUSES;
  });

  const EnableInterrupt = MINIPORT_ENABLE_INTERRUPT('E1000eEnableInterrupt', (MiniportInterruptContext) => {
    const a = MiniportInterruptContext as Adapter;
    if (!a.halting) reg(a, 'IMS').value = ENABLED_CAUSES;
  });

  // ---- DISPATCH_LEVEL ----------------------------------------------------------------------------

  /** e1000e_poll: clean RX (echoing each frame on TX), clean TX, follow the link, re-enable. */
  const E1000ePoll = MINIPORT_INTERRUPT_DPC('E1000ePoll', (MiniportInterruptContext) => {
    const a = MiniportInterruptContext as Adapter;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, TakeCauses, a);
    const rx = a.rx!;
    const tx = a.tx!;
    ndis.NdisDprAcquireSpinLock(a.rxLock);
    ndis.NdisDprAcquireSpinLock(a.txLock);
    a.framesReceived += cleanRxRing(rx, reg(a, 'RDT0'), (offset, length) => {
      postTxFrame(tx, reg(a, 'TDT0'), length, rx.buffers, offset);
    });
    a.framesSent += reclaimTxRing(tx);
    ndis.NdisDprReleaseSpinLock(a.txLock);
    ndis.NdisDprReleaseSpinLock(a.rxLock);
    if ((a.dpcCauses & e1000.E1000_ICR_LSC) !== 0) {
      const status = reg(a, 'STATUS').value;
      a.linkUp = status !== REGISTER_REMOVED_VALUE && (status & e1000.E1000_STATUS_LU) !== 0;
    }
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, IrqEnable, a);
  });

  // ---- PASSIVE_LEVEL -----------------------------------------------------------------------------

  function freeRings(a: Adapter): void {
    if (a.rx !== null) freeRing(ndis, a.handle, a.rx);
    if (a.tx !== null) freeRing(ndis, a.handle, a.tx);
    a.rx = null;
    a.tx = null;
  }

  /** e1000_reset_hw_82571, e1000_validate_nvm_checksum, the PHY id, e1000e_read_mac_addr. */
  function probe(a: Adapter): boolean {
    reg(a, 'IMC').value = ALL_CAUSES;
    reg(a, 'RCTL').value = 0;
    reg(a, 'TCTL').value = 0;
    if (!acquireMdio(ndis, a)) return false;
    reg(a, 'CTRL').value = reg(a, 'CTRL').value | e1000.E1000_CTRL_RST;
    releaseMdio(a);
    if ((reg(a, 'EECD').value & e1000.E1000_EECD_AUTO_RD) === 0) return false;
    reg(a, 'IMC').value = ALL_CAUSES;
    void reg(a, 'ICR').value;
    if (!nvmValid(ndis, a) || phyId(ndis, a) !== PHY_ID_82574) return false;
    const ral = reg(a, 'RAL0').value;
    const rah = reg(a, 'RAH0').value;
    a.macAddress = [ral & 0xff, (ral >>> 8) & 0xff, (ral >>> 16) & 0xff, ral >>> 24, rah & 0xff, (rah >>> 8) & 0xff];
    return true;
  }

  /** e1000_configure: the receive address, rings, receiver and transmitter, and interrupt auto-masking. */
  function configure(a: Adapter): void {
    const regs = a.regs;
    reg(a, 'RAH0').value = (reg(a, 'RAH0').value & 0xffff) | e1000.E1000_RAH_AV;
    for (let i = 0; i < 128; i++) a.resources.register(e1000.E1000_MTA + 4 * i).value = 0;
    programTxRing(ringRegisters(regs, 'TD', 0), a.tx!);
    reg(a, 'TCTL').value = e1000.E1000_TCTL_EN;
    reg(a, 'RCTL').value = e1000.E1000_RCTL_EN | e1000.E1000_RCTL_BAM | e1000.E1000_RCTL_SECRC;
    // e1000_configure_rx: interrupt auto-masking, then the ring.
    reg(a, 'CTRL_EXT').value = reg(a, 'CTRL_EXT').value | e1000.E1000_CTRL_EXT_IAME;
    reg(a, 'IAM').value = ALL_CAUSES;
    programRxRing(ringRegisters(regs, 'RD', 0), a.rx!);
  }

  const E1000eInitializeEx = MINIPORT_INITIALIZE(
    'E1000eInitializeEx',
    (MiniportAdapterHandle, _MiniportDriverContext, MiniportInitParameters) => {
      const resources = resourcesOf(MiniportInitParameters);
      const a: Adapter = {
        handle: MiniportAdapterHandle,
        resources,
        regs: resources.registers,
        interrupt: null,
        pendingCauses: 0,
        dpcCauses: 0,
        halting: false,
        rxLock: {},
        txLock: {},
        rx: null,
        tx: null,
        macAddress: [],
        linkUp: false,
        framesReceived: 0,
        framesSent: 0,
      };
      if (!probe(a)) return NDIS_STATUS_FAILURE;
      a.rx = allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES);
      a.tx = allocateRing(ndis, MiniportAdapterHandle, RING_DESCRIPTORS, BUFFER_BYTES);
      if (a.rx === null || a.tx === null) {
        freeRings(a);
        return NDIS_STATUS_RESOURCES;
      }
      ndis.NdisAllocateSpinLock(a.rxLock);
      ndis.NdisAllocateSpinLock(a.txLock);
      configure(a);

      const characteristics = {
        Header: { Type: NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, Revision: NDIS_MINIPORT_INTERRUPT_REVISION_1, Size: 0 },
        InterruptHandler: E1000eIntr,
        InterruptDpcHandler: E1000ePoll,
        DisableInterruptHandler: DisableInterrupt,
        EnableInterruptHandler: EnableInterrupt,
        MsiSupported: false,
        MsiSyncWithAllMessages: false,
      } as Parameters<NdisFunctions['NdisMRegisterInterruptEx']>[2] & { InterruptType?: number };
      const interrupt: Box<NDIS_HANDLE> = { value: null };
      const status = ndis.NdisMRegisterInterruptEx(MiniportAdapterHandle, a, characteristics, interrupt);
      if (status !== NDIS_STATUS_SUCCESS || characteristics.InterruptType !== NDIS_CONNECT_LINE_BASED) {
        if (status === NDIS_STATUS_SUCCESS) ndis.NdisMDeregisterInterruptEx(interrupt.value);
        reg(a, 'RCTL').value = 0;
        reg(a, 'TCTL').value = 0;
        ndis.NdisFreeSpinLock(a.txLock);
        ndis.NdisFreeSpinLock(a.rxLock);
        freeRings(a);
        return status !== NDIS_STATUS_SUCCESS ? status : NDIS_STATUS_FAILURE;
      }
      a.interrupt = interrupt.value;
      setMiniportAdapterContext(MiniportAdapterHandle, a);
      a.linkUp = (reg(a, 'STATUS').value & e1000.E1000_STATUS_LU) !== 0;
      ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, IrqEnable, a);
      return NDIS_STATUS_SUCCESS;
    },
  );

  const E1000eHaltEx = MINIPORT_HALT('E1000eHaltEx', (MiniportAdapterContext) => {
    const a = MiniportAdapterContext as Adapter;
    ndis.NdisMSynchronizeWithInterruptEx(a.interrupt, 0, IrqDisable, a);
    reg(a, 'RCTL').value = 0;
    reg(a, 'TCTL').value = 0;
    // NDIS runs the DPCs still queued before this returns; they find `halting` set.
    ndis.NdisMDeregisterInterruptEx(a.interrupt);
    a.interrupt = null;
    ndis.NdisFreeSpinLock(a.txLock);
    ndis.NdisFreeSpinLock(a.rxLock);
    freeRings(a);
  });

  return { MiniportInitializeEx: E1000eInitializeEx, MiniportHaltEx: E1000eHaltEx };
});
