/**
 * C drivers on the harness, against baselines measured in the same run:
 *
 * - Compiling: the first compile in this process (the toolchain loads: the cold figure), a second
 *   compile of other sources without the cache (warm), and a cache hit.
 * - The NdisMSynchronizeWithInterruptEx round trip from C (bench/c/synchronize.c) against the
 *   TypeScript bench driver of sim.bench.ts, verifier on: at most 2×.
 * - Interrupts end to end, verifier on: the C e1000 line driver against the TypeScript one
 *   (examples/e1000-line.ts): at least 0.5× its rate; the access-instrumented C build (what
 *   `ddikit simulate` runs, so races on driver memory are seen) against the plain one.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { buildOptionsFor, compileDriver, diskCache, type ModuleCache } from '@ddikit/cc';
import { createSimulation, E1000Nic, type MiniportDefinition } from '@ddikit/sim';
import { CDriverModule, defineCMiniport, harnessHeaderPath } from '@ddikit/sim-c';
import e1000Line from '../examples/e1000-line.js';
import { compare, type Result, scaled } from './harness.js';
import { type BenchContext, CALLS, synchronizeDriver } from './sim.bench.js';

const header = readFileSync(harnessHeaderPath(), 'utf8');
const SYNC = 'bench/c/synchronize.c';
const E1000 = 'examples/c/e1000-line.c';
const ROUNDS = scaled(9, 1);
const E2E_TICKS = scaled(1_000_000, 10_000);

function source(path: string, salt = ''): { path: string; text: string } {
  return { path, text: `${readFileSync(path, 'utf8')}${salt}` };
}

async function compileTimes(): Promise<Result[]> {
  // A salt no earlier run used: both compiles miss every cache.
  const salt = `\n/* bench ${process.pid} ${Date.now()} */\n`;
  const none = { cache: null as ModuleCache | null };
  let started = performance.now();
  await compileDriver([source(E1000, salt)], header, buildOptionsFor(header, none));
  const cold = performance.now() - started;
  started = performance.now();
  await compileDriver([source(E1000, `${salt} `)], header, buildOptionsFor(header, none));
  const warm = performance.now() - started;
  const cache = diskCache();
  await compileDriver([source(E1000)], header, buildOptionsFor(header, { cache }));
  started = performance.now();
  const hit = await compileDriver([source(E1000)], header, buildOptionsFor(header, { cache }));
  const cached = performance.now() - started;
  if (!hit.cached) throw new Error('the second build of the same sources missed the cache');
  const b = 'C compile (e1000-line.c, -O2 -g, UBSan, x64 pass)';
  return [
    {
      bench: b,
      metric: 'cold: first compile in the process, toolchain load included',
      value: cold,
      unit: 'ms',
      target: '-',
      met: true,
    },
    { bench: b, metric: 'warm: another compile, no cache', value: warm, unit: 'ms', target: '-', met: true },
    { bench: b, metric: 'cache hit', value: cached, unit: 'ms', target: '-', met: true },
    { bench: b, metric: 'warm / cache hit', value: warm / cached, unit: '×', target: '-', met: true },
  ];
}

async function load(
  path: string,
  instrumentAccesses: boolean,
  defines?: Record<string, number>,
): Promise<MiniportDefinition> {
  const built = await compileDriver(
    [source(path)],
    header,
    buildOptionsFor(header, { cache: diskCache(), instrumentAccesses, defines }),
  );
  return defineCMiniport(new CDriverModule(built.wasm));
}

async function synchronizeRoundTrip(): Promise<Result[]> {
  // synchronize.c makes 200,000 calls, as many as the TypeScript driver, unless CALLS is defined:
  // quick mode defines it to the TypeScript driver's smaller count.
  const c = await load(SYNC, false, scaled<Record<string, number> | undefined>(undefined, { CALLS }));
  const ts = synchronizeDriver({ count: 0 } satisfies BenchContext);
  const runner = (driver: MiniportDefinition): (() => void) => {
    const sim = createSimulation({
      seed: 1,
      device: new E1000Nic({ rxArrivalGapTicksMax: 0 }),
      interrupt: { irql: 5 },
    });
    return () => {
      const result = sim.run(driver, { ticks: 0 });
      if (!result.clean || result.stats.synchronizeCalls !== CALLS)
        throw new Error(`${driver.name}: the synchronize bench run was not clean`);
    };
  };
  const [cRun, tsRun] = compare({ name: 'C', run: runner(c) }, { name: 'TypeScript', run: runner(ts) }, ROUNDS);
  const ns = (ms: number): number => (ms * 1e6) / CALLS;
  const ratio = cRun.medianMs / tsRun.medianMs;
  const b = 'synchronize round trip from C, verifier on';
  return [
    { bench: b, metric: 'C, ns per round trip', value: ns(cRun.medianMs), unit: 'ns', target: '-', met: true },
    {
      bench: b,
      metric: 'TypeScript, ns per round trip',
      value: ns(tsRun.medianMs),
      unit: 'ns',
      target: '-',
      met: true,
    },
    { bench: b, metric: 'C / TypeScript', value: ratio, unit: '×', target: '≤ 2×', met: ratio <= 2 },
  ];
}

async function interruptsEndToEnd(): Promise<Result[]> {
  const plain = await load(E1000, false);
  const instrumented = await load(E1000, true);
  const counts = new Map<string, number>();
  const runner = (name: string, driver: MiniportDefinition): { name: string; run: () => void } => ({
    name,
    run: () => {
      const result = createSimulation({ seed: 1, device: new E1000Nic() }).run(driver, { ticks: E2E_TICKS });
      if (!result.clean) throw new Error(`${name}: the end-to-end run was not clean`);
      counts.set(name, result.stats.interrupts);
    },
  });
  const [cPlain, ts] = compare(runner('C', plain), runner('TypeScript', e1000Line), ROUNDS);
  const [cInstrumented, cPlain2] = compare(runner('C instrumented', instrumented), runner('C', plain), ROUNDS);
  const rate = (m: { name: string; medianMs: number }): number => counts.get(m.name)! / (m.medianMs / 1000);
  const cRate = rate(cPlain);
  const tsRate = rate(ts);
  const b = 'e1000 line interrupts end to end, verifier on';
  return [
    { bench: b, metric: 'C, interrupts/s', value: cRate, unit: '/s', target: '-', met: true },
    { bench: b, metric: 'TypeScript, interrupts/s', value: tsRate, unit: '/s', target: '-', met: true },
    {
      bench: b,
      metric: 'C / TypeScript rate',
      value: cRate / tsRate,
      unit: '×',
      target: '≥ 0.5×',
      met: cRate / tsRate >= 0.5,
    },
    {
      bench: b,
      metric: 'C access-instrumented / plain time',
      value: cInstrumented.medianMs / cPlain2.medianMs,
      unit: '×',
      target: '-',
      met: true,
    },
  ];
}

export async function benchC(): Promise<Result[]> {
  return [...(await compileTimes()), ...(await synchronizeRoundTrip()), ...(await interruptsEndToEnd())];
}
