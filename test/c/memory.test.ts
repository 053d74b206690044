/**
 * Memory safety of C drivers as verifier rules, beyond the broken examples: a plain (not
 * access-instrumented) build still stops at a wild access; misaligned accesses, other undefined
 * behaviour and traps are reported with the C position; a trap or a bug check inside an import
 * unwinds cleanly and the next run starts from a fresh instance; collect mode goes on after a
 * survivable report; shared memory is the driver's memory while allocated and freed after
 * NdisMFreeSharedMemory, and is what the NIC reaches by DMA.
 */
import { readFileSync } from 'node:fs';
import { createSimulation, DMA_BASE_ADDRESS, E1000Nic, type Report, SimulationError } from '@ddikit/sim';
import { defineCMiniport } from '@ddikit/sim-c';
import { describe, expect, it } from 'vitest';
import { load, root } from './build.js';

const SOURCE = 'examples/c/e1000-line.c';
const text = readFileSync(`${root}${SOURCE}`, 'utf8');
const AFTER_ALLOCATION = '    adapter->MiniportAdapterHandle = NdisMiniportHandle;\n';

/** e1000-line.c with `code` inserted in ContosoInitializeEx right after the adapter is allocated. */
function withInInitialize(code: string): string {
  expect(text).toContain(AFTER_ALLOCATION);
  return text.replace(AFTER_ALLOCATION, `${AFTER_ALLOCATION}${code}\n`);
}

function lineOfInserted(variant: string, code: string): number {
  return variant.split('\n').indexOf(code) + 1;
}

function run(definition: ReturnType<typeof defineCMiniport>, mode: 'bugcheck' | 'collect' = 'bugcheck') {
  return createSimulation({ seed: 1, device: new E1000Nic(), mode }).run(definition, { ticks: 20_000 });
}

function top(report: Report | null | undefined): { function: string; file: string | null; line: number } | null {
  const frame = report?.source?.[0];
  return frame === undefined ? null : { function: frame.function, file: frame.file, line: frame.line };
}

describe('memory rules of C drivers', () => {
  it.each([
    {
      rule: 'UB-MISALIGNED',
      code: '    ((PCONTOSO_STATS)((PUCHAR)adapter + 1))->FramesSent = 1;',
      message:
        /member access within misaligned address 0x[0-9a-f]+ for type 'struct _CONTOSO_STATS', which requires 4-byte alignment/,
    },
    {
      rule: 'UB-OTHER',
      code: '    adapter->RxRing.Next = 1u << (32 + adapter->RxRing.Next);',
      message: /shift out of bounds/,
    },
    { rule: 'C-TRAP', code: '    __builtin_trap();', message: /ContosoInitializeEx: unreachable/ },
  ])('$rule stops the run at the C line', async ({ rule, code, message }) => {
    const variant = withInInitialize(code);
    const definition = defineCMiniport(await load({ files: [SOURCE], text: variant }));
    for (const mode of ['bugcheck', 'collect'] as const) {
      const result = run(definition, mode);
      expect(result.bugCheck?.rule).toBe(rule);
      expect(result.bugCheck?.message).toMatch(message);
      expect(result.halted).toBe(false);
      expect(top(result.bugCheck)).toEqual({
        function: 'ContosoInitializeEx',
        file: SOURCE,
        line: lineOfInserted(variant, code),
      });
    }
  });

  it("C-TRAP names the trap's own line or, where the optimizer moved the trap off every line, none: never another statement's", async () => {
    // A conditional trap the optimizer places at the end of the function, away from its line.
    const code = '    if (NdisMiniportHandle != NULL) { __builtin_trap(); }';
    const variant = withInInitialize(code);
    const definition = defineCMiniport(await load({ files: [SOURCE], text: variant }));
    const result = run(definition);
    expect(result.bugCheck?.rule).toBe('C-TRAP');
    const at = top(result.bugCheck);
    expect(at?.function).toBe('ContosoInitializeEx');
    expect([0, lineOfInserted(variant, code)]).toContain(at?.line);
    if (at?.line === 0) expect(result.reportLocations[0]).toBe(SOURCE);
  });

  it('a DDI given the adapter instead of its handle stops the run at the C line of the call', async () => {
    const code =
      '    { PVOID va = NULL; NDIS_PHYSICAL_ADDRESS pa; NdisMAllocateSharedMemory((NDIS_HANDLE)adapter, 64, FALSE, &va, &pa); }';
    const variant = withInInitialize(code);
    const definition = defineCMiniport(await load({ files: [SOURCE], text: variant }));
    expect(() => run(definition)).toThrow(
      new SimulationError(
        'NdisMAllocateSharedMemory: MiniportAdapterHandle is not the handle MiniportInitializeEx received' +
          ` — in ContosoInitializeEx (MINIPORT_INITIALIZE) at ${SOURCE}:${lineOfInserted(variant, code)}:${code.indexOf('NdisMAllocateSharedMemory') + 1}`,
        1,
        1,
      ).message,
    );
  });

  it('MEM-WILD: a plain build stops where the driver dereferences its register window', async () => {
    const definition = defineCMiniport(await load({ files: ['examples/c/broken/register-deref.c'] }));
    const result = run(definition);
    expect(result.bugCheck?.rule).toBe('MEM-WILD');
    expect(result.bugCheck?.bugCheck?.code).toBe(0x50);
    expect(top(result.bugCheck)?.function).toBe('ContosoIsr');
    expect(top(result.bugCheck)?.file).toBe(SOURCE);
  });

  it('stays quiet for the clean driver, plain and access-instrumented, in both modes', async () => {
    for (const instrumentAccesses of [false, true]) {
      const definition = defineCMiniport(await load({ files: [SOURCE], instrumentAccesses }));
      for (const mode of ['bugcheck', 'collect'] as const) expect(run(definition, mode).reports).toEqual([]);
    }
  });
});

describe('pool tags in reports', () => {
  it.each([
    // A three-character tag ends in a NUL byte in memory, which is not shown.
    { tag: "'baF'", shown: 'Fab' },
    // A NUL byte within the tag shows as any other unprintable byte does.
    { tag: '0x46006162u', shown: 'ba.F' },
    { tag: "'ruoF'", shown: 'Four' },
  ])('the tag $tag shows as "$shown"', async ({ tag, shown }) => {
    const variant = withInInitialize(
      `    (void)NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, 12, ${tag}, NormalPoolPriority);`,
    );
    const definition = defineCMiniport(await load({ files: [SOURCE], text: variant }));
    const leak = run(definition, 'collect').reports.find((r) => r.rule === 'POOL-LEAK');
    expect(leak?.message).toMatch(
      new RegExp(
        `^1 pool block \\(12 bytes\\) still allocated after MiniportHaltEx: ${shown.replace('.', '\\.')} #\\d+`,
      ),
    );
  });
});

describe('shared memory (NdisMAllocateSharedMemory) of C drivers', () => {
  /** One line: 64 bytes of shared memory at p, its physical address at pa, then `use`. */
  const shared = (use: string): string =>
    `    { PUCHAR p; NDIS_PHYSICAL_ADDRESS pa; NdisMAllocateSharedMemory(NdisMiniportHandle, 64, FALSE, (PVOID *)&p, &pa); p[0] = 1; p[63] = 1; ${use} }`;

  it.each([
    {
      given: 'a write after NdisMFreeSharedMemory',
      use: 'NdisMFreeSharedMemory(NdisMiniportHandle, 64, FALSE, p, pa); p[1] = 2;',
      rule: 'POOL-USE-AFTER-FREE',
      message:
        /^write of 1 bytes at 0x[0-9a-f]+: SharedMemory block #\d+ \(64 bytes\) at offset 1, after NdisMFreeSharedMemory freed it$/,
    },
    {
      given: 'a write one byte past the end',
      use: 'p[64] = 2; NdisMFreeSharedMemory(NdisMiniportHandle, 64, FALSE, p, pa);',
      rule: 'POOL-OVERRUN',
      message: /SharedMemory block #\d+ \(64 bytes\) at offset 64, 0 bytes past its end$/,
    },
    {
      given: 'NdisFreeMemory of shared memory',
      use: 'NdisFreeMemory(p, 64, 0); NdisMFreeSharedMemory(NdisMiniportHandle, 64, FALSE, p, pa);',
      rule: 'POOL-BAD-FREE',
      message: /which NdisMAllocateSharedMemory returned: free it with NdisMFreeSharedMemory$/,
    },
  ])('$given: $rule, and nothing for the accesses while it is allocated', async ({ use, rule, message }) => {
    const code = shared(use);
    const variant = withInInitialize(code);
    const definition = defineCMiniport(await load({ files: [SOURCE], text: variant, instrumentAccesses: true }));
    const result = run(definition, 'collect');
    expect(result.reports.map((r) => r.rule)).toEqual([rule]);
    expect(result.reports[0]!.message).toMatch(message);
    expect(top(result.reports[0])).toEqual({
      function: 'ContosoInitializeEx',
      file: SOURCE,
      line: lineOfInserted(variant, code),
    });
    expect(result.halted).toBe(true);
  });

  it('is the memory the NIC reaches: the bytes C wrote at VirtualAddress are at PhysicalAddress', async () => {
    // Left allocated, so the run's DMA space still maps it when the run is over.
    const code =
      '    { PULONG p; NDIS_PHYSICAL_ADDRESS pa; NdisMAllocateSharedMemory(NdisMiniportHandle, 4096, FALSE, (PVOID *)&p, &pa); p[1] = 0xC0FFEE; }';
    const definition = defineCMiniport(await load({ files: [SOURCE], text: withInInitialize(code) }));
    const sim = createSimulation({ seed: 1, device: new E1000Nic() });
    expect(sim.run(definition, { ticks: 5_000 }).reports).toEqual([]);
    // The run's first allocation has the first physical address.
    const bytes = sim.dma.read(DMA_BASE_ADDRESS + 4, 4, 'test')!;
    expect(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true)).toBe(0xc0ffee);
  });
});

describe('memory a set timer uses', () => {
  it('freeing a block while a set timer does not point into it is quiet; freeing its context is TIMER-PENDING at the free', async () => {
    // The watchdog function, run while its periodic timer is set, frees a block of its own.
    const WATCHDOG_BODY = '    NdisDprAcquireSpinLock(&adapter->RxLock);\n    adapter->WatchdogRuns += 1;\n';
    const scratch = text.replace(
      WATCHDOG_BODY,
      `${WATCHDOG_BODY}    NdisFreeMemory(NdisAllocateMemoryWithTagPriority(adapter->MiniportAdapterHandle, 16, 'hctS', NormalPoolPriority), 16, 0);\n`,
    );
    expect(text.split(WATCHDOG_BODY)).toHaveLength(2);
    const quiet = defineCMiniport(await load({ files: [SOURCE], text: scratch, defines: { CONTOSO_WATCHDOG: 1 } }));
    const result = run(quiet, 'collect');
    expect(result.reports).toEqual([]);
    expect(result.stats.timerCalls).toBeGreaterThan(0);
    // Halt that frees the adapter, the timer's FunctionContext, before tearing the timer down.
    const last = run(defineCMiniport(await load({ files: ['examples/c/broken/timer-last.c'] })), 'collect');
    expect(last.reports.map((r) => [r.rule, r.subject, r.bugCheck?.code])).toEqual([
      ['TIMER-PENDING', 'NdisFreeMemory', 0xc7],
    ]);
    // The harness canceled the timer there: the driver's own cancel and free after it are fine.
    expect(last.halted).toBe(true);
  });
});

describe('interlocked operations', () => {
  // A counter the DPC and the watchdog timer function update with no lock: a global of its own, so
  // that nothing else in the driver touches it.
  const STATS_TYPE = '} CONTOSO_STATS, *PCONTOSO_STATS;\n';
  const DPC_BODY = '    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);\n';
  const WATCHDOG_BODY = '    NdisDprAcquireSpinLock(&adapter->RxLock);\n    adapter->WatchdogRuns += 1;\n';
  /** e1000-line.c with `dpc` added to the DPC and `watchdog` to the watchdog timer function. */
  const counting = (dpc: string, watchdog: string): string => {
    for (const anchor of [STATS_TYPE, DPC_BODY, WATCHDOG_BODY]) expect(text.split(anchor)).toHaveLength(2);
    return text
      .replace(STATS_TYPE, `${STATS_TYPE}static LONG ContosoCount;\n`)
      .replace(DPC_BODY, `${DPC_BODY}    ${dpc}\n`)
      .replace(WATCHDOG_BODY, `${WATCHDOG_BODY}    ${watchdog}\n`);
  };
  const runOf = async (source: string) =>
    createSimulation({ seed: 1, device: new E1000Nic(), mode: 'collect' }).run(
      defineCMiniport(
        await load({ files: [SOURCE], text: source, defines: { CONTOSO_WATCHDOG: 1 }, instrumentAccesses: true }),
      ),
      { ticks: 30_000 },
    );
  const INCREMENT = '(VOID) InterlockedIncrement(&ContosoCount);';

  it('compile from ndis.h and never race with each other; the same update as a plain += is DPC-SHARED-RACE', async () => {
    const quiet = await runOf(counting(INCREMENT, INCREMENT));
    expect(quiet.reports).toEqual([]);
    expect(quiet.stats.timerCalls).toBeGreaterThan(0);
    const racing = await runOf(counting('ContosoCount += 1;', 'ContosoCount += 1;'));
    expect(racing.reports.map((r) => r.rule)).toEqual(['DPC-SHARED-RACE']);
  });

  it('an interlocked update beside a plain read, or beside InterlockedExchange or InterlockedCompareExchange, is quiet', async () => {
    for (const watchdog of [
      'adapter->RxNextAtWatchdog = (ULONG)ContosoCount;',
      '(VOID) InterlockedExchange(&ContosoCount, 0);',
      '(VOID) InterlockedCompareExchange(&ContosoCount, 0, 100);',
    ]) {
      const result = await runOf(counting(INCREMENT, watchdog));
      expect(result.reports, watchdog).toEqual([]);
      expect(result.stats.timerCalls).toBeGreaterThan(0);
    }
  });

  it("an interlocked update races with a plain write of the same variable, and the report names the write's line", async () => {
    // A plain store of the counter: it can undo the DPC's increments (or be undone by one).
    const reset = '    ContosoCount = 0;';
    const source = counting(INCREMENT, reset.trim());
    const result = await runOf(source);
    expect(result.reports.map((r) => r.rule)).toEqual(['DPC-SHARED-RACE']);
    const race = result.reports[0]!;
    expect(race.race!.accesses.map((a) => [a.function, a.access])).toEqual(
      expect.arrayContaining([
        ['ContosoInterruptDpc', 'interlocked update ContosoCount'],
        ['ContosoWatchdog', 'write ContosoCount'],
      ]),
    );
    expect(race.message).toContain('make the plain write interlocked as well (InterlockedExchange');
    expect(top(race)).toEqual({ function: 'ContosoWatchdog', file: SOURCE, line: lineOfInserted(source, reset) });
    // The interlocked side, when it is the later access, is located at the driver's line too (not
    // inside ndis.h): the Interlocked macros expand where the driver calls them.
    const flipped = counting(reset.trim(), INCREMENT);
    const other = (await runOf(flipped)).reports[0]!;
    expect(other.rule).toBe('DPC-SHARED-RACE');
    expect(top(other)).toEqual({
      function: 'ContosoWatchdog',
      file: SOURCE,
      line: lineOfInserted(flipped, `    ${INCREMENT}`),
    });
  });

  it("the ISR's interlocked update and a plain write under a spin lock are SPINLOCK-FOR-ISR-STATE; interlocked in both, quiet", async () => {
    // The watchdog runs with interrupts enabled (a DPC runs with them masked, ordered with the ISR).
    const ISR_BODY = '    adapter->PendingCauses |= causes;\n';
    expect(text.split(ISR_BODY)).toHaveLength(2);
    const withIsr = (watchdog: string): string =>
      counting('', watchdog).replace(ISR_BODY, `${ISR_BODY}    ${INCREMENT}\n`);
    const racing = await runOf(withIsr('ContosoCount = 0;'));
    expect(racing.reports.map((r) => r.rule)).toEqual(['SPINLOCK-FOR-ISR-STATE']);
    expect(racing.reports[0]!.message).toContain('make the plain write interlocked as well');
    const quiet = await runOf(withIsr('(VOID) InterlockedExchange(&ContosoCount, 0);'));
    expect(quiet.reports).toEqual([]);
    expect(quiet.stats.timerCalls).toBeGreaterThan(0);
  });

  it('names a global by its C name, and a word inside a global structure or array by member or element', async () => {
    // A static two-counter structure (the optimizer splits it into one global per member: DWARF
    // pieces) and an array; the DPC adds to one word of each, the watchdog resets them.
    const source = text
      .replace(STATS_TYPE, `${STATS_TYPE}static struct { LONG Spare; LONG Hits; } ContosoPair;\nLONG ContosoRing[4];\n`)
      .replace(
        DPC_BODY,
        `${DPC_BODY}    ContosoPair.Hits += 1;\n    ContosoPair.Spare -= 1;\n    ContosoRing[2] += 1;\n`,
      )
      .replace(
        WATCHDOG_BODY,
        `${WATCHDOG_BODY}    ContosoPair.Hits = 0;\n    ContosoPair.Spare = 0;\n    ContosoRing[2] = 0;\n`,
      );
    const result = await runOf(source);
    expect(result.reports.map((r) => [r.rule, r.subject]).sort()).toEqual([
      ['DPC-SHARED-RACE', 'ContosoPair.Hits'],
      ['DPC-SHARED-RACE', 'ContosoPair.Spare'],
      ['DPC-SHARED-RACE', 'ContosoRing[2]'],
    ]);
  });

  it("an interlocked update of freed pool memory is POOL-USE-AFTER-FREE at the driver's line", async () => {
    const code =
      "    { LONG *counter = NdisAllocateMemoryWithTagPriority(NdisMiniportHandle, sizeof(LONG), 'tnuC', NormalPoolPriority); NdisFreeMemory(counter, sizeof(LONG), 0); (VOID) InterlockedIncrement(counter); }";
    const source = withInInitialize(code);
    const result = run(defineCMiniport(await load({ files: [SOURCE], text: source, instrumentAccesses: true })));
    expect(result.bugCheck?.rule).toBe('POOL-USE-AFTER-FREE');
    expect(result.bugCheck?.message).toMatch(/^interlocked update of 4 bytes at 0x[0-9a-f]+: /);
    expect(top(result.bugCheck)).toMatchObject({ file: SOURCE, line: lineOfInserted(source, code) });
  });

  it("each argument is evaluated once, as in a call, and the result is the function's", async () => {
    // A driver-visible effect in DriverEntry-time code: the macro must not evaluate its target twice.
    const code =
      '    { LONG values[2] = { 5, 7 }; LONG *p = values; LONG r = InterlockedExchangeAdd(p++, 10); if (r != 5 || p != values + 1 || values[0] != 15 || InterlockedCompareExchange(&values[1], 1, 7) != 7 || values[1] != 1) { NdisFreeMemory(adapter, sizeof(*adapter), 0); return NDIS_STATUS_FAILURE; } }';
    const source = withInInitialize(code);
    const result = run(defineCMiniport(await load({ files: [SOURCE], text: source, instrumentAccesses: true })));
    expect(result.reports).toEqual([]);
    expect(result.halted).toBe(true);
  });
});

describe('unwinding', () => {
  it('a bug check inside an import unwinds the C frames; the next run starts from a fresh instance', async () => {
    const broken = defineCMiniport(await load({ files: ['examples/c/broken/lock-at-dirql.c'] }));
    const sim = createSimulation({ seed: 1, device: new E1000Nic() });
    const first = sim.run(broken, { ticks: 20_000 });
    const second = sim.run(broken, { ticks: 20_000 });
    expect(first.bugCheck?.rule).toBe('MAY-CALL');
    expect(second.bugCheck).toEqual(first.bugCheck);
    const clean = sim.run(defineCMiniport(await load({ files: [SOURCE] })), { ticks: 20_000 });
    expect(clean.reports).toEqual([]);
    expect(clean.halted).toBe(true);
  });

  it('collect mode records a survivable report once, counts its repeats, and runs to halt', async () => {
    const definition = defineCMiniport(
      await load({ files: ['examples/c/broken/pool-overrun.c'], instrumentAccesses: true }),
    );
    const result = run(definition, 'collect');
    expect(result.halted).toBe(true);
    const overrun = result.reports.filter((r) => r.rule === 'POOL-OVERRUN');
    expect(overrun).toHaveLength(1);
    expect(overrun[0]!.occurrences).toBeGreaterThan(1);
  });
});
