/*
 * Contoso e1000 MSI-X: an NDIS 6 miniport for the 82574's message-signaled interrupts, written as for
 * the WDK — one message for the RX queue, one for the TX queue and one for the "other" causes (link,
 * overrun), as the Linux e1000e driver lays out the 82574.
 *
 * - ContosoInitializeEx sets MsiSupported, registers, and reads what NDIS granted: this driver needs
 *   messages, so a line-based grant fails initialize (after deregistering). With fewer messages than
 *   causes, the last message serves the rest (IVAR routes each cause to a vector).
 * - Granted a single message, the 82574 signals MSI, not MSI-X: the line-style causes (RXT0, TXDW,
 *   LSC), no IVAR routing, ICR cleared by reading it. The driver then enables those causes and its
 *   message ISR reads ICR, as Linux's e1000_intr_msi does.
 * - A message ISR masks only its own message's causes (IMC), acknowledges "other" when it is that
 *   message, and queues its DPC; message interrupts are never shared, so it returns TRUE.
 * - A message DPC cleans only its own queues and unmasks only its own causes, inside a synchronize
 *   function called with its own MessageId.
 * - The ISRs read the message plan, which initialize writes after NdisMRegisterInterruptEx (only then
 *   is the message count known): it asks for MsiSyncWithAllMessages, so one interrupt lock covers
 *   every message, and writes the plan inside a synchronize function.
 * - The RX and TX descriptor rings and their packet buffers live in memory from
 *   NdisMAllocateSharedMemory: the RX DPC takes the frames whose descriptors the NIC marked done (DD),
 *   hands the descriptors back (RDT) and echoes each frame on the TX ring; the TX DPC reclaims the TX
 *   descriptors the NIC marked done. Halt stops the NIC before it frees the rings.
 * - The RX DPC (message 0) posts its echoes on the TX ring and the TX DPC (message 1) reclaims it:
 *   two messages' DPCs, which run on two processors at once, so both take the TX lock.
 *
 * CONTOSO_BUG selects one planted bug (0: none), for the verifier's tests; see the list below.
 */
#include <ndis.h>

#define CONTOSO_BUG_NONE 0
#define CONTOSO_BUG_TX_UNLOCKED 1 /* the TX DPC reclaims the TX ring without the TX lock */

#ifndef CONTOSO_BUG
#define CONTOSO_BUG CONTOSO_BUG_NONE
#endif

#define CONTOSO_TAG 'xsmC'

#define E1000_STATUS 0x0008
#define E1000_ICR 0x00C0
#define E1000_IMS 0x00D0
#define E1000_IMC 0x00D8
#define E1000_EIAC 0x00DC
#define E1000_IVAR 0x00E4
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_RDBAL0 0x2800
#define E1000_RDBAH0 0x2804
#define E1000_RDLEN0 0x2808
#define E1000_RDH0 0x2810
#define E1000_RDT0 0x2818
#define E1000_TDBAL0 0x3800
#define E1000_TDT0 0x3818
#define E1000_MPC 0x4010

#define E1000_ICR_TXDW 0x00000001
#define E1000_ICR_LSC 0x00000004
#define E1000_ICR_RXDMT0 0x00000010
#define E1000_ICR_RXO 0x00000040
#define E1000_ICR_RXT0 0x00000080
#define E1000_ICR_RXQ0 0x00100000
#define E1000_ICR_TXQ0 0x00400000
#define E1000_ICR_OTHER 0x01000000
#define E1000_IVAR_RXQ0_SHIFT 0
#define E1000_IVAR_TXQ0_SHIFT 8
#define E1000_IVAR_OTHER_SHIFT 16
#define E1000_IVAR_VALID 0x8
#define E1000_STATUS_LU 0x00000002
#define E1000_RCTL_EN 0x00000002
#define E1000_RCTL_BAM 0x00008000     /* accept broadcast */
#define E1000_RCTL_SZ_2048 0x00000000 /* receive buffers of 2048 bytes */
#define E1000_TCTL_EN 0x00000002
#define E1000_RXD_STAT_DD 0x01  /* descriptor done: the NIC wrote it */
#define E1000_RXD_STAT_EOP 0x02 /* the last descriptor of a frame */
#define E1000_TXD_CMD_EOP 0x01  /* the last descriptor of a frame */
#define E1000_TXD_CMD_IFCS 0x02 /* insert the frame check sequence */
#define E1000_TXD_CMD_RS 0x08   /* report status: the NIC sets DD when it sent the frame */
#define E1000_TXD_STAT_DD 0x01
#define RING_DESCRIPTORS 64 /* per ring: RDLEN and TDLEN hold the size in bytes, a multiple of 128 */
#define BUFFER_BYTES 2048   /* per descriptor: RCTL.BSIZE */
#define ALL_CAUSES 0xFFFFFFFF

#define SOURCES 3 /* RX queue 0, TX queue 0, other */
/* MSI (one message): the causes the NIC reports then, as on a line. */
#define MSI_RX_CAUSES (E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0)
#define MSI_CAUSES (MSI_RX_CAUSES | E1000_ICR_TXDW | E1000_ICR_LSC)
/* What a message's causes ask its DPC to do, in MSI-X and in MSI. */
#define RX_WORK (E1000_ICR_RXQ0 | MSI_RX_CAUSES)
#define TX_WORK (E1000_ICR_TXQ0 | E1000_ICR_TXDW)
#define OTHER_WORK (E1000_ICR_OTHER | E1000_ICR_LSC)

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

typedef struct _CONTOSO_ADAPTER CONTOSO_ADAPTER, *PCONTOSO_ADAPTER;

/* One granted message and the causes it serves. */
typedef struct _CONTOSO_MESSAGE {
    PCONTOSO_ADAPTER Adapter;
    ULONG Id;
    ULONG Causes;  /* written at initialize; read at DIRQL under this message's lock */
    BOOLEAN Halting; /* DIRQL only: set by the disable synchronize function */
} CONTOSO_MESSAGE, *PCONTOSO_MESSAGE;

struct _CONTOSO_ADAPTER {
    NDIS_HANDLE MiniportAdapterHandle;
    NDIS_HANDLE InterruptHandle;
    PUCHAR Registers;
    ULONG RegistersLength;
    ULONG Granted;      /* messages NDIS granted (written before the plan, read by ContosoPlanMessages) */
    ULONG MessageCount; /* ISR-shared: written in ContosoPlanMessages */
    BOOLEAN Msi;        /* ISR-shared: one message, MSI (written in ContosoPlanMessages) */
    CONTOSO_MESSAGE Messages[SOURCES];
    NDIS_SPIN_LOCK RxLock; /* guards RxRing, FramesReceived */
    CONTOSO_RING RxRing;
    ULONG FramesReceived;
    NDIS_SPIN_LOCK TxLock; /* guards TxRing, FramesSent */
    CONTOSO_RING TxRing;
    ULONG FramesSent;
    BOOLEAN LinkUp;
    ULONG FramesMissed; /* the "other" message's DPC only */
};

DRIVER_INITIALIZE DriverEntry;
MINIPORT_INITIALIZE ContosoInitializeEx;
MINIPORT_HALT ContosoHaltEx;
MINIPORT_ISR ContosoLineIsr;
MINIPORT_INTERRUPT_DPC ContosoLineDpc;
MINIPORT_ENABLE_INTERRUPT ContosoEnableLine;
MINIPORT_DISABLE_INTERRUPT ContosoDisableLine;
MINIPORT_MESSAGE_INTERRUPT ContosoMessageIsr;
MINIPORT_MESSAGE_INTERRUPT_DPC ContosoMessageDpc;
MINIPORT_ENABLE_MESSAGE_INTERRUPT ContosoEnableMessageInterrupt;
MINIPORT_DISABLE_MESSAGE_INTERRUPT ContosoDisableMessageInterrupt;
MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT ContosoEnableMessage;
MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT ContosoDisableMessage;
MINIPORT_SYNCHRONIZE_MESSAGE_INTERRUPT ContosoPlanMessages;

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

/* ---- DIRQL ------------------------------------------------------------------------------------------ */

_Use_decl_annotations_
BOOLEAN ContosoMessageIsr(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId, PBOOLEAN QueueDefaultInterruptDpc,
                          PULONG TargetProcessors)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    *TargetProcessors = 0;
    *QueueDefaultInterruptDpc = FALSE;
    if (MessageId >= adapter->MessageCount) {
        return TRUE; /* a message this driver routed nothing to */
    }
    CsrWrite(adapter, E1000_IMC, adapter->Messages[MessageId].Causes); /* mask this message only */
    if (adapter->Msi) {
        (VOID) CsrRead(adapter, E1000_ICR); /* MSI: reading ICR clears the causes */
    } else if ((adapter->Messages[MessageId].Causes & E1000_ICR_OTHER) != 0) {
        /* Link and overrun causes are not auto-cleared: acknowledge them; the DPC reads their state. */
        CsrWrite(adapter, E1000_ICR, E1000_ICR_OTHER);
    }
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE; /* message interrupts are never shared */
}

_Use_decl_annotations_
BOOLEAN ContosoEnableMessage(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_MESSAGE message = (PCONTOSO_MESSAGE)SynchronizeContext;
    if (message->Halting) {
        return FALSE;
    }
    CsrWrite(message->Adapter, E1000_IMS, message->Causes);
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN ContosoDisableMessage(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_MESSAGE message = (PCONTOSO_MESSAGE)SynchronizeContext;
    message->Halting = TRUE;
    CsrWrite(message->Adapter, E1000_IMC, message->Causes);
    return TRUE;
}

_Use_decl_annotations_
VOID ContosoEnableMessageInterrupt(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    if (MessageId < adapter->MessageCount && !adapter->Messages[MessageId].Halting) {
        CsrWrite(adapter, E1000_IMS, adapter->Messages[MessageId].Causes);
    }
}

_Use_decl_annotations_
VOID ContosoDisableMessageInterrupt(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    if (MessageId < adapter->MessageCount) {
        CsrWrite(adapter, E1000_IMC, adapter->Messages[MessageId].Causes);
    }
}

/* The line handlers NDIS requires; this driver fails initialize when it is granted a line. */
_Use_decl_annotations_
BOOLEAN ContosoLineIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
    *QueueDefaultInterruptDpc = FALSE;
    *TargetProcessors = 0;
    return FALSE;
}

_Use_decl_annotations_
VOID ContosoLineDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters,
                    PVOID NdisReserved2)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);
}

_Use_decl_annotations_
VOID ContosoEnableLine(NDIS_HANDLE MiniportInterruptContext)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
}

_Use_decl_annotations_
VOID ContosoDisableLine(NDIS_HANDLE MiniportInterruptContext)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
}

/* ---- DISPATCH_LEVEL ---------------------------------------------------------------------------------- */

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
            Adapter->FramesReceived++;
            /* With the TX ring full the echo is dropped. */
            (VOID) ContosoPostTransmit(Adapter, rx->Buffers + index * BUFFER_BYTES, descriptor->Length);
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
}

/* Reclaims the TX descriptors the NIC reported sent (DD). */
static VOID ContosoCompleteTransmits(PCONTOSO_ADAPTER Adapter)
{
    PCONTOSO_RING tx = &Adapter->TxRing;

#if CONTOSO_BUG != CONTOSO_BUG_TX_UNLOCKED
    NdisDprAcquireSpinLock(&Adapter->TxLock);
#endif
    while (tx->InFlight > 0) {
        PE1000_TX_DESCRIPTOR descriptor = &((PE1000_TX_DESCRIPTOR)tx->Descriptors)[tx->Clean];
        if ((descriptor->Status & E1000_TXD_STAT_DD) == 0) {
            break;
        }
        descriptor->Status = 0;
        tx->Clean = (tx->Clean + 1) % RING_DESCRIPTORS;
        tx->InFlight--;
        Adapter->FramesSent++;
    }
#if CONTOSO_BUG != CONTOSO_BUG_TX_UNLOCKED
    NdisDprReleaseSpinLock(&Adapter->TxLock);
#endif
}

_Use_decl_annotations_
VOID ContosoMessageDpc(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId, PVOID MiniportDpcContext,
                       PVOID ReceiveThrottleParameters, PVOID NdisReserved2)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportInterruptContext;
    ULONG causes;

    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);
    if (MessageId >= adapter->MessageCount) {
        return;
    }
    causes = adapter->Messages[MessageId].Causes;
    if ((causes & RX_WORK) != 0) {
        ContosoReceive(adapter);
    }
    if ((causes & TX_WORK) != 0) {
        ContosoCompleteTransmits(adapter);
    }
    if ((causes & OTHER_WORK) != 0) {
        adapter->LinkUp = (CsrRead(adapter, E1000_STATUS) & E1000_STATUS_LU) != 0;
        adapter->FramesMissed += CsrRead(adapter, E1000_MPC); /* read-to-clear */
    }
    NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, MessageId, ContosoEnableMessage,
                                    &adapter->Messages[MessageId]);
}

/* ---- PASSIVE_LEVEL ----------------------------------------------------------------------------------- */

/*
 * Routes each cause to a message (the last granted one serves the rest) and programs IVAR; with one
 * message (MSI) that message serves the line-style causes and IVAR is not used.
 */
_Use_decl_annotations_
BOOLEAN ContosoPlanMessages(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_ADAPTER Adapter = (PCONTOSO_ADAPTER)SynchronizeContext;
    ULONG Granted = Adapter->Granted;
    static const ULONG causes[SOURCES] = {E1000_ICR_RXQ0, E1000_ICR_TXQ0, E1000_ICR_OTHER};
    static const ULONG shifts[SOURCES] = {E1000_IVAR_RXQ0_SHIFT, E1000_IVAR_TXQ0_SHIFT, E1000_IVAR_OTHER_SHIFT};
    ULONG ivar = 0;
    ULONG i;

    if (Granted == 1) {
        Adapter->Msi = TRUE;
        Adapter->MessageCount = 1;
        Adapter->Messages[0].Adapter = Adapter;
        Adapter->Messages[0].Id = 0;
        Adapter->Messages[0].Causes = MSI_CAUSES;
        return TRUE;
    }
    Adapter->MessageCount = Granted < SOURCES ? Granted : SOURCES;
    for (i = 0; i < Adapter->MessageCount; i++) {
        Adapter->Messages[i].Adapter = Adapter;
        Adapter->Messages[i].Id = i;
    }
    for (i = 0; i < SOURCES; i++) {
        ULONG id = i < Adapter->MessageCount ? i : Adapter->MessageCount - 1;
        Adapter->Messages[id].Causes |= causes[i];
        ivar |= (E1000_IVAR_VALID | id) << shifts[i];
    }
    CsrWrite(Adapter, E1000_IVAR, ivar);
    return TRUE;
}

static NDIS_STATUS ContosoMapRegisters(PCONTOSO_ADAPTER Adapter, PNDIS_RESOURCE_LIST Resources)
{
    ULONG i;
    for (i = 0; Resources != NULL && i < Resources->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR descriptor = &Resources->PartialDescriptors[i];
        if (descriptor->Type == CmResourceTypeMemory) {
            Adapter->RegistersLength = descriptor->u.Memory.Length;
            return NdisMMapIoSpace((PVOID *)&Adapter->Registers, Adapter->MiniportAdapterHandle,
                                   descriptor->u.Memory.Start, descriptor->u.Memory.Length);
        }
    }
    return NDIS_STATUS_ADAPTER_NOT_FOUND;
}

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
    CsrWrite(Adapter, BaseLow + (E1000_RDBAH0 - E1000_RDBAL0), (ULONG)Ring->DescriptorsPhysical.HighPart);
    CsrWrite(Adapter, BaseLow + (E1000_RDLEN0 - E1000_RDBAL0), RING_DESCRIPTORS * sizeof(E1000_RX_DESCRIPTOR));
    CsrWrite(Adapter, BaseLow + (E1000_RDH0 - E1000_RDBAL0), 0);
    CsrWrite(Adapter, BaseLow + (E1000_RDT0 - E1000_RDBAL0), Tail);
}

static VOID ContosoFreeAdapter(PCONTOSO_ADAPTER Adapter)
{
    ContosoFreeRing(Adapter, &Adapter->TxRing);
    ContosoFreeRing(Adapter, &Adapter->RxRing);
    if (Adapter->Registers != NULL) {
        NdisMUnmapIoSpace(Adapter->MiniportAdapterHandle, Adapter->Registers, Adapter->RegistersLength);
    }
    NdisFreeSpinLock(&Adapter->RxLock);
    NdisFreeSpinLock(&Adapter->TxLock);
    NdisFreeMemory(Adapter, sizeof(CONTOSO_ADAPTER), 0);
}

_Use_decl_annotations_
NDIS_STATUS ContosoInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                                PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS chars;
    PCONTOSO_ADAPTER adapter;
    NDIS_STATUS status;
    ULONG i;

    UNREFERENCED_PARAMETER(MiniportDriverContext);
    adapter = (PCONTOSO_ADAPTER)NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, sizeof(CONTOSO_ADAPTER),
                                                                  CONTOSO_TAG, NormalPoolPriority);
    if (adapter == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(adapter, sizeof(CONTOSO_ADAPTER));
    adapter->MiniportAdapterHandle = NdisMiniportHandle;
    NdisAllocateSpinLock(&adapter->RxLock);
    NdisAllocateSpinLock(&adapter->TxLock);

    NdisZeroMemory(&registration, sizeof(registration));
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.MiniportAdapterContext = adapter;
    registration.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE | NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER;
    registration.InterfaceType = NdisInterfacePci;
    status = NdisMSetMiniportAttributes(NdisMiniportHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
    if (status == NDIS_STATUS_SUCCESS) {
        status = ContosoMapRegisters(adapter, MiniportInitParameters->AllocatedResources);
    }
    if (status != NDIS_STATUS_SUCCESS) {
        ContosoFreeAdapter(adapter);
        return status;
    }

    if (!ContosoAllocateRing(adapter, &adapter->RxRing) || !ContosoAllocateRing(adapter, &adapter->TxRing)) {
        ContosoFreeAdapter(adapter);
        return NDIS_STATUS_RESOURCES;
    }

    /* Rings first, with the receiver and transmitter off and every cause masked. The NIC owns the RX
     * descriptors from head up to tail - 1: all but one. The TX ring starts empty (tail = head). */
    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
    ContosoProgramRing(adapter, E1000_RDBAL0, &adapter->RxRing, RING_DESCRIPTORS - 1);
    ContosoProgramRing(adapter, E1000_TDBAL0, &adapter->TxRing, 0);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    chars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
    chars.InterruptHandler = ContosoLineIsr;
    chars.InterruptDpcHandler = ContosoLineDpc;
    chars.EnableInterruptHandler = ContosoEnableLine;
    chars.DisableInterruptHandler = ContosoDisableLine;
    chars.MsiSupported = TRUE;
    chars.MsiSyncWithAllMessages = TRUE;
    chars.MessageInterruptHandler = ContosoMessageIsr;
    chars.MessageInterruptDpcHandler = ContosoMessageDpc;
    chars.EnableMessageInterruptHandler = ContosoEnableMessageInterrupt;
    chars.DisableMessageInterruptHandler = ContosoDisableMessageInterrupt;
    status = NdisMRegisterInterruptEx(NdisMiniportHandle, adapter, &chars, &adapter->InterruptHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        ContosoFreeAdapter(adapter);
        return status;
    }
    if (chars.InterruptType != NDIS_CONNECT_MESSAGE_BASED || chars.MessageInfoTable == NULL) {
        NdisMDeregisterInterruptEx(adapter->InterruptHandle);
        ContosoFreeAdapter(adapter);
        return NDIS_STATUS_NOT_SUPPORTED;
    }

    adapter->Granted = chars.MessageInfoTable->MessageCount;
    NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, 0, ContosoPlanMessages, adapter);
    if (!adapter->Msi) {
        CsrWrite(adapter, E1000_EIAC, E1000_ICR_RXQ0 | E1000_ICR_TXQ0); /* queue causes clear as they are sent */
    }
    adapter->LinkUp = (CsrRead(adapter, E1000_STATUS) & E1000_STATUS_LU) != 0;
    CsrWrite(adapter, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SZ_2048);
    CsrWrite(adapter, E1000_TCTL, E1000_TCTL_EN);
    for (i = 0; i < adapter->MessageCount; i++) {
        NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, i, ContosoEnableMessage, &adapter->Messages[i]);
    }
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID ContosoHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PCONTOSO_ADAPTER adapter = (PCONTOSO_ADAPTER)MiniportAdapterContext;
    ULONG i;

    UNREFERENCED_PARAMETER(HaltAction);
    for (i = 0; i < adapter->MessageCount; i++) {
        NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, i, ContosoDisableMessage, &adapter->Messages[i]);
    }
    CsrWrite(adapter, E1000_RCTL, 0);
    CsrWrite(adapter, E1000_TCTL, 0);
    NdisMDeregisterInterruptEx(adapter->InterruptHandle);
    ContosoFreeAdapter(adapter);
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
    chars.InitializeHandlerEx = ContosoInitializeEx;
    chars.HaltHandlerEx = ContosoHaltEx;
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &ContosoDriverHandle);
}
