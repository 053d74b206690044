/*
 * The synchronize round trip from C: MiniportInitializeEx registers an interrupt and makes CALLS
 * NdisMSynchronizeWithInterruptEx calls of a synchronize function that counts, the C twin of the
 * TypeScript bench driver in bench/sim.bench.ts.
 */
#include <ndis.h>

#ifndef CALLS
#define CALLS 200000
#endif

typedef struct _BENCH {
    NDIS_HANDLE Interrupt;
    ULONG Count;
} BENCH, *PBENCH;

DRIVER_INITIALIZE DriverEntry;
MINIPORT_INITIALIZE BenchInitializeEx;
MINIPORT_HALT BenchHaltEx;
MINIPORT_ISR BenchIsr;
MINIPORT_INTERRUPT_DPC BenchDpc;
MINIPORT_ENABLE_INTERRUPT BenchEnable;
MINIPORT_DISABLE_INTERRUPT BenchDisable;
MINIPORT_SYNCHRONIZE_INTERRUPT BenchSynchronize;

static BENCH Bench;
static NDIS_HANDLE DriverHandle;

_Use_decl_annotations_
BOOLEAN BenchSynchronize(NDIS_HANDLE SynchronizeContext)
{
    ((PBENCH)SynchronizeContext)->Count++;
    return TRUE;
}

_Use_decl_annotations_
BOOLEAN BenchIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
    *QueueDefaultInterruptDpc = FALSE;
    *TargetProcessors = 0;
    return FALSE;
}

_Use_decl_annotations_
VOID BenchDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters,
              PVOID NdisReserved2)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);
}

_Use_decl_annotations_
VOID BenchEnable(NDIS_HANDLE MiniportInterruptContext)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
}

_Use_decl_annotations_
VOID BenchDisable(NDIS_HANDLE MiniportInterruptContext)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
}

_Use_decl_annotations_
NDIS_STATUS BenchInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                              PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS chars;
    NDIS_STATUS status;
    ULONG i;

    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(MiniportInitParameters);
    NdisZeroMemory(&registration, sizeof(registration));
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.MiniportAdapterContext = &Bench;
    status = NdisMSetMiniportAttributes(NdisMiniportHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
    if (status != NDIS_STATUS_SUCCESS) {
        return status;
    }
    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    chars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
    chars.InterruptHandler = BenchIsr;
    chars.InterruptDpcHandler = BenchDpc;
    chars.EnableInterruptHandler = BenchEnable;
    chars.DisableInterruptHandler = BenchDisable;
    status = NdisMRegisterInterruptEx(NdisMiniportHandle, &Bench, &chars, &Bench.Interrupt);
    if (status != NDIS_STATUS_SUCCESS) {
        return status;
    }
    for (i = 0; i < CALLS; i++) {
        NdisMSynchronizeWithInterruptEx(Bench.Interrupt, 0, BenchSynchronize, &Bench);
    }
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID BenchHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    UNREFERENCED_PARAMETER(HaltAction);
    NdisMDeregisterInterruptEx(((PBENCH)MiniportAdapterContext)->Interrupt);
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
    chars.InitializeHandlerEx = BenchInitializeEx;
    chars.HaltHandlerEx = BenchHaltEx;
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &chars, &DriverHandle);
}
