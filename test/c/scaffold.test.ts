/**
 * From `ddikit scaffold --lang c` to `ddikit simulate`: the scaffold's own DriverEntry registers the
 * miniport, so the unedited scaffold runs clean; the scaffold of a line-based miniport with its
 * bodies filled in (an RX ring and its buffers in shared memory) compiles against the harness header
 * and runs clean on the simulated e1000 NIC; the same driver taking the ISR's causes without
 * synchronizing is caught.
 */
import '../built-harness.js';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runScaffold } from '../../generator/src/cli/commands/scaffold.js';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';
import type { CliIo } from '../../generator/src/cli/io.js';
import { root } from './build.js';

const dir = '.tmp/c-scaffold';
const roles = [
  'DRIVER_INITIALIZE:DriverEntry',
  'MINIPORT_INITIALIZE:ContosoInitializeEx',
  'MINIPORT_HALT:ContosoHaltEx',
  'MINIPORT_ISR:ContosoIsr',
  'MINIPORT_INTERRUPT_DPC:ContosoDpc',
  'MINIPORT_ENABLE_INTERRUPT:ContosoEnable',
  'MINIPORT_DISABLE_INTERRUPT:ContosoDisable',
  'MINIPORT_SYNCHRONIZE_INTERRUPT:ContosoSync',
];

function io(): { io: CliIo; out: () => string } {
  let text = '';
  return {
    io: { cwd: root, stdout: (t) => (text += t), stderr: (t) => (text += t), color: false },
    out: () => text,
  };
}

/** Replaces the body of `name`'s definition (from its `{` to the `}` closing it at the start of a line). */
function fillBody(source: string, name: string, body: string): string {
  const start = source.indexOf(`\n${name}(\n`);
  expect(start, `${name} is defined in the scaffold`).toBeGreaterThan(0);
  const open = source.indexOf('\n{\n', start);
  const close = source.indexOf('\n}\n', open);
  return `${source.slice(0, open)}\n{\n${body}${source.slice(close)}`;
}

const DEFINITIONS = `
#define ICR 0x00C0
#define IMS 0x00D0
#define IMC 0x00D8
#define RCTL 0x0100
#define RDBAL0 0x2800 /* RDBAH0, RDLEN0, RDH0, RDT0 follow at +4, +8, +0x10, +0x18 */
#define RDT0 0x2818
#define TDBAL0 0x3800 /* TDBAH0, TDLEN0, TDH0, TDT0 likewise */
#define RCTL_EN 0x00000002
#define CAUSES 0x000000D4 /* RXT0 | RXO | RXDMT0 | LSC */
#define RING 64     /* descriptors per ring */
#define BUFFER 2048 /* bytes per receive buffer (RCTL.BSIZE 2048) */
#define STAT_DD 0x01
#define OP_TAKE 0
#define OP_UNMASK 1
#define OP_MASK 2

/* A legacy RX descriptor: the NIC writes Length and Status (DD) when it filled the buffer. */
typedef struct _RX_DESCRIPTOR {
    ULONGLONG Buffer;
    USHORT Length;
    USHORT Checksum;
    UCHAR Status;
    UCHAR Errors;
    USHORT Special;
} RX_DESCRIPTOR, *PRX_DESCRIPTOR;

typedef struct _ADAPTER {
    NDIS_HANDLE Handle;
    NDIS_HANDLE Interrupt;
    PUCHAR Registers;
    ULONG Length;
    ULONG Op;      /* what ContosoSync does: set before each synchronized call, by its caller */
    ULONG Pending; /* ISR-shared: causes the ISR took, read only in ContosoSync */
    ULONG Taken;
    /* Shared memory: the RX ring and its buffers, and an empty TX ring (this driver sends nothing). */
    PRX_DESCRIPTOR Rx;
    NDIS_PHYSICAL_ADDRESS RxPhysical;
    PUCHAR Buffers;
    NDIS_PHYSICAL_ADDRESS BuffersPhysical;
    PVOID Tx;
    NDIS_PHYSICAL_ADDRESS TxPhysical;
    ULONG RxNext; /* the DPC's: the next RX descriptor to clean */
    ULONG Frames;
} ADAPTER, *PADAPTER;

static ULONG Read(PADAPTER A, ULONG Offset)
{
    ULONG value;
    NdisReadRegisterUlong((PULONG)(A->Registers + Offset), &value);
    return value;
}

static VOID Write(PADAPTER A, ULONG Offset, ULONG Value)
{
    NdisWriteRegisterUlong((PULONG)(A->Registers + Offset), Value);
}

static BOOLEAN Synchronized(PADAPTER A, ULONG Op)
{
    A->Op = Op;
    return ContosoSyncCall(A->Interrupt, 0, A);
}

static VOID FreeRings(PADAPTER A)
{
    if (A->Tx != NULL) {
        NdisMFreeSharedMemory(A->Handle, RING * sizeof(RX_DESCRIPTOR), FALSE, A->Tx, A->TxPhysical);
    }
    if (A->Buffers != NULL) {
        NdisMFreeSharedMemory(A->Handle, RING * BUFFER, FALSE, A->Buffers, A->BuffersPhysical);
    }
    if (A->Rx != NULL) {
        NdisMFreeSharedMemory(A->Handle, RING * sizeof(RX_DESCRIPTOR), FALSE, A->Rx, A->RxPhysical);
    }
}

/* The RX ring with a buffer per descriptor, and the TX ring, in memory the NIC reaches by DMA. */
static BOOLEAN AllocateRings(PADAPTER A)
{
    ULONG i;
    NdisMAllocateSharedMemory(A->Handle, RING * sizeof(RX_DESCRIPTOR), FALSE, (PVOID *)&A->Rx, &A->RxPhysical);
    NdisMAllocateSharedMemory(A->Handle, RING * BUFFER, FALSE, (PVOID *)&A->Buffers, &A->BuffersPhysical);
    NdisMAllocateSharedMemory(A->Handle, RING * sizeof(RX_DESCRIPTOR), FALSE, &A->Tx, &A->TxPhysical);
    if (A->Rx == NULL || A->Buffers == NULL || A->Tx == NULL) {
        return FALSE;
    }
    for (i = 0; i < RING; i++) {
        A->Rx[i].Buffer = (ULONGLONG)A->BuffersPhysical.QuadPart + (ULONGLONG)i * BUFFER;
    }
    return TRUE;
}

/* Base (both halves), length, head and tail of the ring whose base-low register is at Base. */
static VOID ProgramRing(PADAPTER A, ULONG Base, NDIS_PHYSICAL_ADDRESS Physical, ULONG Tail)
{
    Write(A, Base, Physical.LowPart);
    Write(A, Base + 0x04, (ULONG)Physical.HighPart);
    Write(A, Base + 0x08, RING * sizeof(RX_DESCRIPTOR));
    Write(A, Base + 0x10, 0);
    Write(A, Base + 0x18, Tail);
}
`;

const BODIES: Record<string, string> = {
  ContosoIsr: `    PADAPTER a = (PADAPTER)MiniportInterruptContext;
    ULONG causes = Read(a, ICR) & CAUSES;
    *TargetProcessors = 0;
    *QueueDefaultInterruptDpc = FALSE;
    if (causes == 0) {
        return FALSE;
    }
    Write(a, IMC, CAUSES);
    a->Pending |= causes;
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
`,
  ContosoDpc: `    PADAPTER a = (PADAPTER)MiniportInterruptContext;
    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);
    if (TAKE_CAUSES) {
        ULONG cleaned = 0;
        /* Every descriptor the NIC filled (DD), then hand them back: it owns head up to tail - 1. */
        while (cleaned < RING - 1 && (a->Rx[a->RxNext].Status & STAT_DD) != 0) {
            a->Rx[a->RxNext].Status = 0;
            a->RxNext = (a->RxNext + 1) % RING;
            a->Frames++;
            cleaned++;
        }
        if (cleaned > 0) {
            Write(a, RDT0, (a->RxNext + RING - 1) % RING);
        }
    }
    Synchronized(a, OP_UNMASK);
`,
  ContosoSync: `    PADAPTER a = (PADAPTER)SynchronizeContext;
    switch (a->Op) {
    case OP_UNMASK:
        Write(a, IMS, CAUSES);
        return TRUE;
    case OP_MASK:
        Write(a, IMC, 0xFFFFFFFF);
        return TRUE;
    default:
        a->Taken = a->Pending;
        a->Pending = 0;
        return a->Taken != 0;
    }
`,
  ContosoEnable: `    Write((PADAPTER)MiniportInterruptContext, IMS, CAUSES);
`,
  ContosoDisable: `    Write((PADAPTER)MiniportInterruptContext, IMC, 0xFFFFFFFF);
`,
  ContosoInitializeEx: `    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS chars;
    PNDIS_RESOURCE_LIST resources = MiniportInitParameters->AllocatedResources;
    PADAPTER a;
    NDIS_STATUS status = NDIS_STATUS_ADAPTER_NOT_FOUND;
    ULONG i;

    UNREFERENCED_PARAMETER(MiniportDriverContext);
    a = (PADAPTER)NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, sizeof(ADAPTER), 'ocsC', NormalPoolPriority);
    if (a == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(a, sizeof(ADAPTER));
    a->Handle = NdisMiniportHandle;

    NdisZeroMemory(&registration, sizeof(registration));
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.MiniportAdapterContext = a;
    registration.InterfaceType = NdisInterfacePci;
    (VOID) NdisMSetMiniportAttributes(NdisMiniportHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);

    for (i = 0; resources != NULL && i < resources->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &resources->PartialDescriptors[i];
        if (d->Type == CmResourceTypeMemory) {
            a->Length = d->u.Memory.Length;
            status = NdisMMapIoSpace((PVOID *)&a->Registers, NdisMiniportHandle, d->u.Memory.Start, a->Length);
            break;
        }
    }
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(a, sizeof(ADAPTER), 0);
        return status;
    }
    if (!AllocateRings(a)) {
        FreeRings(a);
        NdisMUnmapIoSpace(NdisMiniportHandle, a->Registers, a->Length);
        NdisFreeMemory(a, sizeof(ADAPTER), 0);
        return NDIS_STATUS_RESOURCES;
    }
    Write(a, IMC, 0xFFFFFFFF);
    ProgramRing(a, RDBAL0, a->RxPhysical, RING - 1);
    ProgramRing(a, TDBAL0, a->TxPhysical, 0);

    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    chars.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
    chars.InterruptHandler = ContosoIsr;
    chars.InterruptDpcHandler = ContosoDpc;
    chars.EnableInterruptHandler = ContosoEnable;
    chars.DisableInterruptHandler = ContosoDisable;
    status = NdisMRegisterInterruptEx(NdisMiniportHandle, a, &chars, &a->Interrupt);
    if (status != NDIS_STATUS_SUCCESS) {
        FreeRings(a);
        NdisMUnmapIoSpace(NdisMiniportHandle, a->Registers, a->Length);
        NdisFreeMemory(a, sizeof(ADAPTER), 0);
        return status;
    }
    Write(a, RCTL, RCTL_EN);
    Synchronized(a, OP_UNMASK);
    return NDIS_STATUS_SUCCESS;
`,
  ContosoHaltEx: `    PADAPTER a = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(HaltAction);
    Synchronized(a, OP_MASK);
    Write(a, RCTL, 0);
    NdisMDeregisterInterruptEx(a->Interrupt);
    FreeRings(a);
    NdisMUnmapIoSpace(a->Handle, a->Registers, a->Length);
    NdisFreeMemory(a, sizeof(ADAPTER), 0);
`,
};

/** The DPC takes the ISR's causes inside ContosoSync, or (the bug) reads them directly. */
const TAKE_SYNCHRONIZED = 'Synchronized(a, OP_TAKE)';
const TAKE_RACING = '(a->Taken = a->Pending, a->Pending = 0, a->Taken != 0)';

function filled(scaffold: string, take: string): string {
  let text = scaffold.replace('#include "contoso.h"\n', `#include "contoso.h"\n${DEFINITIONS}`);
  for (const [name, body] of Object.entries(BODIES)) text = fillBody(text, name, body);
  text = text.replace('TAKE_CAUSES', take);
  return text;
}

describe('a C scaffold, filled in, under ddikit simulate', () => {
  afterAll(() => rmSync(`${root}${dir}`, { recursive: true, force: true }));

  it('runs the unedited scaffold of DriverEntry, MiniportInitializeEx and MiniportHaltEx clean', async () => {
    const out = `${dir}/unedited`;
    rmSync(`${root}${out}`, { recursive: true, force: true });
    const entry = ['DRIVER_INITIALIZE:DriverEntry', 'MINIPORT_INITIALIZE:LwcInitializeEx', 'MINIPORT_HALT:LwcHaltEx'];
    const scaffold = io();
    const args = entry.flatMap((role) => ['--role', role]);
    expect(await runScaffold([...args, '--out', out, '--lang', 'c', '--name', 'lwc'], scaffold.io)).toBe(0);
    const run = io();
    const code = await runSimulate([`${out}/lwc.c`, '--ticks', '10000', '--seeds', '2'], run.io);
    expect(run.out()).toContain('ddikit simulate: LwcInitializeEx (');
    // Both role functions ran: DriverEntry registered them, NDIS initialized and halted the adapter.
    expect(run.out()).toMatch(/seed=1 tick=\d+: clean — .* 2 role calls,/);
    expect(run.out()).toContain('2 runs, all clean.');
    expect(code).toBe(0);
  });

  it('writes the scaffold, compiles against the harness header and runs clean', async () => {
    rmSync(`${root}${dir}`, { recursive: true, force: true });
    mkdirSync(`${root}${dir}`, { recursive: true });
    const scaffold = io();
    const args = roles.flatMap((role) => ['--role', role]);
    expect(await runScaffold([...args, '--out', dir, '--lang', 'c', '--name', 'contoso'], scaffold.io)).toBe(0);
    const source = readFileSync(`${root}${dir}/contoso.c`, 'utf8');
    writeFileSync(`${root}${dir}/contoso.c`, filled(source, TAKE_SYNCHRONIZED));
    const run = io();
    const code = await runSimulate([`${dir}/contoso.c`, '--ticks', '100000', '--seeds', '3'], run.io);
    expect(run.out()).toMatch(
      /seed=1 tick=\d+: clean — [1-9]\d* frames received, 0 sent, 0 missed; [1-9]\d* interrupts/,
    );
    expect(run.out()).toContain('3 runs, all clean.');
    expect(code).toBe(0);

    // The DPC takes the ISR's causes without NdisMSynchronizeWithInterruptEx: a race on driver memory.
    writeFileSync(`${root}${dir}/contoso.c`, filled(source, TAKE_RACING));
    const broken = io();
    const brokenCode = await runSimulate([`${dir}/contoso.c`, '--ticks', '100000', '--mode', 'collect'], broken.io);
    expect(broken.out()).toMatch(/ISR-SHARED-RACE \(0xC4\/0xDD05\) [^,]* in ContosoDpc/);
    expect(broken.out()).toContain('Violations found.');
    expect(brokenCode).toBe(1);
  });
});
