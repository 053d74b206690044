/**
 * A C driver runs from its DriverEntry: sources without one (a scaffold's functions alone, or a
 * DriverEntry left static) are a build error of `simulate` and `explore`, named in the driver's own
 * terms with the fix, as a WDK link fails without one; `check`, which checks what the sources
 * declare, does not ask for it.
 */
import '../built-harness.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../generator/src/cli/io.js';
import { main } from '../../generator/src/cli/main.js';

const work = mkdtempSync(join(tmpdir(), 'ddikit-driver-entry-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FUNCTIONS = `#include <ndis.h>

MINIPORT_INITIALIZE LoneInitializeEx;
MINIPORT_HALT LoneHaltEx;

_Use_decl_annotations_
NDIS_STATUS
LoneInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                 PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    UNREFERENCED_PARAMETER(NdisMiniportHandle);
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(MiniportInitParameters);
    return NDIS_STATUS_SUCCESS;
}

_Use_decl_annotations_
VOID
LoneHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(HaltAction);
}
`;

const STATIC_ENTRY = `${FUNCTIONS}
static NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_SUCCESS;
}

NTSTATUS LoneEntryUser(VOID)
{
    return DriverEntry(NULL, NULL);
}
`;

const RENAMED_ENTRY = `${FUNCTIONS}
DRIVER_INITIALIZE LoneDriverEntry;

_Use_decl_annotations_
NTSTATUS
LoneDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_SUCCESS;
}
`;

/** A DriverEntry that returns `status` and registers nothing. */
const entryOnly = (status: string): string => `#include <ndis.h>

DRIVER_INITIALIZE DriverEntry;

_Use_decl_annotations_
NTSTATUS
DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return ${status};
}
`;

async function ddikit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd: work, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const ERROR = (file: string): string =>
  `cannot run the C driver:\nerror: no DriverEntry in ${file}: a driver starts at DriverEntry (DRIVER_INITIALIZE), which registers its MiniportInitializeEx and MiniportHaltEx with NdisMRegisterMiniportDriver.\n  Add one, not static (in the file or another passed with it): ddikit scaffold --role DRIVER_INITIALIZE:DriverEntry writes it.\n`;

describe('a C driver with no DriverEntry', () => {
  writeFileSync(join(work, 'lone.c'), FUNCTIONS);
  writeFileSync(join(work, 'static-entry.c'), STATIC_ENTRY);

  it('simulate: a build error naming the file and the fix, nothing run', async () => {
    const run = await ddikit(['simulate', 'lone.c']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`ddikit simulate: ${ERROR('lone.c')}`);
    const json = await ddikit(['simulate', 'lone.c', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ clean: false, error: 'cannot-load' });
  }, 60_000);

  it('explore: the same error, not a crash of the first schedule', async () => {
    const run = await ddikit(['explore', 'lone.c', '--budget', '5']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`ddikit explore: ${ERROR('lone.c')}`);
  }, 60_000);

  it('a static DriverEntry is not the entry point either', async () => {
    const run = await ddikit(['simulate', 'static-entry.c']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`ddikit simulate: ${ERROR('static-entry.c')}`);
  }, 60_000);

  it('an entry point declared DRIVER_INITIALIZE under another name: named, with the rename', async () => {
    writeFileSync(join(work, 'renamed-entry.c'), RENAMED_ENTRY);
    const line = RENAMED_ENTRY.split('\n').indexOf('DRIVER_INITIALIZE LoneDriverEntry;') + 1;
    const run = await ddikit(['simulate', 'renamed-entry.c']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `ddikit simulate: cannot run the C driver:\nrenamed-entry.c:${line}: error: LoneDriverEntry is declared DRIVER_INITIALIZE, but a driver's entry point must be named DriverEntry: the harness starts the driver there, as the WDK's GsDriverEntry does.\n  Rename LoneDriverEntry to DriverEntry (not static).\n`,
    );
  }, 60_000);

  it('check does not ask for one', async () => {
    const run = await ddikit(['check', 'lone.c']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      '2 functions declared with roles; every handler is declared with the role its place takes.\n',
    );
    expect(run.code).toBe(0);
  }, 60_000);
});

describe('a DriverEntry that does not register the miniport', () => {
  it('returns a failure: the run says the driver did not load, with the status by name', async () => {
    writeFileSync(join(work, 'entry-fails.c'), entryOnly('STATUS_INSUFFICIENT_RESOURCES'));
    const run = await ddikit(['simulate', 'entry-fails.c']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '\nseed=1: the run failed: DriverEntry returned 0xC000009A (STATUS_INSUFFICIENT_RESOURCES, NDIS_STATUS_RESOURCES), so the driver did not load and no miniport ran (seed=1 tick=0)\n',
    );
    expect(run.stdout).not.toContain('threw');
  }, 60_000);

  it('returns STATUS_SUCCESS having registered nothing: says what registers it', async () => {
    writeFileSync(join(work, 'entry-empty.c'), entryOnly('STATUS_SUCCESS'));
    const run = await ddikit(['simulate', 'entry-empty.c', '--seeds', '2']);
    expect(run.code).toBe(1);
    for (const seed of [1, 2])
      expect(run.stdout).toContain(
        `\nseed=${seed}: the run failed: DriverEntry returned STATUS_SUCCESS without registering the miniport: it calls NdisMRegisterMiniportDriver with an NDIS_MINIPORT_DRIVER_CHARACTERISTICS naming its MiniportInitializeEx and MiniportHaltEx (ddikit scaffold --role DRIVER_INITIALIZE:DriverEntry writes that call) (seed=${seed} tick=0)\n`,
      );
    expect(run.stdout).not.toContain('threw');
  }, 60_000);
});
