/*
 * Contoso e1000: a line-based NDIS 6 miniport for the Intel 8254x family, written as for the WDK.
 *
 * - DriverEntry registers the miniport with NdisMRegisterMiniportDriver.
 * - ContosoInitializeEx allocates the adapter, sets the registration attributes, finds the memory
 *   resource (BAR 0) in AllocatedResources and maps it, allocates the RX and TX descriptor rings and
 *   their packet buffers with NdisMAllocateSharedMemory, programs the rings (base, length, head, tail)
 *   with the NIC masked, registers the interrupt and unmasks the NIC inside a synchronize function.
 * - ContosoIsr runs at DIRQL on a line it may share: it returns FALSE at once unless ICR (read-to-clear)
 *   holds causes this driver enabled; otherwise it masks the NIC, hands the causes to the DPC through
 *   ISR-shared state and queues the DPC.
 * - ContosoInterruptDpc takes the causes inside a synchronize function, takes every frame whose RX
 *   descriptor the NIC marked done (DD) and hands the descriptors back (RDT), echoes each frame on the
 *   TX ring, reclaims the TX descriptors the NIC marked done, follows the link, and re-enables
 *   interrupts (synchronized).
 * - ContosoHaltEx masks the NIC under the interrupt lock, stops the receiver and transmitter,
 *   deregisters the interrupt, and frees the rings (the NIC no longer reaches them), the register
 *   mapping and what initialize allocated.
 *
 * CONTOSO_WATCHDOG (default 0) adds what real miniports keep: a periodic timer that runs at
 * DISPATCH_LEVEL every millisecond (2: every 2 ms ± 1 ms, with NdisSetCoalescableTimerObject) and
 * notes, under the RX lock, how far the receiver got (a hung receiver would show there).
 * Initialize allocates it (NdisAllocateTimerObject) and sets it (NdisSetTimerObject); halt cancels
 * it before freeing it. Off by default, so the driver's run matches the TypeScript one.
 *
 * CONTOSO_BUG selects one planted bug (0: none), for the verifier's tests; see the list below.
 */
#include <ndis.h>

#define CONTOSO_BUG_NONE 0
#define CONTOSO_BUG_ROLE_SWAP 1       /* enable handler stored in DisableInterruptHandler */
#define CONTOSO_BUG_NO_ROLE 2         /* a synchronize function declared with no role */
#define CONTOSO_BUG_NULL_DEREF 3      /* statistics block never allocated */
#define CONTOSO_BUG_REGISTER_DEREF 4  /* ISR dereferences the mapped register window */
#define CONTOSO_BUG_STACK_OVERFLOW 6  /* unbounded recursion at initialize */
#define CONTOSO_BUG_RACE 7            /* DPC reads ISR-shared state outside a synchronize function */
#define CONTOSO_BUG_LOCK_RELEASE 8    /* releases a spin lock it never acquired (bug check in an import) */
#define CONTOSO_BUG_TRUNCATE 9        /* pointer truncated to ULONG (an error on x64 only) */
#define CONTOSO_BUG_HEAP_OVERFLOW 10  /* writes one element past an allocation */
#define CONTOSO_BUG_LOCK_AT_DIRQL 11  /* takes an NDIS spin lock in a synchronize function (bug check in an import) */
#define CONTOSO_BUG_LEAK 12           /* halt forgets the statistics block */
#define CONTOSO_BUG_POOL_OVERRUN 13   /* counts into a fourth ULONG of a three-ULONG block, through a pointer */
#define CONTOSO_BUG_INT_LOST 14       /* the DPC leaves the NIC masked after reclaiming transmits */
#define CONTOSO_BUG_NO_DEREGISTER 15  /* halt leaves the interrupt registered */
#define CONTOSO_BUG_DOUBLE_FREE 16    /* halt frees the statistics block twice */
#define CONTOSO_BUG_IRQL_CALL 17      /* the DPC maps the registers again (a PASSIVE_LEVEL DDI) */
#define CONTOSO_BUG_USE_AFTER_FREE 18 /* halt counts into the statistics block after freeing it */
#define CONTOSO_BUG_HANDLE_DEREF 19   /* initialize reads through the NDIS miniport handle */
#define CONTOSO_BUG_DMA_HIGH_HALF 20  /* programs only the low half of a ring's physical base */
#define CONTOSO_BUG_TIMER_PENDING 21  /* halt frees the watchdog timer without canceling it (with CONTOSO_WATCHDOG) */
#define CONTOSO_BUG_WATCHDOG_RACE 22  /* the watchdog reads the RX ring without the RX lock (with CONTOSO_WATCHDOG) */
#define CONTOSO_BUG_TIMER_LAST 23     /* halt frees the adapter first and the watchdog timer last (with CONTOSO_WATCHDOG) */
#define CONTOSO_BUG_DPC_AFTER_UNMASK 24 /* the DPC counts its batches after it unmasks the NIC, with no lock */
#define CONTOSO_BUG_LOCK_LEAK 25      /* reclaiming transmits returns holding the TX lock at a frame in flight */

#ifndef CONTOSO_BUG
#define CONTOSO_BUG CONTOSO_BUG_NONE
#endif
#ifndef CONTOSO_WATCHDOG
#define CONTOSO_WATCHDOG 0
#endif

#define CONTOSO_TAG 'otnC'

/* Registers (byte offsets in BAR 0). */
#define E1000_STATUS 0x0008
#define E1000_ICR 0x00C0
#define E1000_IMS 0x00D0
#define E1000_IMC 0x00D8
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_RDBAL0 0x2800
#define E1000_RDBAH0 0x2804
#define E1000_RDLEN0 0x2808
#define E1000_RDH0 0x2810
#define E1000_RDT0 0x2818
#define E1000_TDBAL0 0x3800
#define E1000_TDBAH0 0x3804
#define E1000_TDLEN0 0x3808
#define E1000_TDH0 0x3810
#define E1000_TDT0 0x3818
#define E1000_MPC 0x4010

#define E1000_ICR_TXDW 0x00000001
#define E1000_ICR_LSC 0x00000004
#define E1000_ICR_RXDMT0 0x00000010
#define E1000_ICR_RXO 0x00000040
#define E1000_ICR_RXT0 0x00000080
#define E1000_STATUS_LU 0x00000002
#define E1000_RCTL_EN 0x00000002
#define E1000_RCTL_BAM 0x00008000     /* accept broadcast */
#define E1000_RCTL_SZ_2048 0x00000000 /* receive buffers of 2048 bytes */
#define E1000_TCTL_EN 0x00000002
#define E1000_RXD_STAT_DD 0x01 /* descriptor done: the NIC wrote it */
#define E1000_RXD_STAT_EOP 0x02 /* the last descriptor of a frame */
#define E1000_TXD_CMD_EOP 0x01 /* the last descriptor of a frame */
#define E1000_TXD_CMD_IFCS 0x02 /* insert the frame check sequence */
#define E1000_TXD_CMD_RS 0x08 /* report status: the NIC sets DD when it sent the frame */
#define E1000_TXD_STAT_DD 0x01
#define E1000_REGISTER_REMOVED 0xFFFFFFFF

#define RING_DESCRIPTORS 64 /* per ring: RDLEN and TDLEN hold the size in bytes, a multiple of 128 */
#define BUFFER_BYTES 2048   /* per descriptor: RCTL.BSIZE */
#define RX_CAUSES (E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0)
#define ENABLED_CAUSES (RX_CAUSES | E1000_ICR_TXDW | E1000_ICR_LSC)
#define ALL_CAUSES 0xFFFFFFFF

/* Legacy descriptors, 16 bytes each, little-endian, in memory the NIC reaches by DMA. */
typedef struct _E1000_RX_DESCRIPTOR {
    ULONGLONG BufferAddress; /* physical address of the packet buffer */
    USHORT Length;           /* written by the NIC: bytes of the frame in the buffer */
    USHORT Checksum;
    UCHAR Status; /* written by the NIC: DD, EOP */
    UCHAR Errors;
    USHORT Special;
} E1000_RX_DESCRIPTOR, *PE1000_RX_DESCRIPTOR;

typedef struct _E1000_TX_DESCRIPTOR {
    ULONGLONG BufferAddress; /* physical address of the frame */
    USHORT Length;           /* bytes to send */
    UCHAR ChecksumOffset;
    UCHAR Command; /* EOP, IFCS, RS */
    UCHAR Status;  /* written by the NIC: DD once sent (with RS) */
    UCHAR ChecksumStart;
    USHORT Special;
} E1000_TX_DESCRIPTOR, *PE1000_TX_DESCRIPTOR;

_Static_assert(sizeof(E1000_RX_DESCRIPTOR) == 16, "an RX descriptor is 16 bytes");
_Static_assert(sizeof(E1000_TX_DESCRIPTOR) == 16, "a TX descriptor is 16 bytes");

/* A descriptor ring and its packet buffers (one per descriptor), both from NdisMAllocateSharedMemory. */
typedef struct _CONTOSO_RING {
    PVOID Descriptors; /* RING_DESCRIPTORS descriptors */
    NDIS_PHYSICAL_ADDRESS DescriptorsPhysical;
    PUCHAR Buffers; /* RING_DESCRIPTORS buffers of BUFFER_BYTES */
    NDIS_PHYSICAL_ADDRESS BuffersPhysical;
    ULONG Next;     /* RX: the next descriptor to clean. TX: the next to post. */
    ULONG Clean;    /* TX: the next descriptor to reclaim */
    ULONG InFlight; /* TX: posted and not yet reclaimed */
} CONTOSO_RING, *PCONTOSO_RING;

typedef struct _CONTOSO_STATS {
    ULONG FramesReceived;
    ULONG FramesSent;
    ULONG FramesMissed;
} CONTOSO_STATS, *PCONTOSO_STATS;

typedef struct _CONTOSO_ADAPTER {
    NDIS_HANDLE MiniportAdapterHandle;
    NDIS_HANDLE InterruptHandle;
    PUCHAR Registers;
    ULONG RegistersLength;

    /* ISR-shared: read and written at DIRQL only (the ISR and synchronize functions). */
    BOOLEAN InterruptsEnabled;
    BOOLEAN Halting;
    ULONG PendingCauses;
    ULONG DpcCauses;

    NDIS_SPIN_LOCK RxLock; /* guards RxRing, RxFrameBytes */
    CONTOSO_RING RxRing;
    ULONG RxFrameBytes[RING_DESCRIPTORS]; /* the length of the frame each RX slot last held */
    NDIS_SPIN_LOCK TxLock; /* guards TxRing */
    CONTOSO_RING TxRing;

    BOOLEAN LinkUp;
    PCONTOSO_STATS Stats;
#if CONTOSO_WATCHDOG
    NDIS_HANDLE WatchdogTimer;
    ULONG WatchdogRuns;      /* guarded by RxLock */
    ULONG RxNextAtWatchdog;  /* guarded by RxLock: the RX descriptor the receiver will clean next */
#endif
#if CONTOSO_BUG == CONTOSO_BUG_DPC_AFTER_UNMASK
    ULONG DpcBatches;        /* the DPC batches run */
#endif
} CONTOSO_ADAPTER, *PCONTOSO_ADAPTER;

DRIVER_INITIALIZE DriverEntry;
MINIPORT_UNLOAD ContosoUnload;
MINIPORT_INITIALIZE ContosoInitializeEx;
MINIPORT_HALT ContosoHaltEx;
MINIPORT_PAUSE ContosoPause;
MINIPORT_RESTART ContosoRestart;
MINIPORT_OID_REQUEST ContosoOidRequest;
MINIPORT_SHUTDOWN ContosoShutdownEx;
MINIPORT_ISR ContosoIsr;
MINIPORT_INTERRUPT_DPC ContosoInterruptDpc;
MINIPORT_ENABLE_INTERRUPT ContosoEnableInterrupt;
MINIPORT_DISABLE_INTERRUPT ContosoDisableInterrupt;
MINIPORT_SYNCHRONIZE_INTERRUPT ContosoTakeCauses;
MINIPORT_SYNCHRONIZE_INTERRUPT ContosoEnableInterrupts;
MINIPORT_SYNCHRONIZE_INTERRUPT ContosoDisableInterrupts;

static NDIS_HANDLE ContosoDriverHandle;

static ULONG CsrRead(PCONTOSO_ADAPTER Adapter, ULONG Offset)
{
    ULONG value;
    NdisReadRegisterUlong((PULONG)(Adapter->Registers + Offset), &value);
    return value;
}

static VOID CsrWrite(PCONTOSO_ADAPTER Adapter, ULONG Offset, ULONG Value)
{
    NdisWriteRegisterUlong((PULONG)(Adapter->Registers + Offset), Value);
}

/* ---- DIRQL: synchronize functions, ISR, enable/disable ------------------------------------------- */

_Use_decl_annotations_
BOOLEAN ContosoTakeCauses(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)SynchronizeContext;
#if CONTOSO_BUG == CONTOSO_BUG_LOCK_AT_DIRQL
    NdisDprAcquireSpinLock(&adapter->RxLock);
#endif
    adapter->DpcCauses = adapter->PendingCauses;
    adapter->PendingCauses = 0;
#if CONTOSO_BUG == CONTOSO_BUG_LOCK_AT_DIRQL
    NdisDprReleaseSpinLock(&adapter->RxLock);
#endif
    return adapter->DpcCauses != 0;
}

#if CONTOSO_BUG == CONTOSO_BUG_NO_ROLE
static BOOLEAN ContosoTakeCausesUndeclared(NDIS_HANDLE SynchronizeContext)
{
    return ContosoTakeCauses(SynchronizeContext);
}
#endif

_Use_decl_annotations_
BOOLEAN ContosoEnableInterrupts(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)SynchronizeContext;
    if (adapter->Halting) {
        return FALSE;
    }
    adapter->InterruptsEnabled = TRUE;
    CsrWrite(adapter, E1000_IMS, ENABLED_CAUSES);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN ContosoDisableInterrupts(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)SynchronizeContext;
    adapter->Halting = TRUE;
    adapter->InterruptsEnabled = FALSE;
    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN ContosoIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    ULONG icr;
    ULONG causes;

    *TargetProcessors = 0;
    *QueueDefaultInterruptDpc = FALSE;
    /* Masked, the NIC cannot assert the line: another device on the shared line did. */
    if (!adapter->InterruptsEnabled) {
        return FALSE;
    }
#if CONTOSO_BUG == CONTOSO_BUG_REGISTER_DEREF
    icr = *(volatile ULONG *)(adapter->Registers + E1000_ICR);
#else
    icr = CsrRead(adapter, E1000_ICR); /* read-to-clear: also drops the NIC's line */
#endif
    if (icr == E1000_REGISTER_REMOVED) {
        return FALSE;
    }
    causes = icr & ENABLED_CAUSES;
    if (causes == 0) {
        return FALSE;
    }
    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
    adapter->InterruptsEnabled = FALSE;
    adapter->PendingCauses |= causes;
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
}

_Use_decl_annotations_
VOID ContosoDisableInterrupt(NDIS_HANDLE MiniportInterruptContext)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    adapter->InterruptsEnabled = FALSE;
    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
}

_Use_decl_annotations_
VOID ContosoEnableInterrupt(NDIS_HANDLE MiniportInterruptContext)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    if (adapter->Halting) {
        return;
    }
    adapter->InterruptsEnabled = TRUE;
    CsrWrite(adapter, E1000_IMS, ENABLED_CAUSES);
}

/* ---- DISPATCH_LEVEL: the DPC and what it calls ---------------------------------------------------- */

/*
 * Posts one frame of Length bytes (copied from Frame) on the TX ring, with RS so the NIC reports it
 * sent, and moves the tail. FALSE when the ring is full. Called with TxLock held.
 */
static BOOLEAN ContosoPostTransmit(PCONTOSO_ADAPTER Adapter, const UCHAR *Frame, ULONG Length)
{
    PCONTOSO_RING tx = &Adapter->TxRing;
    PE1000_TX_DESCRIPTOR descriptor;
    ULONG index;
    ULONG bytes;

    if (tx->InFlight >= RING_DESCRIPTORS - 1) {
        return FALSE;
    }
    index = tx->Next;
    bytes = Length < BUFFER_BYTES ? Length : BUFFER_BYTES;
    NdisMoveMemory(tx->Buffers + index * BUFFER_BYTES, Frame, bytes);
    descriptor = &((PE1000_TX_DESCRIPTOR)tx->Descriptors)[index];
    descriptor->Length = (USHORT)bytes;
    descriptor->Command = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
    descriptor->Status = 0;
    tx->Next = (index + 1) % RING_DESCRIPTORS;
    tx->InFlight++;
    CsrWrite(Adapter, E1000_TDT0, tx->Next);
    return TRUE;
}

/*
 * Takes the frames the NIC wrote (DD set), echoes each on the TX ring and hands the RX descriptors
 * back by moving the tail. RX lock, then TX lock: always in this order.
 */
static VOID ContosoReceive(PCONTOSO_ADAPTER Adapter)
{
    PCONTOSO_RING rx = &Adapter->RxRing;
    ULONG arrived = 0;
    ULONG cleaned = 0;

    NdisDprAcquireSpinLock(&Adapter->RxLock);
    NdisDprAcquireSpinLock(&Adapter->TxLock);
    /* At most all but one descriptor: the NIC owns head up to tail - 1. */
    while (cleaned < RING_DESCRIPTORS - 1) {
        ULONG index = rx->Next;
        PE1000_RX_DESCRIPTOR descriptor = &((PE1000_RX_DESCRIPTOR)rx->Descriptors)[index];
        if ((descriptor->Status & E1000_RXD_STAT_DD) == 0) {
            break;
        }
        if ((descriptor->Status & E1000_RXD_STAT_EOP) != 0) {
            arrived++;
#if CONTOSO_BUG == CONTOSO_BUG_HEAP_OVERFLOW
            Adapter->RxFrameBytes[index + RING_DESCRIPTORS] = descriptor->Length;
#else
            Adapter->RxFrameBytes[index] = descriptor->Length;
#endif
            /* With the TX ring full the echo is dropped. */
            (VOID) ContosoPostTransmit(Adapter, rx->Buffers + index * BUFFER_BYTES, Adapter->RxFrameBytes[index]);
        }
        descriptor->Status = 0; /* the NIC sets DD again when it fills the descriptor next */
        rx->Next = (index + 1) % RING_DESCRIPTORS;
        cleaned++;
    }
    if (cleaned > 0) {
        /* The descriptor before the next to clean is the last the NIC may fill. */
        CsrWrite(Adapter, E1000_RDT0, (rx->Next + RING_DESCRIPTORS - 1) % RING_DESCRIPTORS);
    }
    NdisDprReleaseSpinLock(&Adapter->TxLock);
    NdisDprReleaseSpinLock(&Adapter->RxLock);
    Adapter->Stats->FramesReceived += arrived;
#if CONTOSO_BUG == CONTOSO_BUG_POOL_OVERRUN
    ((PULONG)Adapter->Stats)[3] += arrived;
#endif
}

/* Reclaims the TX descriptors the NIC reported sent (DD). */
static VOID ContosoCompleteTransmits(PCONTOSO_ADAPTER Adapter)
{
    PCONTOSO_RING tx = &Adapter->TxRing;
    ULONG sent = 0;

    NdisDprAcquireSpinLock(&Adapter->TxLock);
    while (tx->InFlight > 0) {
        PE1000_TX_DESCRIPTOR descriptor = &((PE1000_TX_DESCRIPTOR)tx->Descriptors)[tx->Clean];
        if ((descriptor->Status & E1000_TXD_STAT_DD) == 0) {
#if CONTOSO_BUG == CONTOSO_BUG_LOCK_LEAK
            return; /* a frame still in flight: back to the DPC with TxLock held */
#else
            break;
#endif
        }
        descriptor->Status = 0;
        tx->Clean = (tx->Clean + 1) % RING_DESCRIPTORS;
        tx->InFlight--;
        sent++;
    }
    Adapter->Stats->FramesSent += sent;
#if CONTOSO_BUG == CONTOSO_BUG_LOCK_RELEASE
    NdisDprReleaseSpinLock(&Adapter->RxLock);
#endif
    NdisDprReleaseSpinLock(&Adapter->TxLock);
}

_Use_decl_annotations_
VOID ContosoInterruptDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext,
                         PVOID ReceiveThrottleParameters, PVOID NdisReserved2)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    BOOLEAN work;
    ULONG causes = 0;

    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);

#if CONTOSO_BUG == CONTOSO_BUG_RACE
    adapter->DpcCauses = adapter->PendingCauses;
    adapter->PendingCauses = 0;
    work = adapter->DpcCauses != 0;
#elif CONTOSO_BUG == CONTOSO_BUG_NO_ROLE
    work = NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoTakeCausesUndeclared, adapter);
#else
    work = NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoTakeCauses, adapter);
#endif
    if (work) {
        causes = adapter->DpcCauses;
        if ((causes & RX_CAUSES) != 0) {
            ContosoReceive(adapter);
            if ((causes & E1000_ICR_RXO) != 0) {
                adapter->Stats->FramesMissed += CsrRead(adapter, E1000_MPC); /* read-to-clear */
            }
        }
        if ((causes & E1000_ICR_TXDW) != 0) {
            ContosoCompleteTransmits(adapter);
        }
        if ((causes & E1000_ICR_LSC) != 0) {
            adapter->LinkUp = (CsrRead(adapter, E1000_STATUS) & E1000_STATUS_LU) != 0;
        }
    }
#if CONTOSO_BUG == CONTOSO_BUG_IRQL_CALL
    if ((causes & RX_CAUSES) != 0) {
        PVOID again;
        NDIS_PHYSICAL_ADDRESS bar;
        bar.QuadPart = 0;
        (VOID) NdisMMapIoSpace(&again, adapter->MiniportAdapterHandle, bar, 4);
    }
#endif
#if CONTOSO_BUG == CONTOSO_BUG_INT_LOST
    if ((causes & E1000_ICR_TXDW) != 0) {
        return;
    }
#endif
    /* The last DPC of the batch unmasks the NIC; causes raised meanwhile interrupt again at once. */
    NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoEnableInterrupts, adapter);
#if CONTOSO_BUG == CONTOSO_BUG_DPC_AFTER_UNMASK
    /* From here on the next interrupt can come on another processor, and its DPC run beside this one. */
    adapter->DpcBatches += 1;
#endif
}

/* ---- PASSIVE_LEVEL: initialize and halt ------------------------------------------------------------ */

#if CONTOSO_BUG == CONTOSO_BUG_STACK_OVERFLOW
static ULONG ContosoProbeDepth(ULONG Depth)
{
    volatile ULONG scratch[64];
    scratch[Depth % 64] = Depth;
    return Depth == 0 ? scratch[0] : ContosoProbeDepth(Depth + 1) + scratch[Depth % 64];
}
#endif

/*
 * Allocates a ring's descriptors and packet buffers in memory shared with the NIC and points each
 * descriptor at its buffer. FALSE when memory is short (what was allocated stays in Ring, for
 * ContosoFreeRing).
 */
static BOOLEAN ContosoAllocateRing(PCONTOSO_ADAPTER Adapter, PCONTOSO_RING Ring)
{
    ULONG i;

    NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle, RING_DESCRIPTORS * sizeof(E1000_RX_DESCRIPTOR), FALSE,
                              &Ring->Descriptors, &Ring->DescriptorsPhysical);
    if (Ring->Descriptors == NULL) {
        return FALSE;
    }
    NdisMAllocateSharedMemory(Adapter->MiniportAdapterHandle, RING_DESCRIPTORS * BUFFER_BYTES, FALSE,
                              (PVOID *)&Ring->Buffers, &Ring->BuffersPhysical);
    if (Ring->Buffers == NULL) {
        return FALSE;
    }
    /* RX and TX descriptors both start with the buffer's physical address. */
    for (i = 0; i < RING_DESCRIPTORS; i++) {
        ((PE1000_RX_DESCRIPTOR)Ring->Descriptors)[i].BufferAddress =
            (ULONGLONG)Ring->BuffersPhysical.QuadPart + (ULONGLONG)i * BUFFER_BYTES;
    }
    return TRUE;
}

/* Frees what ContosoAllocateRing allocated (the NIC must no longer reach it). */
static VOID ContosoFreeRing(PCONTOSO_ADAPTER Adapter, PCONTOSO_RING Ring)
{
    if (Ring->Buffers != NULL) {
        NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle, RING_DESCRIPTORS * BUFFER_BYTES, FALSE, Ring->Buffers,
                              Ring->BuffersPhysical);
        Ring->Buffers = NULL;
    }
    if (Ring->Descriptors != NULL) {
        NdisMFreeSharedMemory(Adapter->MiniportAdapterHandle, RING_DESCRIPTORS * sizeof(E1000_RX_DESCRIPTOR), FALSE,
                              Ring->Descriptors, Ring->DescriptorsPhysical);
        Ring->Descriptors = NULL;
    }
}

/*
 * Programs a ring's registers (base low and high, length in bytes, head, tail) from the base-low
 * register on: RDBAL0 or TDBAL0, the others follow at the same offsets for RX and TX.
 */
static VOID ContosoProgramRing(PCONTOSO_ADAPTER Adapter, ULONG BaseLow, PCONTOSO_RING Ring, ULONG Tail)
{
    CsrWrite(Adapter, BaseLow, Ring->DescriptorsPhysical.LowPart);
#if CONTOSO_BUG == CONTOSO_BUG_DMA_HIGH_HALF
    CsrWrite(Adapter, BaseLow + (E1000_RDBAH0 - E1000_RDBAL0), 0);
#else
    CsrWrite(Adapter, BaseLow + (E1000_RDBAH0 - E1000_RDBAL0), (ULONG)Ring->DescriptorsPhysical.HighPart);
#endif
    CsrWrite(Adapter, BaseLow + (E1000_RDLEN0 - E1000_RDBAL0), RING_DESCRIPTORS * sizeof(E1000_RX_DESCRIPTOR));
    CsrWrite(Adapter, BaseLow + (E1000_RDH0 - E1000_RDBAL0), 0);
    CsrWrite(Adapter, BaseLow + (E1000_RDT0 - E1000_RDBAL0), Tail);
}

#if CONTOSO_WATCHDOG
NDIS_TIMER_FUNCTION ContosoWatchdog;

/* DISPATCH_LEVEL, every millisecond: notes how far the receiver got, under the lock the DPC takes. */
_Use_decl_annotations_
VOID ContosoWatchdog(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)FunctionContext;

    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
#if CONTOSO_BUG == CONTOSO_BUG_WATCHDOG_RACE
    adapter->WatchdogRuns += 1;
    adapter->RxNextAtWatchdog = adapter->RxRing.Next;
#else
    NdisDprAcquireSpinLock(&adapter->RxLock);
    adapter->WatchdogRuns += 1;
    adapter->RxNextAtWatchdog = adapter->RxRing.Next;
    NdisDprReleaseSpinLock(&adapter->RxLock);
#endif
}

/* Allocates the watchdog timer; it runs once ContosoStartWatchdog sets it. */
static NDIS_STATUS ContosoAllocateWatchdog(PCONTOSO_ADAPTER Adapter)
{
    NDIS_TIMER_CHARACTERISTICS timer;

    NdisZeroMemory(&timer, sizeof(timer));
    timer.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    timer.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    timer.Header.Size = sizeof(NDIS_TIMER_CHARACTERISTICS);
    timer.AllocationTag = CONTOSO_TAG;
    timer.TimerFunction = ContosoWatchdog;
    timer.FunctionContext = Adapter;
    return NdisAllocateTimerObject(Adapter->MiniportAdapterHandle, &timer, &Adapter->WatchdogTimer);
}

static VOID ContosoStartWatchdog(PCONTOSO_ADAPTER Adapter)
{
    LARGE_INTEGER due;

    due.QuadPart = -10000; /* 1 ms from now, in 100 ns units */
#if CONTOSO_WATCHDOG == 2
    /* Coalescable: each expiry may move by up to 1 ms either way. */
    (VOID) NdisSetCoalescableTimerObject(Adapter->WatchdogTimer, due, 2, NULL, 1);
#else
    (VOID) NdisSetTimerObject(Adapter->WatchdogTimer, due, 1, NULL);
#endif
}
#endif

static VOID ContosoFreeAdapter(PCONTOSO_ADAPTER Adapter)
{
#if CONTOSO_WATCHDOG
    if (Adapter->WatchdogTimer != NULL) {
        NdisFreeTimerObject(Adapter->WatchdogTimer);
    }
#endif
    ContosoFreeRing(Adapter, &Adapter->TxRing);
    ContosoFreeRing(Adapter, &Adapter->RxRing);
    if (Adapter->Registers != NULL) {
        NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->Registers, Adapter->RegistersLength);
    }
#if CONTOSO_BUG != CONTOSO_BUG_LEAK
    if (Adapter->Stats != NULL) {
        NdisFreeMemory(Adapter->Stats, sizeof(CONTOSO_STATS), 0);
#if CONTOSO_BUG == CONTOSO_BUG_DOUBLE_FREE
        NdisFreeMemory(Adapter->Stats, sizeof(CONTOSO_STATS), 0);
#elif CONTOSO_BUG == CONTOSO_BUG_USE_AFTER_FREE
        Adapter->Stats->FramesSent += 1;
#endif
    }
#endif
    NdisFreeSpinLock(&Adapter->TxLock);
    NdisFreeSpinLock(&Adapter->RxLock);
    NdisFreeMemory(Adapter, sizeof(CONTOSO_ADAPTER), 0);
}

/* Maps the first memory resource (BAR 0). */
static NDIS_STATUS ContosoMapRegisters(PCONTOSO_ADAPTER Adapter, PNDIS_RESOURCE_LIST Resources)
{
    ULONG i;

    if (Resources == NULL) {
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    for (i = 0; i < Resources->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR descriptor = &Resources->PartialDescriptors[i];
        if (descriptor->Type == CmResourceTypeMemory) {
            Adapter->RegistersLength = descriptor->u.Memory.Length;
            return NdisMMapIoSpace((PVOID *)&Adapter->Registers, Adapter->MiniportAdapterHandle,
                                   descriptor->u.Memory.Start, descriptor->u.Memory.Length);
        }
    }
    return NDIS_STATUS_ADAPTER_NOT_FOUND;
}

_Use_decl_annotations_
NDIS_STATUS ContosoInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                                PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS chars;
    PCONTOSO_ADAPTER adapter;
    NDIS_STATUS status;

    UNREFERENCED_PARAMETER(MiniportDriverContext);

#if CONTOSO_BUG == CONTOSO_BUG_STACK_OVERFLOW
    if (ContosoProbeDepth(1) == 0) {
        return NDIS_STATUS_FAILURE;
    }
#endif

    adapter = (PCONTOSO_ADAPTER)NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, sizeof(CONTOSO_ADAPTER),
                                                                  CONTOSO_TAG, NormalPoolPriority);
    if (adapter == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(adapter, sizeof(CONTOSO_ADAPTER));
    adapter->MiniportAdapterHandle = NdisMiniportHandle;
#if CONTOSO_BUG == CONTOSO_BUG_HANDLE_DEREF
    adapter->LinkUp = *(volatile BOOLEAN *)NdisMiniportHandle;
#endif
#if CONTOSO_BUG != CONTOSO_BUG_NULL_DEREF
    adapter->Stats = (PCONTOSO_STATS)NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, sizeof(CONTOSO_STATS),
                                                                       CONTOSO_TAG, NormalPoolPriority);
    if (adapter->Stats == NULL) {
        NdisFreeMemory(adapter, sizeof(CONTOSO_ADAPTER), 0);
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(adapter->Stats, sizeof(CONTOSO_STATS));
#endif
    NdisAllocateSpinLock(&adapter->RxLock);
    NdisAllocateSpinLock(&adapter->TxLock);

    NdisZeroMemory(&registration, sizeof(registration));
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.MiniportAdapterContext = adapter;
    registration.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE | NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
    registration.CheckForHangTimeInSeconds = 2;
    registration.InterfaceType = NdisInterfacePci;
    status = NdisMSetMiniportAttributes(NdisMiniportHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
    if (status != NDIS_STATUS_SUCCESS) {
        ContosoFreeAdapter(adapter);
        return status;
    }

    status = ContosoMapRegisters(adapter, MiniportInitParameters->AllocatedResources);
    if (status != NDIS_STATUS_SUCCESS) {
        ContosoFreeAdapter(adapter);
        return status;
    }

    if (!ContosoAllocateRing(adapter, &adapter->RxRing) || !ContosoAllocateRing(adapter, &adapter->TxRing)) {
        ContosoFreeAdapter(adapter);
        return NDIS_STATUS_RESOURCES;
    }
#if CONTOSO_WATCHDOG
    status = ContosoAllocateWatchdog(adapter);
    if (status != NDIS_STATUS_SUCCESS) {
        ContosoFreeAdapter(adapter);
        return status;
    }
#endif

    /* Rings first, with the receiver and transmitter off and every cause masked. The NIC owns the RX
     * descriptors from head up to tail - 1: all but one. The TX ring starts empty (tail = head). */
    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
    ContosoProgramRing(adapter, E1000_RDBAL0, &adapter->RxRing, RING_DESCRIPTORS - 1);
    ContosoProgramRing(adapter, E1000_TDBAL0, &adapter->TxRing, 0);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    chars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
    chars.InterruptHandler = ContosoIsr;
    chars.InterruptDpcHandler = ContosoInterruptDpc;
#if CONTOSO_BUG == CONTOSO_BUG_ROLE_SWAP
    chars.DisableInterruptHandler = ContosoEnableInterrupt;
#else
    chars.DisableInterruptHandler = ContosoDisableInterrupt;
#endif
    chars.EnableInterruptHandler = ContosoEnableInterrupt;
    chars.MsiSupported = FALSE;
    chars.MsiSyncWithAllMessages = FALSE;

    /* The ISR may run before this returns: it finds the NIC masked and returns FALSE. */
    status = NdisMRegisterInterruptEx(NdisMiniportHandle, adapter, &chars, &adapter->InterruptHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        ContosoFreeAdapter(adapter);
        return status;
    }
    if (chars.InterruptType != NDIS_CONNECT_LINE_BASED) {
        NdisMDeregisterInterruptEx(adapter->InterruptHandle);
        ContosoFreeAdapter(adapter);
        return NDIS_STATUS_FAILURE;
    }

#if CONTOSO_BUG == CONTOSO_BUG_TRUNCATE
    {
        ULONG cookie = (ULONG)adapter;
        CsrWrite(adapter, E1000_RDT0, cookie & (RING_DESCRIPTORS - 1));
    }
#endif

    adapter->LinkUp = (CsrRead(adapter, E1000_STATUS) & E1000_STATUS_LU) != 0;
    CsrWrite(adapter, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SZ_2048);
    CsrWrite(adapter, E1000_TCTL, E1000_TCTL_EN);
    NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoEnableInterrupts, adapter);
#if CONTOSO_WATCHDOG
    ContosoStartWatchdog(adapter);
#endif
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID ContosoHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportAdapterContext;

    UNREFERENCED_PARAMETER(HaltAction);
    NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoDisableInterrupts, adapter);
    CsrWrite(adapter, E1000_RCTL, 0);
    CsrWrite(adapter, E1000_TCTL, 0);
    /* NDIS runs the DPCs still queued before this returns; they find Halting set. */
#if CONTOSO_BUG != CONTOSO_BUG_NO_DEREGISTER
    NdisMDeregisterInterruptEx(adapter->InterruptHandle);
#endif
    adapter->InterruptHandle = NULL;
#if CONTOSO_WATCHDOG && CONTOSO_BUG == CONTOSO_BUG_TIMER_LAST
    {
        /* The timer torn down last: the adapter its function uses is freed while it is still set. */
        NDIS_HANDLE timer = adapter->WatchdogTimer;
        adapter->WatchdogTimer = NULL;
        ContosoFreeAdapter(adapter);
        (VOID) NdisCancelTimerObject(timer);
        NdisFreeTimerObject(timer);
        return;
    }
#elif CONTOSO_WATCHDOG && CONTOSO_BUG != CONTOSO_BUG_TIMER_PENDING
    /* A periodic timer: canceled at PASSIVE_LEVEL, before what its function uses is freed. */
    (VOID) NdisCancelTimerObject(adapter->WatchdogTimer);
#endif
    ContosoFreeAdapter(adapter);
}

_Use_decl_annotations_
NDIS_STATUS ContosoPause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(PauseParameters);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS ContosoRestart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RestartParameters);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
NDIS_STATUS ContosoOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(OidRequest);
    return NDIS_STATUS_NOT_SUPPORTED;
}

_Use_decl_annotations_
VOID ContosoShutdownEx(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(ShutdownAction);
    /* May run at any IRQL (bug check): touch the NIC only, no DDI that waits. */
    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
    CsrWrite(adapter, E1000_RCTL, 0);
}

_Use_decl_annotations_
VOID ContosoUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisMDeregisterMiniportDriver(ContosoDriverHandle);
}

_Use_decl_annotations_
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    chars.MajorDriverVersion = 1;
    chars.MinorDriverVersion = 0;
    chars.InitializeHandlerEx = ContosoInitializeEx;
    chars.HaltHandlerEx = ContosoHaltEx;
    chars.UnloadHandler = ContosoUnload;
    chars.PauseHandler = ContosoPause;
    chars.RestartHandler = ContosoRestart;
    chars.OidRequestHandler = ContosoOidRequest;
    chars.ShutdownHandlerEx = ContosoShutdownEx;
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &ContosoDriverHandle);
}
