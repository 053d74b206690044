/*
 * Contoso e1000 MSI-X: an NDIS 6 miniport for the 82574's message-signaled interrupts, written as for
 * the WDK — one message for the RX queue, one for the TX queue and one for the "other" causes (link,
 * overrun), as the Linux e1000e driver lays out the 82574.
 *
 * - ContosoInitializeEx sets MsiSupported, registers, and reads what NDIS granted: this driver needs
 *   messages, so a line-based grant fails initialize (after deregistering). With fewer messages than
 *   causes, the last message serves the rest (IVAR routes each cause to a vector).
 * - A message ISR masks only its own message's causes (IMC), acknowledges "other" when it is that
 *   message, and queues its DPC; message interrupts are never shared, so it returns TRUE.
 * - A message DPC cleans only its own queues and unmasks only its own causes, inside a synchronize
 *   function called with its own MessageId.
 * - The ISRs read the message plan, which initialize writes after NdisMRegisterInterruptEx (only then
 *   is the message count known): it asks for MsiSyncWithAllMessages, so one interrupt lock covers
 *   every message, and writes the plan inside a synchronize function.
 */
#include <ndis.h>

#define CONTOSO_TAG 'xsmC'

#define E1000_STATUS 0x0008
#define E1000_ICR 0x00C0
#define E1000_IMS 0x00D0
#define E1000_IMC 0x00D8
#define E1000_EIAC 0x00DC
#define E1000_IVAR 0x00E4
#define E1000_RCTL 0x0100
#define E1000_TCTL 0x0400
#define E1000_RDLEN0 0x2808
#define E1000_RDH0 0x2810
#define E1000_RDT0 0x2818
#define E1000_TDLEN0 0x3808
#define E1000_TDH0 0x3810
#define E1000_MPC 0x4010

#define E1000_ICR_RXQ0 0x00100000
#define E1000_ICR_TXQ0 0x00400000
#define E1000_ICR_OTHER 0x01000000
#define E1000_IVAR_RXQ0_SHIFT 0
#define E1000_IVAR_TXQ0_SHIFT 8
#define E1000_IVAR_OTHER_SHIFT 16
#define E1000_IVAR_VALID 0x8
#define E1000_STATUS_LU 0x00000002
#define E1000_RCTL_EN 0x00000002
#define E1000_TCTL_EN 0x00000002
#define E1000_DESCRIPTOR_BYTES 16
#define RING_DESCRIPTORS 256
#define ALL_CAUSES 0xFFFFFFFF

#define SOURCES 3 /* RX queue 0, TX queue 0, other */

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
    CONTOSO_MESSAGE Messages[SOURCES];
    NDIS_SPIN_LOCK RxLock; /* guards the RX ring */
    NDIS_SPIN_LOCK TxLock; /* guards the TX ring */
    ULONG TxClean;
    BOOLEAN LinkUp;
    ULONG FramesMissed;
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
    if ((adapter->Messages[MessageId].Causes & E1000_ICR_OTHER) != 0) {
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

static VOID ContosoReceive(PCONTOSO_ADAPTER Adapter)
{
    ULONG head;
    NdisDprAcquireSpinLock(&Adapter->RxLock);
    head = CsrRead(Adapter, E1000_RDH0);
    if (head < RING_DESCRIPTORS) {
        /* The NIC owns head..tail-1: hand every filled descriptor back. */
        CsrWrite(Adapter, E1000_RDT0, (head + RING_DESCRIPTORS - 1) % RING_DESCRIPTORS);
    }
    NdisDprReleaseSpinLock(&Adapter->RxLock);
}

static VOID ContosoCompleteTransmits(PCONTOSO_ADAPTER Adapter)
{
    ULONG head;
    NdisDprAcquireSpinLock(&Adapter->TxLock);
    head = CsrRead(Adapter, E1000_TDH0);
    if (head < RING_DESCRIPTORS) {
        Adapter->TxClean = head;
    }
    NdisDprReleaseSpinLock(&Adapter->TxLock);
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
    if ((causes & E1000_ICR_RXQ0) != 0) {
        ContosoReceive(adapter);
    }
    if ((causes & E1000_ICR_TXQ0) != 0) {
        ContosoCompleteTransmits(adapter);
    }
    if ((causes & E1000_ICR_OTHER) != 0) {
        adapter->LinkUp = (CsrRead(adapter, E1000_STATUS) & E1000_STATUS_LU) != 0;
        adapter->FramesMissed += CsrRead(adapter, E1000_MPC); /* read-to-clear */
    }
    NdisMSynchronizeWithInterruptEx(adapter->InterruptHandle, MessageId, ContosoEnableMessage,
                                    &adapter->Messages[MessageId]);
}

/* ---- PASSIVE_LEVEL ----------------------------------------------------------------------------------- */

/* Routes each cause to a message (the last granted one serves the rest) and programs IVAR. */
_Use_decl_annotations_
BOOLEAN ContosoPlanMessages(NDIS_HANDLE SynchronizeContext)
{
    PCONTOSO_ADAPTER Adapter = (PCONTOSO_ADAPTER)SynchronizeContext;
    ULONG Granted = Adapter->Granted;
    static const ULONG causes[SOURCES] = {E1000_ICR_RXQ0, E1000_ICR_TXQ0, E1000_ICR_OTHER};
    static const ULONG shifts[SOURCES] = {E1000_IVAR_RXQ0_SHIFT, E1000_IVAR_TXQ0_SHIFT, E1000_IVAR_OTHER_SHIFT};
    ULONG ivar = 0;
    ULONG i;

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

static VOID ContosoFreeAdapter(PCONTOSO_ADAPTER Adapter)
{
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

    CsrWrite(adapter, E1000_IMC, ALL_CAUSES);
    CsrWrite(adapter, E1000_RDLEN0, RING_DESCRIPTORS * E1000_DESCRIPTOR_BYTES);
    CsrWrite(adapter, E1000_RDT0, RING_DESCRIPTORS - 1);
    CsrWrite(adapter, E1000_TDLEN0, RING_DESCRIPTORS * E1000_DESCRIPTOR_BYTES);

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
    CsrWrite(adapter, E1000_EIAC, E1000_ICR_RXQ0 | E1000_ICR_TXQ0); /* queue causes clear as they are sent */
    adapter->LinkUp = (CsrRead(adapter, E1000_STATUS) & E1000_STATUS_LU) != 0;
    CsrWrite(adapter, E1000_RCTL, E1000_RCTL_EN);
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
