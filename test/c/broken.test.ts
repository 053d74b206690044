/**
 * The broken C miniports of examples/c/broken/, each under `ddikit simulate` (access-instrumented, as
 * the CLI builds): exactly the rule it breaks is reported, naming the C function and the `file:line`
 * of the planted bug; the clean drivers they are made from stay clean (e1000-line.test.ts,
 * msix-queues.test.ts).
 */
import '../built-harness.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSimulate } from '../../generator/src/cli/commands/simulate.js';
import { main } from '../../generator/src/cli/main.js';
import type { CliIo } from '../../generator/src/cli/io.js';
import { build, root } from './build.js';

const SOURCE = 'examples/c/e1000-line.c';
const MSIX_SOURCE = 'examples/c/msix-queues.c';
const sourceLines = readFileSync(`${root}${SOURCE}`, 'utf8').split('\n');
const msixLines = readFileSync(`${root}${MSIX_SOURCE}`, 'utf8').split('\n');

/** The line of e1000-line.c (or of `lines`) holding `text` after the `#if` of a bug (1-based). */
function lineOf(text: string, after = 0, lines = sourceLines): number {
  const index = lines.findIndex((line, i) => i >= after && line.includes(text));
  expect(index, text).toBeGreaterThanOrEqual(0);
  return index + 1;
}

interface SourceFrame {
  function: string;
  file: string | null;
  line: number;
  column: number;
}
interface JsonReport {
  rule: string;
  race?: { accesses: { function: string; source?: SourceFrame }[] };
  function: string | null;
  message: string;
  bugCheck: { code: number; parameters: number[] } | null;
  source?: SourceFrame[];
  /** Where the function concerned is defined (reports raised when none of its code runs). */
  defined?: SourceFrame;
  /** The `DRIVER CALL` line: the driver's own source, never the harness's JavaScript. */
  location: string | null;
}

async function simulate(args: string[]): Promise<{ code: number; reports: JsonReport[]; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
  const code = await runSimulate([...args, '--json'], io);
  const output = stdout === '' ? { runs: [] } : (JSON.parse(stdout) as { runs: { reports?: JsonReport[] }[] });
  return { code, reports: output.runs.flatMap((run) => run.reports ?? []), stderr };
}

interface Case {
  readonly name: string;
  readonly rule: string;
  readonly code: number;
  /** The C function and the line of the bug in e1000-line.c; null where no C frame is on the stack (after halt). */
  readonly at: { readonly function: string; readonly line: number } | null;
  /** The next frame, where the first was called from: an inlined function's caller. */
  readonly calledFrom?: { readonly function: string; readonly line: number };
  /** For a race: where the driver's source made the other (earlier) access. */
  readonly otherAccess?: { readonly function: string; readonly line: number };
  /** Raised when none of the driver's code runs: the function concerned and the line of its definition. */
  readonly defined?: { readonly function: string; readonly line: number };
  readonly message: RegExp;
  readonly args?: readonly string[];
  /** The driver the variant plants its bug in (default e1000-line.c). */
  readonly source?: string;
}

const bugLine = (marker: string, text: string): number => lineOf(text, lineOf(marker));

const cases: Case[] = [
  {
    name: 'role-swap',
    rule: 'ROLE-TYPE',
    code: 0xc4,
    at: { function: 'ContosoInitializeEx', line: lineOf('status = NdisMRegisterInterruptEx(') },
    message:
      /DisableInterruptHandler takes a function declared as MINIPORT_DISABLE_INTERRUPT; it was given ContosoEnableInterrupt, declared as MINIPORT_ENABLE_INTERRUPT/,
  },
  {
    name: 'no-role',
    rule: 'ROLE-TYPE',
    code: 0xc4,
    at: { function: 'ContosoInterruptDpc', line: lineOf('ContosoTakeCausesUndeclared, adapter)') },
    message: /ContosoTakeCausesUndeclared/,
  },
  {
    name: 'null-deref',
    rule: 'MEM-NULL',
    code: 0xd1,
    // ContosoReceive is inlined into the DPC: named at its line, then the DPC at the call.
    at: { function: 'ContosoReceive', line: lineOf('Adapter->Stats->FramesReceived += arrived;') },
    calledFrom: { function: 'ContosoInterruptDpc', line: lineOf('            ContosoReceive(adapter);') },
    message: /null pointer of type 'struct _CONTOSO_STATS'/,
  },
  {
    name: 'register-deref',
    rule: 'MEM-REGISTER-DEREF',
    code: 0xc4,
    at: { function: 'ContosoIsr', line: bugLine('CONTOSO_BUG == CONTOSO_BUG_REGISTER_DEREF', 'Registers') },
    message: /read of register ICR through a plain pointer; use NdisReadRegisterUlong/,
  },
  {
    name: 'stack-overflow',
    rule: 'STACK-OVERFLOW',
    code: 0x7f,
    at: {
      function: 'ContosoProbeDepth',
      line: bugLine('static ULONG ContosoProbeDepth', 'scratch[Depth % 64] = Depth;'),
    },
    message: /the stack overflowed its 24576 bytes/,
  },
  {
    name: 'race',
    rule: 'ISR-SHARED-RACE',
    code: 0xc4,
    at: { function: 'ContosoInterruptDpc', line: bugLine('CONTOSO_BUG == CONTOSO_BUG_RACE', 'adapter->PendingCauses') },
    // The pool block holds a CONTOSO_ADAPTER (its size is that structure's): named by member.
    message: /^field Cnto#\d+->PendingCauses is shared with the ISR/,
    args: ['--ticks', '200000'],
  },
  {
    name: 'release-unheld',
    rule: 'LOCK-RELEASE-UNHELD',
    code: 0xc4,
    at: {
      function: 'ContosoCompleteTransmits',
      line: bugLine('CONTOSO_BUG == CONTOSO_BUG_LOCK_RELEASE', 'NdisDprReleaseSpinLock'),
    },
    calledFrom: { function: 'ContosoInterruptDpc', line: lineOf('            ContosoCompleteTransmits(adapter);') },
    message: /which no processor holds/,
  },
  {
    name: 'array-bounds',
    rule: 'UB-BOUNDS',
    code: 0xc4,
    at: { function: 'ContosoReceive', line: bugLine('CONTOSO_BUG == CONTOSO_BUG_HEAP_OVERFLOW', 'RxFrameBytes') },
    calledFrom: { function: 'ContosoInterruptDpc', line: lineOf('            ContosoReceive(adapter);') },
    message: /index \d+ out of bounds for type 'ULONG\[64\]'/,
  },
  {
    name: 'lock-at-dirql',
    rule: 'MAY-CALL',
    code: 0xc4,
    at: {
      function: 'ContosoTakeCauses',
      line: bugLine('CONTOSO_BUG == CONTOSO_BUG_LOCK_AT_DIRQL', 'NdisDprAcquireSpinLock'),
    },
    message: /NdisDprAcquireSpinLock/,
  },
  {
    name: 'leak',
    rule: 'POOL-LEAK',
    code: 0xc4,
    at: null,
    message: /1 pool block \(\d+ bytes\) still allocated after MiniportHaltEx: Cnto #\d+/,
  },
  {
    name: 'pool-overrun',
    rule: 'POOL-OVERRUN',
    code: 0xd6,
    at: { function: 'ContosoReceive', line: bugLine('CONTOSO_BUG == CONTOSO_BUG_POOL_OVERRUN', '[3]') },
    calledFrom: { function: 'ContosoInterruptDpc', line: lineOf('            ContosoReceive(adapter);') },
    message: /Cnto block #\d+ \(12 bytes\) at offset 12, 0 bytes past its end/,
  },
  {
    name: 'int-lost',
    rule: 'INT-LOST',
    code: 0xc4,
    at: null,
    // The DPC that returned without unmasking.
    defined: { function: 'ContosoInterruptDpc', line: lineOf('VOID ContosoInterruptDpc(') },
    message: /masked/,
    args: ['--ticks', '200000'],
  },
  {
    // Reported when the DPC returns (no C frame on the stack then); the message names the acquire's
    // line, from a run of the seed again with the acquires' lines kept.
    name: 'lock-leak',
    rule: 'LOCK-LEAK',
    code: 0xc8,
    at: null,
    message: new RegExp(
      `^ContosoInterruptDpc returned holding Cnto#\\d+->TxLock \\(spin lock #\\d+\\), which it acquired with NdisDprAcquireSpinLock at tick \\d+, at ContosoCompleteTransmits \\(examples/c/e1000-line\\.c:${lineOf('    NdisDprAcquireSpinLock(&Adapter->TxLock);', lineOf('static VOID ContosoCompleteTransmits'))}:5\\), and did not release$`,
    ),
  },
  {
    name: 'no-deregister',
    rule: 'INT-DEREGISTER',
    code: 0x7c,
    at: null,
    defined: { function: 'ContosoHaltEx', line: lineOf('VOID ContosoHaltEx(') },
    message: /ContosoHaltEx returned/,
  },
  {
    name: 'double-free',
    rule: 'POOL-BAD-FREE',
    code: 0xc2,
    at: { function: 'ContosoFreeAdapter', line: bugLine('CONTOSO_BUG == CONTOSO_BUG_DOUBLE_FREE', 'NdisFreeMemory') },
    message: /which was already freed/,
  },
  {
    name: 'irql-call',
    rule: 'IRQL-CALL',
    code: 0xc4,
    at: { function: 'ContosoInterruptDpc', line: bugLine('CONTOSO_BUG == CONTOSO_BUG_IRQL_CALL', 'NdisMMapIoSpace') },
    message: /NdisMMapIoSpace/,
  },
  {
    name: 'use-after-free',
    rule: 'POOL-USE-AFTER-FREE',
    code: 0xcc,
    at: { function: 'ContosoFreeAdapter', line: bugLine('CONTOSO_BUG_USE_AFTER_FREE', 'FramesSent += 1') },
    message: /at offset \d+ \(FramesSent\), after NdisFreeMemory freed it$/,
  },
  {
    name: 'dma-high-half',
    rule: 'DMA-UNMAPPED',
    code: 0xe6,
    // The NIC, not a C function, makes the access: no C frame is on the stack.
    at: null,
    message:
      /^e1000 was told to read 16 bytes at physical address 0x[0-9A-F]{1,8} \(RX descriptor 0\), which no NdisMAllocateSharedMemory allocation covers$/,
  },
  {
    name: 'handle-deref',
    rule: 'MEM-HANDLE-DEREF',
    code: 0x50,
    at: {
      function: 'ContosoInitializeEx',
      line: bugLine('CONTOSO_BUG == CONTOSO_BUG_HANDLE_DEREF', 'NdisMiniportHandle'),
    },
    message: /inside an NDIS handle: handles are opaque/,
  },
  {
    name: 'timer-pending',
    rule: 'TIMER-PENDING',
    code: 0xc7,
    at: { function: 'ContosoFreeAdapter', line: lineOf('NdisFreeTimerObject(Adapter->WatchdogTimer);') },
    message: /^ContosoHaltEx freed timer 1 with NdisFreeTimerObject while it was still set$/,
  },
  {
    name: 'timer-last',
    rule: 'TIMER-PENDING',
    code: 0xc7,
    at: { function: 'ContosoFreeAdapter', line: lineOf('NdisFreeMemory(Adapter, sizeof(CONTOSO_ADAPTER), 0);') },
    message:
      /^ContosoHaltEx freed Cnto block #\d+ with NdisFreeMemory while timer 1, whose FunctionContext points into it, was still set: its function would run on freed memory; cancel the timer first$/,
  },
  {
    name: 'watchdog-race',
    rule: 'DPC-SHARED-RACE',
    code: 0xc4,
    at: {
      function: 'ContosoWatchdog',
      line: bugLine('CONTOSO_BUG == CONTOSO_BUG_WATCHDOG_RACE', 'adapter->RxNextAtWatchdog = adapter->RxRing.Next'),
    },
    // The DPC's write, in ContosoReceive (inlined into it), under the RX lock.
    otherAccess: { function: 'ContosoReceive', line: lineOf('rx->Next = (index + 1) % RING_DESCRIPTORS;') },
    message:
      /^field Cnto#\d+->RxRing\.Next is shared by deferred functions that can run on different processors at the same time: ContosoInterruptDpc \(MINIPORT_INTERRUPT_DPC\) at DISPATCH_LEVEL \(write .*, holding Cnto#\d+->RxLock \(spin lock #\d+\), Cnto#\d+->TxLock \(spin lock #\d+\)\) and ContosoWatchdog \(NDIS_TIMER_FUNCTION\) at DISPATCH_LEVEL \(read .*, holding none\)/,
  },
  {
    name: 'dpc-after-unmask',
    rule: 'DPC-SHARED-RACE',
    code: 0xc4,
    at: {
      function: 'ContosoInterruptDpc',
      line: bugLine('CONTOSO_BUG == CONTOSO_BUG_DPC_AFTER_UNMASK', 'adapter->DpcBatches += 1;'),
    },
    // One DPC, two runs: once it unmasks, the next interrupt's DPC can run on the other processor.
    message:
      /^field Cnto#\d+->DpcBatches is shared by two runs of the interrupt DPC, which can run on different processors at the same time: the interrupt could come again while it ran \(or a DPC of it was queued on another processor\), and NDIS runs the DPC on the processor that took it — ContosoInterruptDpc \(MINIPORT_INTERRUPT_DPC\) at DISPATCH_LEVEL \(read .*, holding none\) and ContosoInterruptDpc \(MINIPORT_INTERRUPT_DPC\) at DISPATCH_LEVEL \(write .*, holding none\); /,
  },
  {
    name: 'msix-tx-unlocked',
    source: MSIX_SOURCE,
    rule: 'DPC-SHARED-RACE',
    code: 0xc4,
    // ContosoCompleteTransmits is inlined into the DPC: named at its line, then the DPC at the call.
    at: {
      function: 'ContosoCompleteTransmits',
      line: lineOf(
        'while (tx->InFlight > 0) {',
        lineOf('ContosoCompleteTransmits(PCONTOSO_ADAPTER', 0, msixLines),
        msixLines,
      ),
    },
    calledFrom: {
      function: 'ContosoMessageDpc',
      line: lineOf('        ContosoCompleteTransmits(adapter);', 0, msixLines),
    },
    // The RX message's DPC posts a frame (ContosoPostTransmit) under both locks.
    otherAccess: { function: 'ContosoPostTransmit', line: lineOf('    tx->InFlight++;', 0, msixLines) },
    // One function, two messages: the RX message's DPC posts under the RX and TX locks, the TX
    // message's reclaims with none.
    message:
      /^field Cmsx#\d+->TxRing\.InFlight is shared by deferred functions that can run on different processors at the same time: ContosoMessageDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC, message 0\) at DISPATCH_LEVEL \(write .*, holding Cmsx#\d+->RxLock \(spin lock #\d+\), Cmsx#\d+->TxLock \(spin lock #\d+\)\) and ContosoMessageDpc \(MINIPORT_MESSAGE_INTERRUPT_DPC, message 1\) at DISPATCH_LEVEL \(read .*, holding none\)/,
  },
];

describe('broken C miniports under ddikit simulate', () => {
  // Each variant built once here, as the command builds it (access-instrumented), into the module
  // cache the command reads: one toolchain load for all of them, where each command's own thread
  // would load the toolchain again for its one compile (about 5 s each on a cold cache). The command
  // still compiles C of its own elsewhere (e1000-line.test.ts, the scaffold test).
  beforeAll(async () => {
    for (const c of cases) await build({ files: [`examples/c/broken/${c.name}.c`], instrumentAccesses: true });
  }, 300_000);

  it('cover at least twelve rules', () => {
    expect(new Set(cases.map((c) => c.rule)).size).toBeGreaterThanOrEqual(12);
  });

  it.each(cases.map((c) => [c.name, c.rule, c] as const))('examples/c/broken/%s.c: %s', async (_name, _rule, c) => {
    const { code, reports, stderr } = await simulate([`examples/c/broken/${c.name}.c`, ...(c.args ?? [])]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    // Exactly its rule: the planted bug and nothing else.
    expect(
      reports.map((r) => r.rule),
      JSON.stringify(reports.map((r) => [r.rule, r.message])),
    ).toEqual([c.rule]);
    const report = reports[0];
    expect(report!.bugCheck?.code).toBe(c.code);
    expect(report!.message).toMatch(c.message);
    if (c.at !== null) {
      const top = report!.source?.[0];
      expect(top, 'the report names the C frame').toBeDefined();
      const source = c.source ?? SOURCE;
      expect({ function: top!.function, file: top!.file, line: top!.line }).toEqual({
        function: c.at.function,
        file: source,
        line: c.at.line,
      });
      expect(report!.location).toBe(`${source}:${top!.line}:${top!.column}`);
      if (c.rule.endsWith('RACE')) {
        // Both accesses name where the source made them; the one reported at is the top frame.
        const [first, second] = report!.race!.accesses;
        expect(second!.source).toMatchObject({ function: top!.function, file: source, line: top!.line });
        if (c.otherAccess !== undefined) expect(first!.source).toMatchObject({ ...c.otherAccess, file: source });
        else expect(first!.source?.file).toBe(source);
      }
      if (c.calledFrom !== undefined) {
        const caller = report!.source?.[1];
        expect({ function: caller?.function, file: caller?.file, line: caller?.line }).toEqual({
          ...c.calledFrom,
          file: source,
        });
      }
    } else expect(report!.location ?? '').not.toMatch(/\.js:|packages\/|node_modules/);
    // DWARF gives a function's line, no column.
    expect(report!.defined).toEqual(
      c.defined === undefined ? undefined : { ...c.defined, file: c.source ?? SOURCE, column: 0 },
    );
  });
});

describe('a report raised after the C function returned', () => {
  it('prints where the function is defined, at its line of the C source (INT-DEREGISTER after halt)', async () => {
    let stdout = '';
    const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: () => {}, color: false };
    expect(await runSimulate(['examples/c/broken/no-deregister.c'], io)).toBe(1);
    expect(stdout).toContain(
      `FUNCTION:  ContosoHaltEx\nDEFINED_AT:  ContosoHaltEx (${SOURCE}:${lineOf('VOID ContosoHaltEx(')})\n`,
    );
  });
});

describe('--define: a bug variant from the command line', () => {
  it('simulate and check compile the sources with the macro, as the wrapper that #defines it does', async () => {
    // lock-leak.c is e1000-line.c after #define CONTOSO_BUG 25.
    const wrapper = await simulate(['examples/c/broken/lock-leak.c', '--mode', 'collect']);
    const defined = await simulate([SOURCE, '--define', 'CONTOSO_BUG=25', '--mode', 'collect']);
    expect(defined.code).toBe(1);
    expect(defined.reports.map((r) => r.rule)).toEqual(['LOCK-LEAK']);
    expect(defined.reports.map((r) => r.location)).toEqual(wrapper.reports.map((r) => r.location));
    let stdout = '';
    const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: () => {}, color: false };
    expect(await runSimulate([SOURCE, '--define', 'CONTOSO_BUG=25'], io)).toBe(1);
    expect(stdout).toContain(`Replay: ddikit simulate ${SOURCE} --define CONTOSO_BUG=25 --seed 1`);
    // check: role-swap.c is CONTOSO_BUG 1.
    let checked = '';
    const checkIo: CliIo = { cwd: root, stdout: (t) => (checked += t), stderr: () => {}, color: false };
    expect(await main(['check', SOURCE, '--define', 'CONTOSO_BUG=1'], checkIo)).toBe(1);
    expect(checked).toMatch(/error C28023: /);
    // Without it, the clean driver; a name that is no C identifier is a usage error.
    expect((await simulate([SOURCE])).code).toBe(0);
    const bad = await simulate([SOURCE, '--define', '2BUG=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ddikit: --define: the macro name must be a C identifier \(got "2BUG"\)/);
  });

  it('-D, as a compiler takes it, is refused with the --define that does it', async () => {
    let stderr = '';
    const io: CliIo = { cwd: root, stdout: () => {}, stderr: (t) => (stderr += t), color: false };
    expect(await main(['simulate', SOURCE, '-DCONTOSO_BUG=25'], io)).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'ddikit: unknown option "-DCONTOSO_BUG=25" for ddikit simulate: its options are long (--name). For a macro: --define CONTOSO_BUG=25.',
    );
  });

  it('a TypeScript driver takes no --define', async () => {
    const ts = await simulate(['examples/e1000-line.ts', '--define', 'X=1']);
    expect(ts.code).toBe(2);
    expect(ts.stderr).toMatch(
      /--define gives macros to a C driver's sources; examples\/e1000-line\.ts is a TypeScript/,
    );
  });
});

describe('a C driver that does not compile', () => {
  // What the compiler says is a finding about the driver, as a violation is: exit 1, clang's own
  // text (file:line:col), no pointer to --help, and a JSON report under --json.
  it("simulate prints clang's error and exits 1", async () => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, '.tmp', 'c-'));
    try {
      writeFileSync(join(dir, 'typo.c'), '#include <ndis.h>\nstatic ULONG ring = ;\n');
      const shown = `.tmp/${basename(dir)}/typo.c`;
      let stdout = '';
      let stderr = '';
      const io: CliIo = { cwd: root, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
      const code = await runSimulate([shown, '--json'], io);
      expect(code).toBe(1);
      expect(stderr).toMatch(
        new RegExp(`^ddikit simulate: cannot compile the C driver:\\n${shown}:2:21: error: expected expression\\n`),
      );
      expect(stderr).not.toContain('--help');
      expect(JSON.parse(stdout)).toMatchObject({ clean: false, error: 'cannot-load', at: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a call of an NDIS DDI the harness does not run gets a note saying so, once per DDI; a DDI it runs, misspelt, gets none', async () => {
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(root, '.tmp', 'c-'));
    try {
      writeFileSync(
        join(dir, 'unmodeled.c'),
        [
          '#include <ndis.h>',
          'VOID Indicate(NDIS_HANDLE Handle)',
          '{',
          '    NdisMIndicateStatusEx(Handle, NULL);',
          '    NdisMIndicateStatusEx(Handle, NULL);',
          '    NdisMSynchronizeWithInterruptExx(Handle, 0, NULL, NULL);',
          '}',
          '',
        ].join('\n'),
      );
      const shown = `.tmp/${basename(dir)}/unmodeled.c`;
      let stderr = '';
      const io: CliIo = { cwd: root, stdout: () => {}, stderr: (t) => (stderr += t), color: false };
      expect(await runSimulate([shown], io)).toBe(1);
      expect(stderr).toContain(`${shown}:4:5: error: call to undeclared function 'NdisMIndicateStatusEx'`);
      const notes = stderr.split('\n').filter((line) => line.includes('the harness does not run'));
      expect(notes).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${shown}:4:5: note: NdisMIndicateStatusEx is an NDIS DDI the harness does not run; its ndis\\.h declares the \\d+ it runs \\(packages/ndis/include/harness/ndis\\.h\\)$`,
          ),
        ),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
