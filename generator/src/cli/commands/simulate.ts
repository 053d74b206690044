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
import type * as SimModule from '@ddikit/sim';
import type { E1000Nic, MiniportDefinition, Report, RunResult, Simulation, SimulationOptions } from '@ddikit/sim';
import type { CliIo } from '../io.js';
import { firstLines, plural, progress } from '../print.js';
import { writeTimelinePage, type TimelinePage } from '../timeline-page.js';
import {
  DriverUsageError,
  driverInteger,
  exportOption,
  missingExport,
  modulePositional,
  usageError,
  withDriverModule,
  type DriverModule,
} from './driver-module.js';

/** The usage text of the command, in the layout of `ddikit --help`. */
export const simulateUsage = `  ddikit simulate MODULE [--seed N] [--seeds N] [--ticks N] [--mode bugcheck|collect] [--json]
                  [--export NAME] [--processors N] [--interrupt msix|line] [--messages N]
                  [--rx-queues 1|2] [--shared-line PERMILLE] [--isr-early] [--link-changes]
                  [--surprise-remove TICK] [--timeline FILE]
      Run a miniport driver MODULE (.ts or .js whose default export is made with defineMiniport
      of @ddikit/sim) on the simulated e1000 NIC with every IRQL contract and role checked, and
      print the verifier's reports. Exit 0 when every run is clean, 1 on any report.
      --seed N             seed of the run (default 1); every report prints seed= and tick=
      --seeds N            run N seeds from --seed on (default 1)
      --ticks N            simulated time per run, 1 tick = 100 ns (default 100000: 10 ms)
      --mode MODE          bugcheck: stop at the first error (default); collect: each bug once
      --json               print the runs and reports as JSON
      --export NAME        run this named export instead of the default export
      --processors N       simulated processors, 1..64 (default 2)
      --interrupt KIND     msix: grant messages to a driver that supports MSI (default);
                           line: grant a line-based interrupt even then, as NDIS may
      --messages N         grant at most N MSI-X messages (default: the NIC's 5)
      --rx-queues N        RX queues the NIC's traffic source feeds, 1 or 2 (default 1)
      --shared-line N      chance in 1000 per step that another device raises the shared line
                           (default 10; 0 for a line of its own)
      --isr-early          call the ISR once before NdisMRegisterInterruptEx returns, as NDIS may
      --link-changes       let the link go down and up every 0.2 to 2 ms
      --surprise-remove T  pull the NIC off the bus at tick T, then halt
      --timeline FILE      write an offline HTML timeline of the first run with findings (or of
                           the first run): IRQL per processor, ISR/DPC/synchronize spans, lock
                           holds, register accesses, violations linked to their reports
`;

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
}

/** `ddikit simulate …`; `args` are the arguments after `simulate`. */
export async function runSimulate(args: readonly string[], io: CliIo): Promise<number> {
  try {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`Usage:\n${simulateUsage}`);
      return 0;
    }
    const request = parseRequest(args);
    return await withDriverModule('simulate', request.modulePath, io.cwd, (module) => {
      const driver = pickDriver(module, request.exportName);
      return runAll(module.sim, driver, request, module.display, io);
    });
  } catch (error) {
    return usageError('simulate', error, io);
  }
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
  /** The run's trace, when a timeline was asked for. */
  readonly simulation: Simulation | null;
  /** A run that could not finish (the driver threw, the simulation failed). */
  readonly failure: string | null;
}

function runAll(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  request: SimulateRequest,
  display: string,
  io: CliIo,
): number {
  const runs: SeedRun[] = [];
  const status = progress(io, `ddikit simulate ${display}`, request.seeds);
  let findings = 0;
  for (let seed = request.seed; seed < request.seed + request.seeds; seed++) {
    if (runs.length > 0 && runs.at(-1)!.result?.clean !== true) findings++;
    status.step(runs.length, () => `${plural(findings, 'run')} with findings`);
    const options = simulationOptions(sim, request, seed);
    const simulation = sim.createSimulation({ ...options, ...(request.timeline !== null ? { trace: true } : {}) });
    try {
      const result = simulation.run(driver, {
        ticks: request.ticks,
        ...(request.surpriseRemoveAtTick !== null ? { surpriseRemoveAtTick: request.surpriseRemoveAtTick } : {}),
      });
      runs.push({
        result,
        nicEventBoundHits: options.device.stats.eventBoundHits,
        simulation: request.timeline !== null ? simulation : null,
        failure: null,
      });
    } catch (error) {
      runs.push({ result: null, nicEventBoundHits: 0, simulation: null, failure: firstLines(error) });
    }
  }
  status.end();
  const clean = runs.every((run) => run.result !== null && run.result.clean);
  const page = request.timeline !== null ? writeTimeline(sim, driver, display, request, runs, io) : null;
  const timeline = page?.shown ?? null;
  if (request.json)
    io.stdout(
      `${JSON.stringify({ ...jsonReport(driver, display, request, runs, clean), ...(timeline !== null ? { timeline } : {}) }, null, 2)}\n`,
    );
  else
    io.stdout(
      `${textReport(sim, driver, display, request, runs, clean)}${timeline !== null ? `Timeline: ${timeline}\n` : ''}`,
    );
  return clean && page?.failed !== true ? 0 : 1;
}

/** Writes the timeline of the first run with findings (else the first run); null when there is none to write. */
function writeTimeline(
  sim: typeof SimModule,
  driver: MiniportDefinition,
  display: string,
  request: SimulateRequest,
  runs: readonly SeedRun[],
  io: CliIo,
): TimelinePage | null {
  const chosen =
    runs.find((run) => run.result !== null && !run.result.clean) ?? runs.find((run) => run.result !== null);
  if (chosen === undefined || chosen.result === null || chosen.simulation === null || !chosen.simulation.trace)
    return null;
  const path = resolve(io.cwd, request.timeline!);
  const html = sim.renderTimeline(chosen.simulation.trace.snapshot(chosen.result.tick), chosen.result.reports, {
    title: `${driver.name} — ddikit simulate`,
    subtitle: [`${display}: ${settingsLine({ ...request, seed: chosen.result.seed, seeds: 1 })}`],
  });
  return writeTimelinePage(path, html, io);
}

function simulationOptions(
  sim: typeof SimModule,
  request: SimulateRequest,
  seed: number,
): SimulationOptions & { readonly device: E1000Nic } {
  const device = new sim.E1000Nic({
    rxQueueCount: request.rxQueues,
    ...(request.linkChanges ? { linkChangeGapTicksMin: 2_000, linkChangeGapTicksMax: 20_000 } : {}),
  });
  return {
    seed,
    device,
    mode: request.mode,
    processors: request.processors,
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
  for (const run of runs) {
    const { result } = run;
    if (result === null) {
      out.push(`seed=${seedOf(runs, run, request)}: the run failed: ${run.failure}`);
      continue;
    }
    if (result.clean) {
      out.push(
        `seed=${result.seed} tick=${result.tick}: clean — ${statsText(result)}${boundText(run.nicEventBoundHits)}`,
      );
      continue;
    }
    // Every report of the first run with findings in full; later runs in a line each.
    if (!detailed) {
      detailed = true;
      for (const report of result.reports) out.push(sim.formatReportText(report));
    }
    out.push(`seed=${result.seed} tick=${result.tick}: ${findingsText(result)}`);
  }
  const failed = runs.filter((run) => run.result === null || !run.result.clean).length;
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
  return `${out.join('\n')}\n`;
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
  ];
  return parts.join(' ');
}

/** Says when the NIC's bound on events per tick was reached (nothing was lost: the rest ran a tick later). */
function boundText(hits: number): string {
  return hits > 0
    ? `; the NIC reached its bound on events per tick ${plural(hits, 'time')} (the rest ran a tick later)`
    : '';
}

function statsText(result: RunResult): string {
  const s = result.stats;
  const shared = s.spuriousInterrupts > 0 ? ` (${s.spuriousInterrupts} raised by another device)` : '';
  return `${s.interrupts} interrupts${shared}, ${s.dpcs} DPCs, ${s.synchronizeCalls} synchronize calls, ${s.roleCalls} role calls, ${s.registerReads} register reads, ${s.registerWrites} writes`;
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
    },
    clean,
    runs: runs.map((run) =>
      run.result === null
        ? { seed: seedOf(runs, run, request), clean: false, failure: run.failure }
        : {
            seed: run.result.seed,
            tick: run.result.tick,
            clean: run.result.clean,
            errors: run.result.errors,
            warnings: run.result.warnings,
            halted: run.result.halted,
            initializeStatus: run.result.initializeStatus,
            bugCheck: run.result.bugCheck?.rule ?? null,
            stats: run.result.stats,
            reports: run.result.reports,
          },
    ),
  };
}

function seedOf(runs: readonly SeedRun[], run: SeedRun, request: SimulateRequest): number {
  return request.seed + runs.indexOf(run);
}

// ---- arguments --------------------------------------------------------------------------------------

function parseRequest(args: readonly string[]): SimulateRequest {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      seed: { type: 'string' },
      seeds: { type: 'string' },
      ticks: { type: 'string' },
      mode: { type: 'string' },
      json: { type: 'boolean' },
      export: { type: 'string' },
      processors: { type: 'string' },
      interrupt: { type: 'string' },
      messages: { type: 'string' },
      'rx-queues': { type: 'string' },
      'shared-line': { type: 'string' },
      'isr-early': { type: 'boolean' },
      'link-changes': { type: 'boolean' },
      'surprise-remove': { type: 'string' },
      timeline: { type: 'string' },
    },
  });
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
