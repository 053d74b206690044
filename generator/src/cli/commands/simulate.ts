/**
 * `ddikit simulate <driver module>`: loads a miniport written against @ddikit/ndis (TypeScript or
 * JavaScript, through tsx), runs it on the simulated e1000 NIC of @ddikit/sim for one or more seeds,
 * and prints what the verifier found — the reports as text laid out like a debugger's bug-check
 * analysis, or JSON. Exit codes: 0 every run clean, 1 violations (warnings included) or a run that
 * failed, 2 usage errors (bad flags, a module that cannot be found or loaded, no miniport export).
 *
 * Loading the module and finding its harness are shared with `ddikit explore` (driver-module.ts).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { MessagePort } from 'node:worker_threads';
import type * as SimModule from '@ddikit/sim';
import type {
  E1000Nic,
  FaultOptions,
  LateCall,
  MiniportDefinition,
  Report,
  RunProbe,
  RunOptions,
  RunResult,
  Simulation,
  SimulationOptions,
} from '@ddikit/sim';
import type { CliIo } from '../io.js';
import { firstLines, plural, progress } from '../print.js';
import { writeTimelinePage, type TimelinePage } from '../timeline-page.js';
import {
  DriverUsageError,
  driverInteger,
  exportOption,
  missingExport,
  modulePositional,
  poolStartsWithLoad,
  usageError,
  withDriverModule,
  type DriverModule,
} from './driver-module.js';
import { DriverPool, servePool, type ChunkSizes, workersOption } from './driver-pool.js';
import { maxMemoryOption, runInWorker, WATCHDOG_SECONDS_DEFAULT } from './driver-run.js';
import type { ThreadHooks } from './driver-worker-types.js';
import {
  disabledRules,
  faultList,
  optionValues,
  optionsSynopsis,
  optionsUsage,
  parseArgsOptions,
  defineOption,
} from './run-options.js';
import { lateCallText, settleSince, timersMade } from './settle.js';
import { WatchProbe } from './watch-probe.js';

/** The usage text of the command, in the layout of `ddikit --help`. */
export const simulateUsage = `  ddikit simulate MODULE ${optionsSynopsis('simulate', '                  ')}
      Run a miniport driver MODULE (.ts or .js whose default export is made with defineMiniport
      of @ddikit/sim, or the driver's C sources, .c) on the simulated e1000 NIC with every IRQL
      contract and role checked, and
      print the verifier's reports. Exit 0 when every run is clean, 1 on any report (warnings too).
      --seeds N --workers M runs the seeds on M threads; the output is the same, in the same order.
${optionsUsage('simulate')}`;

/** What `ddikit simulate` runs with when no flag says otherwise. */
export const simulateDefaults = {
  seed: 1,
  seeds: 1,
  ticks: 100_000,
  processors: 2,
  sharedLinePerMille: 10,
  rxQueues: 1,
} as const;

/** Most seeds one invocation runs. */
const SEEDS_MAX = 100_000;

/** What the command line asked for, checked. */
interface SimulateRequest {
  /** The command line as given (the replay command of a seed is made from it). */
  readonly args: readonly string[];
  readonly modulePath: string;
  readonly exportName: string;
  readonly seed: number;
  readonly seeds: number;
  readonly ticks: number;
  readonly mode: 'bugcheck' | 'collect';
  readonly json: boolean;
  readonly processors: number;
  readonly interrupt: 'msix' | 'line';
  readonly messages: number | null;
  readonly rxQueues: 1 | 2;
  readonly sharedLinePerMille: number;
  readonly isrEarly: boolean;
  readonly linkChanges: boolean;
  readonly surpriseRemoveAtTick: number | null;
  /** Where to write the HTML timeline, or null. */
  readonly timeline: string | null;
  readonly watchdogSeconds: number;
  /** --max-memory in megabytes; null: the default. */
  readonly maxMemoryMb: number | null;
  /** Fault names as given (`all` included). */
  readonly faults: readonly string[];
  /** --define: macros for a C driver's sources. */
  readonly defines: Readonly<Record<string, string>>;
  /** Rule ids not to check (--disable), as given. */
  readonly disable: readonly string[];
  /** Worker threads the seeds are spread over (1: this thread). */
  readonly workers: number;
}

/** `ddikit simulate …`; `args` are the arguments after `simulate`. The runs go to a watched worker thread. */
export async function runSimulate(args: readonly string[], io: CliIo): Promise<number> {
  let request: SimulateRequest;
  try {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`Usage:\n${simulateUsage}`);
      return 0;
    }
    request = parseRequest(args);
  } catch (error) {
    return usageError('simulate', error, io);
  }
  return runInWorker(
    {
      command: 'simulate',
      args,
      watchdogSeconds: request.watchdogSeconds,
      json: request.json,
      progress: false,
      maxMemoryMb: request.maxMemoryMb,
    },
    io,
  );
}

/** The runs themselves, in the worker thread (driver-worker.ts); `buffer` is the watch probe's memory. */
export async function simulateInThread(
  args: readonly string[],
  io: CliIo,
  buffer: SharedArrayBuffer,
  hooks: ThreadHooks,
): Promise<number> {
  let pool: DriverPool<number, SeedRun> | null = null;
  let json = false;
  try {
    const request = parseRequest(args);
    json = request.json;
    const probe = new WatchProbe(buffer, (seed) => replayCommand(args, seed));
    const workers = Math.min(request.workers, request.seeds);
    // This thread is one of the workers; the others start while it loads the driver, or after a C one.
    const startPool = (): DriverPool<number, SeedRun> =>
      new DriverPool('simulate', args, workers - 1, CHUNK_SEEDS, io, hooks);
    const poolFirst = poolStartsWithLoad(request.modulePath);
    if (workers > 1 && poolFirst) pool = startPool();
    return await withDriverModule(
      'simulate',
      request.modulePath,
      io.cwd,
      async (module) => {
        if (workers > 1 && !poolFirst) pool = startPool();
        probe.loaded();
        const driver = pickDriver(module, request.exportName);
        const runs =
          pool === null
            ? await runSeeds(module.sim, driver, request, request.seed, request.seeds, probe)
            : await runSeedsWith(pool, module.sim, driver, request, probe);
        return report(module.sim, driver, request, module.display, io, runs, probe);
      },
      io.stderr,
      request.defines,
    );
  } catch (error) {
    return usageError('simulate', error, io, json);
  } finally {
    await pool?.close();
  }
}

/** The seeds run by the pool's threads and this one, each a chunk at a time as runSeeds runs them. */
async function runSeedsWith(
  pool: DriverPool<number, SeedRun>,
  sim: typeof SimModule,
  driver: MiniportDefinition,
  request: SimulateRequest,
  probe: WatchProbe,
): Promise<SeedRun[]> {
  const runHere = (seeds: readonly number[]): Promise<SeedRun[]> =>
    runSeeds(sim, driver, request, seeds[0]!, seeds.length, probe);
  const seeds = Array.from({ length: request.seeds }, (_, i) => request.seed + i);
  const { results: runs } = await pool.run({ jobs: seeds, runHere }, probe);
  await pool.close();
  return runs;
}

/** A pool worker of `--workers M` (driver-pool.ts): runs the seeds it is handed, as the single thread runs them. */
export async function simulatePoolWorker(
  args: readonly string[],
  io: CliIo,
  buffer: SharedArrayBuffer,
  port: MessagePort,
): Promise<number> {
  try {
    const request = parseRequest(args);
    const probe = new WatchProbe(buffer, (seed) => replayCommand(args, seed));
    return await withDriverModule(
      'simulate',
      request.modulePath,
      io.cwd,
      (module) => {
        probe.loaded();
        probe.waiting();
        const driver = pickDriver(module, request.exportName);
        return servePool<number, SeedRun>(port, async (seeds) => {
          probe.running();
          const runs = await runSeeds(module.sim, driver, request, seeds[0]!, seeds.length, probe);
          probe.waiting();
          return runs;
        });
      },
      undefined,
      request.defines,
    );
  } catch (error) {
    return usageError('simulate', error, io);
  }
}

/**
 * The chunks the seeds are cut into for `--workers M`: a seed of the examples takes about 10 ms, so
 * 1 to 16 seeds is 10 to 160 ms — each chunk a pool thread runs also lets what the drivers left
 * behind run, for late calls (settle.ts). Measured on two shared cores (`npm run bench -- parallel`, 512 seeds, about
 * 50 chunks): the command's thread waited 3–9 ms in all; the pool thread was ready about 0.5 s after
 * the command's thread had loaded the driver, and its first chunk ran slower while its code warmed
 * up. 2 workers / 1 went from 1.21–1.23× to 1.30–1.45× (once 1.71×) at load averages of 2.0–3.1;
 * with 2,048 seeds, where those start-up costs weigh little, it was 2.0×.
 */
const CHUNK_SEEDS: ChunkSizes = { min: 1, max: 16 };

/** The command that runs one seed again: the same flags, that seed alone. */
function replayCommand(args: readonly string[], seed: number): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.split('=')[0]!;
    if (name === '--json') continue;
    if (name === '--seed' || name === '--seeds' || name === '--timeline' || name === '--workers') {
      if (!arg.includes('=')) i++;
      continue;
    }
    kept.push(quoteArg(arg));
  }
  return ['ddikit simulate', ...kept, `--seed ${seed}`].join(' ');
}

function quoteArg(text: string): string {
  return /^[\w./@:+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The miniport export; DriverUsageError saying why when there is none. */
function pickDriver(module: DriverModule, exportName: string): MiniportDefinition {
  const missing = missingExport(module, exportName);
  if (missing !== null) throw new DriverUsageError(missing);
  const value = module.exports[exportName];
  if (!module.sim.isMiniportDefinition(value)) {
    const what = exportName === 'default' ? 'the default export' : `the export ${JSON.stringify(exportName)}`;
    throw new DriverUsageError(
      `${module.display}: ${what} is ${describe(value)}, not a miniport made with defineMiniport of @ddikit/sim.`,
    );
  }
  return value;
}

interface SeedRun {
  readonly result: RunResult | null;
  /** Ticks at which the NIC had more events due than its per-tick bound (they ran a tick later). */
  readonly nicEventBoundHits: number;
  /** The traced simulation of the timeline's run (made again for it: null for the runs of the seeds). */
  readonly simulation: Simulation | null;
  /** A run that could not finish (the driver threw, the simulation failed). */
  readonly failure: string | null;
}

/**
 * How many seeds run before the timers and promises their drivers left behind are let run (a pool
 * thread's largest chunk). Only those seeds' simulations are kept meanwhile, so memory stays flat
 * however many seeds run: keeping every seed's simulation to the end took about 0.7 MB a seed (820 MB
 * for 1,000 seeds of the e1000 example).
 */
const SEEDS_SETTLED_TOGETHER = CHUNK_SEEDS.max;

/**
 * Runs `count` seeds from `first` on, SEEDS_SETTLED_TOGETHER at a time, each time letting what the
 * drivers left on timers run: their DDI calls are late calls. No run is traced: the timeline's run
 * is made again (a run is the same for its seed), so a run's output never depends on the chunk or the
 * thread it ran in.
 */
async function runSeeds(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  request: SimulateRequest,
  first: number,
  count: number,
  probe: WatchProbe,
): Promise<SeedRun[]> {
  const runs: SeedRun[] = [];
  for (let from = first; from < first + count; from += SEEDS_SETTLED_TOGETHER) {
    const simulations: Simulation[] = [];
    const ran: SeedRun[] = [];
    const mark = timersMade();
    for (let seed = from; seed < Math.min(from + SEEDS_SETTLED_TOGETHER, first + count); seed++) {
      const { run, simulation } = runSeed(sim, driver, request, seed, probe, false);
      ran.push(run);
      simulations.push(simulation);
    }
    // Let timers and promises the drivers left behind run: a DDI they call is a late call of its run.
    await settleSince(mark, probe);
    ran.forEach((run, i) => runs.push(withLateCalls(sim, run, simulations[i]!)));
  }
  return runs;
}

/** A run with the DDI calls its driver made after it ended (from timers, promises) as its failure. */
function withLateCalls(sim: typeof SimModule, run: SeedRun, simulation: Simulation): SeedRun {
  if (simulation.lateCalls.length === 0) return run;
  const late = lateText(sim, simulation.lateCalls);
  return { ...run, failure: run.failure === null ? late : `${run.failure}; ${late}` };
}

function runSeed(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  request: SimulateRequest,
  seed: number,
  probe: RunProbe,
  trace: boolean,
): { run: SeedRun; simulation: Simulation } {
  const options = simulationOptions(sim, request, seed);
  const simulation = sim.createSimulation({ ...options, probe, ...(trace ? { trace: true } : {}) });
  probe.run(seed, null);
  try {
    let result = simulation.run(driver, runOptionsOf(request, request.ticks));
    if (result.reports.some((r) => r.rule === 'LOCK-LEAK'))
      result = withLockSites(sim, driver, request, seed, probe, result);
    return {
      run: {
        result,
        nicEventBoundHits: options.device.stats.eventBoundHits,
        simulation: trace ? simulation : null,
        failure: null,
      },
      simulation,
    };
  } catch (error) {
    if (!(error instanceof sim.SimulationError)) throw error;
    return { run: { result: null, nicEventBoundHits: 0, simulation: null, failure: firstLines(error) }, simulation };
  }
}

/** What a seed's run is run with: `ticks`, and the surprise removal --surprise-remove asks for. */
function runOptionsOf(request: SimulateRequest, ticks: number): RunOptions {
  return {
    ticks,
    ...(request.surpriseRemoveAtTick !== null ? { surpriseRemoveAtTick: request.surpriseRemoveAtTick } : {}),
  };
}

/**
 * A run that leaked a spin lock, with its LOCK-LEAK reports naming the line of each acquire: the
 * seed runs again, up to the last leak, with the acquires' lines kept (the lockSites option: a stack
 * capture per acquire, too dear for every run), and each leak found again there (the same function,
 * lock and tick) gives its message to the first run's report. Everything else is the first run's. A
 * run again that throws leaves the first as it was. What the driver prints meanwhile is dropped:
 * it printed it the first time.
 */
function withLockSites(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  request: SimulateRequest,
  seed: number,
  probe: RunProbe,
  first: RunResult,
): RunResult {
  const leaks = first.reports.filter((r) => r.rule === 'LOCK-LEAK');
  const lastTick = Math.max(...leaks.map((r) => r.tick));
  const { stdout, stderr } = process;
  const writeOut = stdout.write;
  const writeErr = stderr.write;
  const dropped = ((_chunk: unknown, ...rest: unknown[]): boolean => {
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (done !== undefined) queueMicrotask(done);
    return true;
  }) as typeof stdout.write;
  let again: RunResult;
  try {
    stdout.write = dropped;
    stderr.write = dropped;
    probe.run(seed, null);
    again = sim
      .createSimulation({ ...simulationOptions(sim, request, seed), probe, lockSites: true })
      .run(driver, runOptionsOf(request, Math.min(request.ticks, lastTick + 1)));
  } catch {
    return first;
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
  const sited = again.reports.filter((r) => r.rule === 'LOCK-LEAK');
  const reports = first.reports.map((report) => {
    if (report.rule !== 'LOCK-LEAK') return report;
    const same = sited.find(
      (r) => r.tick === report.tick && r.function === report.function && r.subject === report.subject,
    );
    return same === undefined ? report : { ...report, message: same.message };
  });
  return { ...first, reports };
}

/** Prints the runs (and writes the timeline); the exit code. */
function report(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  request: SimulateRequest,
  display: string,
  io: CliIo,
  runs: readonly SeedRun[],
  probe: RunProbe,
): number {
  const clean = runs.every((run) => run.result !== null && run.result.clean && run.failure === null);
  const page = request.timeline !== null ? writeTimeline(sim, driver, display, request, runs, io, probe) : null;
  const timeline = page?.shown ?? null;
  if (request.json)
    io.stdout(
      `${JSON.stringify({ ...jsonReport(driver, display, request, runs, clean), ...(timeline !== null ? { timeline } : {}) }, null, 2)}\n`,
    );
  else
    io.stdout(
      `${textReport(sim, driver, display, request, runs, clean)}${timeline !== null ? `Timeline: ${timeline}\n` : ''}${request.timeline !== null && page === null ? 'No timeline written: a timeline draws a run that finished, and every run here failed before its end.\n' : ''}`,
    );
  return clean && page?.failed !== true ? 0 : 1;
}

function lateText(sim: typeof SimModule, calls: readonly LateCall[]): string {
  return lateCallText(sim, sim.lateCallInfo(calls));
}

/** Writes the timeline of the first run with findings (else the first run); null when there is none to write. */
function writeTimeline(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  display: string,
  request: SimulateRequest,
  runs: readonly SeedRun[],
  io: CliIo,
  probe: RunProbe,
): TimelinePage | null {
  const found = runs.find((run) => run.result !== null && !run.result.clean) ?? runs.find((run) => run.result !== null);
  if (found === undefined || found.result === null) return null;
  // The run is made again, with the trace on (a run is the same for its seed).
  const chosen = runSeed(sim, driver, request, found.result.seed, probe, true).run;
  if (chosen.result === null || chosen.simulation === null || !chosen.simulation.trace) return null;
  const path = resolve(io.cwd, request.timeline!);
  const html = sim.renderTimeline(chosen.simulation.trace.snapshot(chosen.result.tick), chosen.result.reports, {
    title: `${driver.name} — ddikit simulate`,
    subtitle: [`${display}: ${settingsLine({ ...request, seed: chosen.result.seed, seeds: 1 })}`],
    reportLocations: chosen.result.reportLocations,
  });
  return writeTimelinePage(path, html, io);
}

function simulationOptions(
  sim: typeof SimModule,
  request: SimulateRequest,
  seed: number,
): SimulationOptions & { readonly device: E1000Nic } {
  const linkChanges = request.linkChanges || request.faults.includes(sim.ALL_FAULTS);
  const device = new sim.E1000Nic({
    rxQueueCount: request.rxQueues,
    ...(linkChanges ? { linkChangeGapTicksMin: 2_000, linkChangeGapTicksMax: 20_000 } : {}),
  });
  let faults: FaultOptions | undefined;
  try {
    faults = request.faults.length > 0 ? sim.faultsFromNames(request.faults) : undefined;
  } catch (error) {
    throw new DriverUsageError(`--faults: ${(error as Error).message}.`);
  }
  return {
    seed,
    device,
    mode: request.mode,
    processors: request.processors,
    ...(faults !== undefined ? { faults } : {}),
    ...(request.disable.length > 0 ? { disabledRules: disabledRules(request.disable, sim.RULE_IDS) } : {}),
    // A race report names the line of each access, a TypeScript driver's too.
    races: { sources: true },
    interrupt: {
      grantLineToMsiDriver: request.interrupt === 'line',
      isrBeforeRegisterReturns: request.isrEarly,
      sharedLinePerMille: request.sharedLinePerMille,
      ...(request.messages !== null ? { messageCountMax: request.messages } : {}),
    },
  };
}

// ---- output -----------------------------------------------------------------------------------------

function textReport(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  display: string,
  request: SimulateRequest,
  runs: readonly SeedRun[],
  clean: boolean,
): string {
  const out: string[] = [];
  out.push(`ddikit simulate: ${driver.name} (${display})`);
  out.push(`${settingsLine(request)}\n`);
  let detailed = false;
  // The first seed with findings gets the command that runs it alone again.
  let replayed = false;
  const replay = (seed: number): void => {
    if (replayed) return;
    replayed = true;
    out.push(`Replay: ${replayCommand(request.args, seed)}`);
  };
  for (const run of runs) {
    const { result } = run;
    if (result === null) {
      const seed = seedOf(runs, run, request);
      out.push(`seed=${seed}: the run failed: ${run.failure}`);
      replay(seed);
      continue;
    }
    if (run.failure !== null) {
      out.push(`seed=${result.seed}: ${run.failure}`);
      if (result.clean) {
        replay(result.seed);
        continue;
      }
    }
    if (result.clean) {
      out.push(
        `seed=${result.seed} tick=${result.tick}: clean — ${initializeText(result)}${statsText(result)}${boundText(run.nicEventBoundHits)}`,
      );
      continue;
    }
    // Every report of the first run with findings in full; later runs in a line each.
    if (!detailed) {
      detailed = true;
      for (const [i, report] of result.reports.entries()) {
        out.push(sim.formatReportText(report));
        const location = result.reportLocations[i] ?? null;
        if (location !== null) out.push(`DRIVER CALL:  ${location}\n`);
      }
    }
    out.push(`seed=${result.seed} tick=${result.tick}: ${findingsText(result)}`);
    replay(result.seed);
  }
  const failed = runs.filter((run) => run.result === null || !run.result.clean || run.failure !== null).length;
  out.push('');
  if (runs.length > 1) {
    out.push(
      clean
        ? `${runs.length} runs, all clean.`
        : `${runs.length} runs: ${runs.length - failed} clean, ${failed} with findings.`,
    );
  } else {
    out.push(clean ? 'No violations.' : 'Violations found.');
  }
  const notStarted = neverStarted(runs);
  if (notStarted > 0) {
    const which =
      runs.length === 1 ? 'the run' : notStarted === runs.length ? 'every run' : `${notStarted} of the runs`;
    out.push(
      `But the adapter never started in ${which}: MiniportInitializeEx failed, so nothing of the driver ran after it there.`,
    );
    const all = request.faults.includes('all');
    if (all || request.faults.includes('line-for-msi'))
      out.push(
        `  The line-for-msi fault${all ? ', one of --faults all,' : ''} has NDIS grant a line interrupt to a driver that supports MSI:\n  a driver that handles only messages cannot start then. Name the other faults to test the rest.`,
      );
  }
  const quiet = quietNicText(runs);
  if (quiet !== null) out.push(quiet);
  return `${out.join('\n')}\n`;
}

/**
 * Clean runs of an adapter that started, where no DPC ran in any of them: "all clean" then says
 * little, for the ISR and the DPC were hardly exercised. Says why: no interrupt was registered; or
 * the NIC raised nothing of its own (nothing unmasked, or nothing happened: the receiver off, no link
 * change); or the ISR queued no DPC for what it raised. Null otherwise.
 */
function quietNicText(runs: readonly SeedRun[]): string | null {
  const started = runs.flatMap((run) => {
    const result = run.result;
    return run.failure === null && result !== null && result.clean && result.initializeStatus === 0 ? [result] : [];
  });
  if (started.length === 0 || started.length !== runs.length || started.some((result) => result.stats.dpcs > 0))
    return null;
  const which = runs.length === 1 ? 'the run' : 'any run';
  if (started.every((result) => result.interrupt.granted === null))
    return `But no interrupt was registered in ${which}: MiniportInitializeEx never called NdisMRegisterInterruptEx, so no ISR or DPC of the driver ran.`;
  if (started.some((result) => result.interrupt.granted === null)) return null;
  const own = started.reduce((sum, result) => sum + result.stats.interrupts - result.stats.spuriousInterrupts, 0);
  if (own > 0) return `But no DPC ran in ${which}: the ISR queued none for the NIC's ${plural(own, 'interrupt')}.`;
  const others = started.reduce((sum, result) => sum + result.stats.spuriousInterrupts, 0);
  return [
    others > 0
      ? `But no DPC ran in ${which}: the NIC raised no interrupt of its own, so the ISR ran only for another device's (${plural(others, 'interrupt')} on the shared line) and the DPC never ran.`
      : `But no DPC ran in ${which}: the NIC raised no interrupt of its own, so neither the ISR nor the DPC ran.`,
    '  The NIC raises a cause once the driver unmasks it (IMS) and it happens: frames arrive only with the',
    '  receiver on (RCTL.EN) and a receive ring to fill, link changes with --link-changes.',
  ].join('\n');
}

/** Runs that broke no rule but whose MiniportInitializeEx failed: the adapter never started, little of the driver ran. */
function neverStarted(runs: readonly SeedRun[]): number {
  return runs.filter((run) => {
    const status = run.result?.initializeStatus ?? null;
    return run.failure === null && run.result?.clean === true && status !== null && status !== 0;
  }).length;
}

function settingsLine(request: SimulateRequest): string {
  const seeds =
    request.seeds === 1 ? `seed=${request.seed}` : `seeds=${request.seed}..${request.seed + request.seeds - 1}`;
  const parts = [
    seeds,
    `ticks=${request.ticks}`,
    `mode=${request.mode}`,
    `processors=${request.processors}`,
    `grant=${request.interrupt === 'msix' ? 'msix-if-supported' : 'line'}`,
    ...(request.messages !== null ? [`messages≤${request.messages}`] : []),
    `rx-queues=${request.rxQueues}`,
    `shared-line=${request.sharedLinePerMille}‰`,
    ...(request.isrEarly ? ['isr-early'] : []),
    ...(request.linkChanges ? ['link-changes'] : []),
    ...(request.surpriseRemoveAtTick !== null ? [`surprise-remove=${request.surpriseRemoveAtTick}`] : []),
    ...(request.faults.length > 0 ? [`faults=${request.faults.join(',')}`] : []),
    ...(request.disable.length > 0 ? [`disabled=${request.disable.join(',')}`] : []),
  ];
  return parts.join(' ');
}

/** Says when the NIC's bound on events per tick was reached (nothing was lost: the rest ran a tick later). */
function boundText(hits: number): string {
  return hits > 0
    ? `; the NIC reached its bound on events per tick ${plural(hits, 'time')} (the rest ran a tick later)`
    : '';
}

/**
 * A run whose MiniportInitializeEx failed breaks no rule (failing is allowed), but nothing of the
 * driver ran after it: say so before the counts, which would otherwise read as a quiet run.
 */
function initializeText(result: RunResult): string {
  const status = result.initializeStatus;
  if (status === null || status === 0) return '';
  return `MiniportInitializeEx failed with status 0x${(status >>> 0).toString(16).toUpperCase().padStart(8, '0')}, so the adapter never started; `;
}

function statsText(result: RunResult): string {
  const s = result.stats;
  const shared = s.spuriousInterrupts > 0 ? ` (${s.spuriousInterrupts} raised by another device)` : '';
  // Frames first: a driver that breaks no rule but loses traffic shows it here.
  const frames =
    s.frames === null ? '' : `${s.frames.received} frames received, ${s.frames.sent} sent, ${s.frames.missed} missed; `;
  return `${frames}${s.interrupts} interrupts${shared}, ${s.dpcs} DPCs, ${s.synchronizeCalls} synchronize calls, ${s.roleCalls} role calls, ${s.registerReads} register reads, ${s.registerWrites} writes${timersText(result)}`;
}

/**
 * Timer functions run, when the driver set a timer; a timer set that never expired in the run is
 * said plainly (a short run hides what the timer function would do).
 */
export function timersText(result: RunResult): string {
  const s = result.stats;
  if (s.timersSet === 0) return '';
  if (s.timerCalls > 0) return `, ${s.timerCalls} timer function${s.timerCalls === 1 ? '' : 's'} run`;
  return `, no timer function run (a timer was set but none expired within the run's ${result.ticksRequested} ticks: raise --ticks)`;
}

function findingsText(result: RunResult): string {
  const counts = `${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}`;
  const list = result.reports
    .map(
      (report) =>
        `${report.rule}${codeText(report)} ${report.subject}${report.function !== null ? ` in ${report.function}` : ''}${report.occurrences > 1 ? ` ×${report.occurrences}` : ''}`,
    )
    .join(', ');
  const stop =
    result.bugCheck !== null ? `; bug check ${hex(result.bugCheck.bugCheck?.code ?? 0)} stopped the run` : '';
  return `${counts} — ${list}${stop}`;
}

function codeText(report: Report): string {
  const check = report.bugCheck;
  return check === null ? ' (warning)' : ` (${hex(check.code)}/${hex(check.parameters[0] ?? 0)})`;
}

function jsonReport(
  driver: MiniportDefinition,
  display: string,
  request: SimulateRequest,
  runs: readonly SeedRun[],
  clean: boolean,
): object {
  return {
    driver: driver.name,
    module: display,
    options: {
      export: request.exportName,
      seed: request.seed,
      seeds: request.seeds,
      ticks: request.ticks,
      mode: request.mode,
      processors: request.processors,
      interrupt: request.interrupt,
      messages: request.messages,
      rxQueues: request.rxQueues,
      sharedLinePerMille: request.sharedLinePerMille,
      isrEarly: request.isrEarly,
      linkChanges: request.linkChanges,
      surpriseRemoveAtTick: request.surpriseRemoveAtTick,
      faults: request.faults,
      disable: request.disable,
    },
    clean,
    runs: runs.map((run) =>
      run.result === null
        ? { seed: seedOf(runs, run, request), clean: false, failure: run.failure }
        : {
            seed: run.result.seed,
            tick: run.result.tick,
            clean: run.result.clean && run.failure === null,
            errors: run.result.errors,
            warnings: run.result.warnings,
            halted: run.result.halted,
            initializeStatus: run.result.initializeStatus,
            bugCheck: run.result.bugCheck?.rule ?? null,
            stats: run.result.stats,
            reports: run.result.reports.map((report, i) => ({
              ...report,
              location: run.result!.reportLocations[i] ?? null,
            })),
            ...(run.failure !== null ? { failure: run.failure } : {}),
          },
    ),
  };
}

function seedOf(runs: readonly SeedRun[], run: SeedRun, request: SimulateRequest): number {
  return request.seed + runs.indexOf(run);
}

// ---- arguments --------------------------------------------------------------------------------------

function parseRequest(args: readonly string[]): SimulateRequest {
  const parsed = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: parseArgsOptions('simulate'),
  });
  const { positionals } = parsed;
  const values = optionValues(parsed.values);
  const modulePath = modulePositional('simulate', positionals, 'examples/e1000-line.ts');
  const mode = values.mode ?? 'bugcheck';
  if (mode !== 'bugcheck' && mode !== 'collect')
    throw new DriverUsageError(`--mode must be bugcheck or collect (got ${JSON.stringify(mode)}).`);
  const interrupt = values.interrupt ?? 'msix';
  if (interrupt !== 'msix' && interrupt !== 'line')
    throw new DriverUsageError(`--interrupt must be msix or line (got ${JSON.stringify(interrupt)}).`);
  const seeds = driverInteger('--seeds', values.seeds, simulateDefaults.seeds, 1, SEEDS_MAX);
  const seed = driverInteger('--seed', values.seed, simulateDefaults.seed, 0, Number.MAX_SAFE_INTEGER - seeds);
  const exportName = exportOption(values.export);
  return {
    args,
    modulePath,
    exportName,
    seed,
    seeds,
    ticks: driverInteger('--ticks', values.ticks, simulateDefaults.ticks, 1, 2 ** 40),
    mode,
    json: values.json === true,
    processors: driverInteger('--processors', values.processors, simulateDefaults.processors, 1, 64),
    interrupt,
    messages: values.messages === undefined ? null : driverInteger('--messages', values.messages, 1, 1, 32),
    rxQueues: driverInteger('--rx-queues', values['rx-queues'], simulateDefaults.rxQueues, 1, 2) as 1 | 2,
    sharedLinePerMille: driverInteger(
      '--shared-line',
      values['shared-line'],
      simulateDefaults.sharedLinePerMille,
      0,
      1000,
    ),
    isrEarly: values['isr-early'] === true,
    linkChanges: values['link-changes'] === true,
    surpriseRemoveAtTick:
      values['surprise-remove'] === undefined
        ? null
        : driverInteger('--surprise-remove', values['surprise-remove'], 0, 0, 2 ** 40),
    timeline: timelineOption(values.timeline),
    watchdogSeconds: driverInteger('--watchdog', values.watchdog, WATCHDOG_SECONDS_DEFAULT, 0, 86_400),
    maxMemoryMb: maxMemoryOption(values['max-memory']),
    faults: faultList(values.faults),
    disable: faultList(values.disable),
    workers: workersOption(values.workers),
    defines: defineOption(parsed.values['define'] as string[] | undefined, (message) => new DriverUsageError(message)),
  };
}

function timelineOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.length === 0 || !/\.html?$/i.test(value))
    throw new DriverUsageError(`--timeline needs a file name ending in .html (got ${JSON.stringify(value)}).`);
  return value;
}

// ---- small helpers ----------------------------------------------------------------------------------

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase()}`;
}
