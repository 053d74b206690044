/**
 * `ddikit explore <driver module>`: searches the interleavings of a miniport for one that breaks it
 * — systematically by number of preemptions (CHESS-style, up to --preemptions), then with random
 * schedules up to --budget — and prints the shortest failing schedule it finds, shrunk, with the
 * exact command that replays it; races found by lockset analysis are listed too. `--replay` runs one
 * schedule; `--timeline FILE` writes the HTML timeline of the failing (or replayed) run.
 *
 * Exit codes: 0 no violation up to the bound, 1 a failing schedule or a race, 2 usage errors.
 *
 * Like `ddikit simulate`, the harness is taken from the driver's own module graph (one copy of
 * @ddikit/sim for the driver and the explorer), loaded through tsx (driver-module.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { MessagePort } from 'node:worker_threads';
import type * as SimModule from '@ddikit/sim';
import type {
  Exploration,
  ExploreCrash,
  ExploreLateCall,
  ExploreResult,
  FaultOptions,
  LateCallInfo,
  MiniportDefinition,
  Report,
  ReplayResult,
  RunResult,
  RunSummary,
  RunTarget,
  Scenario,
  Schedule,
  ScheduleStep,
  Search,
  SearchJob,
} from '@ddikit/sim';
import { displayPath } from '../../paths.js';
import type { CliIo } from '../io.js';
import { plural } from '../print.js';
import { writeTimelinePage, type TimelinePage } from '../timeline-page.js';
import { writeFileAtomic } from '../../write/write-file-atomic.js';
import { WriteError } from '../../write/write-fs.js';
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
import {
  type EnvironmentDigests,
  type EnvironmentUse,
  environmentDifference,
  environmentNow,
  environmentOfChunks,
} from './driver-environment.js';
import { DriverPool, servePool, type ChunkSizes, workersOption } from './driver-pool.js';
import { maxMemoryOption, runInWorker, WATCHDOG_SECONDS_DEFAULT } from './driver-run.js';
import type { ThreadHooks } from './driver-worker-types.js';
import {
  insideFolder,
  readShards,
  ShardRecorder,
  shardFileName,
  shardRuns,
  SHARDS_MAX,
  UNRECORDED_OPTIONS,
  type ShardNumber,
} from './explore-shards.js';
import {
  disabledRules,
  faultList,
  optionValues,
  optionsSynopsis,
  optionsUsage,
  parseArgsOptions,
  defineOption,
  defineArgs,
} from './run-options.js';
import { lateCallText, settleSince, timersMade } from './settle.js';
import { WatchProbe } from './watch-probe.js';

/** The usage text of the command, in the layout of `ddikit --help`. */
export const exploreUsage = `  ddikit explore MODULE ${optionsSynopsis('explore', '                 ')}
      Search the interleavings of a miniport driver MODULE (.ts or .js, or the driver's C sources,
      .c) for one that breaks a contract: every
      schedule with up to K preemptions (an ISR or another processor's DPC run where the default
      schedule would go on), then random schedules, N schedules in all. Print the shortest failing
      schedule found, shrunk, and the command that replays it; list the races lockset analysis
      finds. The module may export \`scenario\` (device, ticks, processors, faults) for its runs;
      the options below override it. Exit 1 on a failing schedule, a race, a warning, a DDI
      called after a run ended (from a timer or a promise the driver left behind) or a crash.
      --workers N runs the schedules on N threads; --shard K/N runs part K of N of the search and
      writes shard-K-of-N.json; ddikit explore --merge shard-*.json puts the parts together. The
      result is the same bytes whatever N: the same schedules, the same shortest failure.
${optionsUsage('explore')}
  ddikit explore --merge FILE... [--json] [--timeline FILE] [--watchdog S] [--max-memory MB]
      Merge the shard files of one exploration (every shard 1..N, run with the same options) and
      print its result as the single run prints it: the driver module is loaded again (from the
      path the shards name, which must lie inside the working folder) to shrink the failure and
      replay it.
`;

/** What the command runs with when no flag says otherwise. */
export const exploreDefaults = { seed: 1, preemptions: 2, budget: 10_000 } as const;

/** The device IRQLs a scenario's interrupt may ask for (the harness's own check runs only at registration). */
const DIRQL_MIN = 3;
const DIRQL_MAX = 12;

/** Most schedules one invocation may run. */
const BUDGET_MAX = 100_000_000;
/**
 * Runs per batch of the search, whatever the workers (the search needs a batch's answers before it
 * makes the next: the threads meet at the end of each). A run takes a fraction of a millisecond.
 */
const BATCH_RUNS = 8192;
/**
 * The chunks a batch is cut into for `--workers N`: a run takes about 0.13 ms, so 32 to 512 runs
 * is 4 to 70 ms — large enough that handing them out costs little, small enough that the last
 * chunks of a batch end close together. Measured on two shared cores (`npm run bench -- parallel`,
 * 60,000 schedules, 288 chunks in 11 batches): the command's thread ran half the chunks and waited
 * 9–14 ms in all at the ends of batches; 2 workers / 1 went from 1.33–1.35× (one chunk per worker
 * and batch, the command's thread idle) to 1.47–1.58× at load averages of 2.0–3.1 (other work
 * shared the cores: only runs side by side compare). The pool thread then still sat idle for about
 * a third of a second at the start (30,000 schedules, CPU profile of each thread): it got ready
 * while the command's thread ran its first chunk of 512, cold; with the owner's chunks the smallest
 * until every thread is ready (driver-pool.ts), its idle time fell from 508 to 148 ms and the
 * bench read 1.70× (1.04× of two processes side by side). What is left is the second thread's own
 * cost: loading tsx, the command and the driver, and warming up the simulator's code, paid on the
 * same two cores.
 */
const CHUNK_RUNS: ChunkSizes = { min: 32, max: 512 };
/** Progress is redrawn at most this often (milliseconds of wall time; the simulation never reads it). */
const PROGRESS_INTERVAL_MS = 100;

/** CliIo plus whether to draw progress (default: stderr is a terminal). */
export interface ExploreIo extends CliIo {
  readonly progress?: boolean;
}

interface ExploreRequest {
  readonly modulePath: string;
  readonly exportName: string;
  readonly seed: number;
  readonly preemptions: number;
  readonly budget: number;
  readonly timeline: string | null;
  readonly replay: string | null;
  readonly ticks: number | null;
  readonly processors: number | null;
  readonly faults: readonly string[];
  /** Rule ids not to check (--disable), as given. */
  readonly disable: readonly string[];
  readonly json: boolean;
  readonly watchdogSeconds: number;
  /** --max-memory in megabytes; null: the default. */
  readonly maxMemoryMb: number | null;
  /** Device and interrupt flags, null or false when absent (the scenario's then apply). */
  readonly interrupt: 'msix' | 'line' | null;
  readonly messages: number | null;
  readonly rxQueues: 1 | 2 | null;
  readonly sharedLinePerMille: number | null;
  readonly isrEarly: boolean;
  readonly linkChanges: boolean;
  readonly arrivals: boolean;
  readonly surpriseRemoveAtTick: number | null;
  /** Worker threads that run the schedules (1: this thread). */
  readonly workers: number;
  /** Run only this part of the search and write it to its shard file. */
  readonly shard: ShardNumber | null;
  /** The shard files to merge (--merge), or null. */
  readonly merge: readonly string[] | null;
  /** The arguments that shape the run, the module named as shown (what a shard file records). */
  readonly runArgs: readonly string[];
  /** --define: macros for a C driver's sources. */
  readonly defines: Readonly<Record<string, string>>;
}

/** `ddikit explore …`; `args` are the arguments after `explore`. The search goes to a watched worker thread. */
export async function runExplore(args: readonly string[], io: ExploreIo): Promise<number> {
  let request: ExploreRequest;
  try {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`Usage:\n${exploreUsage}`);
      return 0;
    }
    request = parseRequest(args, io.cwd);
  } catch (error) {
    return usageError('explore', error, io);
  }
  return runInWorker(
    {
      command: 'explore',
      args,
      watchdogSeconds: request.watchdogSeconds,
      maxMemoryMb: request.maxMemoryMb,
      json: request.json,
      progress: io.progress ?? process.stderr.isTTY === true,
    },
    io,
  );
}

/** The search itself, in the worker thread (driver-worker.ts); `buffer` is the watch probe's memory. */
export async function exploreInThread(
  args: readonly string[],
  io: ExploreIo,
  buffer: SharedArrayBuffer,
  hooks: ThreadHooks,
): Promise<number> {
  let pool: DriverPool<SearchJob, RunSummary> | null = null;
  let json = false;
  try {
    let request = parseRequest(args, io.cwd);
    json = request.json;
    let merged: MergeInput | null = null;
    if (request.merge !== null) {
      const set = readShards(request.merge, io.cwd);
      request = parseRequest([...set.args, ...mergeOutputArgs(args)], io.cwd);
      json = request.json;
      merged = { set };
    }
    // This thread is one of the workers; the others start while it loads the driver, or after a C one.
    const pooled = merged === null && request.workers > 1 && request.replay === null;
    const startPool = (): DriverPool<SearchJob, RunSummary> =>
      new DriverPool('explore', request.runArgs, request.workers - 1, CHUNK_RUNS, io, hooks);
    const poolFirst = poolStartsWithLoad(request.modulePath);
    if (pooled && poolFirst) pool = startPool();
    return await withDriverModule(
      'explore',
      request.modulePath,
      io.cwd,
      (module) => {
        if (pooled && !poolFirst) pool = startPool();
        if (merged !== null) mergesWith(module, merged.set);
        if (request.shard !== null) shardsEnvironment(module.display, module.environmentEnumerated());
        const partial = contextOf(module, request, io);
        const context: Context = {
          ...partial,
          probe: new WatchProbe(buffer, (_seed, schedule) => probeReplay(partial, schedule)),
        };
        context.probe.loaded();
        const target = runTarget(context);
        if (request.replay === null) return exploreAll(context, target, pool, merged);
        let schedule: Schedule;
        try {
          schedule = module.sim.parseSchedule(request.replay);
        } catch (error) {
          throw new DriverUsageError(`--replay: ${(error as Error).message}.`);
        }
        return replayOne(context, target, schedule);
      },
      io.stderr,
      request.defines,
    );
  } catch (error) {
    return usageError('explore', error, io, json);
  } finally {
    await pool?.close();
  }
}

/** A pool worker of `--workers N` (driver-pool.ts): loads the driver as the search's thread does, then runs the runs it is handed. */
export async function explorePoolWorker(
  args: readonly string[],
  io: ExploreIo,
  buffer: SharedArrayBuffer,
  port: MessagePort,
): Promise<number> {
  try {
    const request = parseRequest(args, io.cwd);
    return await withDriverModule(
      'explore',
      request.modulePath,
      io.cwd,
      (module) => {
        const partial = contextOf(module, request, io);
        const probe = new WatchProbe(buffer, (_seed, schedule) => probeReplay(partial, schedule));
        const runner = module.sim.createJobRunner(runTarget({ ...partial, probe }), { settled: true });
        probe.loaded();
        probe.waiting();
        return servePool<SearchJob, RunSummary>(
          port,
          async (jobs) => {
            probe.running();
            // Watched while what the driver left behind runs too: a timer that never returns is a hang.
            const mark = timersMade();
            const summaries = await module.sim.runJobsSettled(runner, jobs, () => settleSince(mark, probe));
            probe.waiting();
            return summaries;
          },
          // A shard records what the driver reads of the environment in every thread's runs. A pool
          // thread is not told whether its owner writes one (its arguments are those a shard records,
          // without --shard), so it always says: it costs a stack trace per variable and chunk.
          module.environmentSince,
        );
      },
      undefined,
      request.defines,
    );
  } catch (error) {
    return usageError('explore', error, io);
  }
}

/** The shards a merge reads. */
interface MergeInput {
  readonly set: ReturnType<typeof readShards>;
}

/**
 * A merge runs the driver the shards ran: DriverUsageError when its code changed since, or when a
 * variable of the environment it read has another value here than the shards had.
 */
function mergesWith(module: DriverModule, set: MergeInput['set']): void {
  if (module.fingerprint !== set.source)
    throw new DriverUsageError(
      `${set.module} is not the version the shards ran: its code changed since (run the shards again, or merge with the code they ran).`,
    );
  const variable = environmentDifference(set.env, environmentNow(Object.keys(set.env)));
  if (variable !== null)
    throw new DriverUsageError(
      `${set.module} reads the environment variable ${variable}, and the shards ran with another value of it than this merge has (merge with the environment the shards ran with, or run the shards again).`,
    );
}

/**
 * A shard records the environment variables its driver reads by name; a driver that enumerated the
 * environment depends on variables it never named, which neither a list of names nor a merge can
 * check: DriverUsageError, where it enumerated. Recording the whole environment instead would make
 * every merge of shards from two machines fail (HOSTNAME, a CI runner's own variables differ).
 */
function shardsEnvironment(display: string, at: string | null): void {
  if (at !== null)
    throw new DriverUsageError(
      `--shard: ${display} enumerates the environment (Object.keys, a spread or a for…in of process.env, at ${at}), so a shard file cannot record which variables shape its runs, and a merge could not check that every shard ran with the same ones. Read the variables the driver needs by name (process.env.NAME, 'NAME' in process.env): a shard keeps each one's digest, and the merge compares them.`,
    );
}

/** The options of a --merge command line that say how to print, passed on to the merged run. */
function mergeOutputArgs(args: readonly string[]): string[] {
  const { tokens } = parseArgs({ args: [...args], allowPositionals: true, strict: false, tokens: true });
  const out: string[] = [];
  for (const token of tokens)
    if (token.kind === 'option' && (token.name === 'json' || token.name === 'timeline'))
      out.push(`--${token.name}`, ...(token.value !== undefined ? [token.value] : []));
  return out;
}

/** The driver to explore and its scenario; DriverUsageError when the module lacks either in good form. */
function contextOf(module: DriverModule, request: ExploreRequest, io: ExploreIo): Omit<Context, 'probe'> {
  const { display, exports, sim } = module;
  const missing = missingExport(module, request.exportName);
  if (missing !== null) throw new DriverUsageError(missing);
  const driver = exports[request.exportName];
  if (!sim.isMiniportDefinition(driver)) {
    throw new DriverUsageError(
      `${display}: the ${request.exportName === 'default' ? 'default export' : `export ${JSON.stringify(request.exportName)}`} is not a miniport made with defineMiniport of @ddikit/sim.`,
    );
  }
  const scenario = exports['scenario'];
  if (scenario !== undefined && (typeof scenario !== 'object' || scenario === null)) {
    throw new DriverUsageError(
      `${display}: the export \`scenario\` must be an object ({ device?, ticks?, processors?, interrupt?, faults? }).`,
    );
  }
  return {
    sim,
    driver,
    display,
    request,
    io,
    scenario: scenario as Scenario | undefined,
    fingerprint: module.fingerprint,
    environment: module.environment,
    environmentEnumerated: module.environmentEnumerated,
    environmentSince: module.environmentSince,
  };
}

/** What every run of the search shares: the driver, the seed, the scenario and the flags that override it. */
function runTarget(context: Context): RunTarget {
  const { sim, driver, request, scenario } = context;
  let faults: FaultOptions | undefined;
  try {
    faults = request.faults.length > 0 ? sim.faultsFromNames(request.faults) : undefined;
  } catch (error) {
    throw new DriverUsageError(`--faults: ${(error as Error).message}.`);
  }
  if (faults !== undefined && request.surpriseRemoveAtTick !== null)
    faults = { ...faults, surpriseRemoval: request.surpriseRemoveAtTick };
  else if (request.surpriseRemoveAtTick !== null)
    faults = { ...scenario?.faults, surpriseRemoval: request.surpriseRemoveAtTick };
  const overridden = withFlags(context, scenario);
  const target: RunTarget = {
    driver,
    seed: request.seed,
    probe: context.probe,
    ...(request.arrivals ? { arrivals: true } : {}),
    ...(overridden !== undefined ? { scenario: overridden } : {}),
    ...(request.ticks !== null ? { ticks: request.ticks } : {}),
    ...(request.processors !== null ? { processors: request.processors } : {}),
    ...(faults !== undefined ? { faults } : {}),
    ...(request.disable.length > 0 ? { disabledRules: disabledRules(request.disable, sim.RULE_IDS) } : {}),
  };
  checkScenario(context, target);
  return target;
}

/** The scenario with the device and interrupt flags of the command line applied over it. */
function withFlags(context: Omit<Context, 'probe'>, scenario: Scenario | undefined): Scenario | undefined {
  const { request, sim } = context;
  const linkChanges = request.linkChanges || request.faults.includes(sim.ALL_FAULTS);
  const device = linkChanges || request.rxQueues !== null;
  const interrupt =
    request.interrupt !== null || request.messages !== null || request.sharedLinePerMille !== null || request.isrEarly;
  if (!device && !interrupt) return scenario;
  return {
    ...scenario,
    ...(device
      ? {
          device: () =>
            new sim.E1000Nic({
              ...(request.rxQueues !== null ? { rxQueueCount: request.rxQueues } : {}),
              ...(linkChanges ? { linkChangeGapTicksMin: 2_000, linkChangeGapTicksMax: 20_000 } : {}),
            }),
        }
      : {}),
    interrupt: {
      ...scenario?.interrupt,
      ...(request.interrupt !== null ? { grantLineToMsiDriver: request.interrupt === 'line' } : {}),
      ...(request.messages !== null ? { messageCountMax: request.messages } : {}),
      ...(request.sharedLinePerMille !== null ? { sharedLinePerMille: request.sharedLinePerMille } : {}),
      ...(request.isrEarly ? { isrBeforeRegisterReturns: true } : {}),
    },
  };
}

/**
 * Builds one simulation of the target, so a bad `scenario` export (processors: 1000, ticks: -5,
 * device: 42, an unknown fault, a negative cost, irql: 99) is a usage error naming the module, the
 * line of the property and what is wrong — before any schedule runs.
 */
function checkScenario(context: Omit<Context, 'probe'> | Context, target: RunTarget): void {
  const { sim, scenario, display } = context;
  if (scenario === undefined) return;
  try {
    if (scenario.device !== undefined && typeof scenario.device !== 'function')
      throw new TypeError(
        `device must be a function that returns a new device, e.g. () => new E1000Nic() (got ${describeValue(scenario.device)})`,
      );
    if (
      scenario.ticks !== undefined &&
      (!Number.isSafeInteger(scenario.ticks) || scenario.ticks < 1 || scenario.ticks > sim.RUN_TICKS_MAX)
    )
      throw new RangeError(`ticks must be an integer in 1..2^40 (got ${String(scenario.ticks)})`);
    const irql = scenario.interrupt?.irql;
    const levels = irql === undefined ? [] : Array.isArray(irql) ? irql : [irql];
    for (const level of levels)
      if (!Number.isInteger(level) || level < DIRQL_MIN || level > DIRQL_MAX)
        throw new RangeError(`interrupt.irql must be device levels ${DIRQL_MIN}..${DIRQL_MAX} (got ${String(level)})`);
    sim.scenarioSimulation(target);
  } catch (error) {
    if (error instanceof DriverUsageError) throw error;
    const message = (error as Error).message.replace(/^(?:createSimulation|explore|sim\.run): /, '');
    throw new DriverUsageError(
      `${display}${locate(context, scenarioKey(message))}: the \`scenario\` export is not valid: ${message}.`,
    );
  }
}

/** The scenario property a message is about (its first word before "must"/"is"), for locating it. */
function scenarioKey(message: string): string {
  const word = /^(?:faults\.)?([A-Za-z]+)/.exec(message)?.[1] ?? '';
  if (message.startsWith('faults.') || message.startsWith('unknown fault')) return 'faults';
  if (message.startsWith('costs.')) return 'costs';
  if (message.startsWith('budgets.')) return 'budgets';
  return word;
}

/** `:line:col` of `key:` inside the module's `scenario` export, or '' when it cannot be found. */
function locate(context: Omit<Context, 'probe'> | Context, key: string): string {
  let text: string;
  try {
    text = readFileSync(resolve(context.io.cwd, context.request.modulePath), 'utf8');
  } catch {
    return '';
  }
  const start = text.search(/export\s+(?:const|let|var)\s+scenario\b/);
  if (start < 0) return '';
  const at = key === '' ? -1 : text.slice(start).search(new RegExp(`\\b${key}\\s*:`));
  const offset = at < 0 ? start : start + at;
  const before = text.slice(0, offset).split('\n');
  return `:${before.length}:${before[before.length - 1]!.length + 1}`;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? 'an object' : String(value);
}

interface Context {
  readonly sim: typeof SimModule;
  readonly driver: MiniportDefinition;
  readonly display: string;
  readonly request: ExploreRequest;
  readonly io: ExploreIo;
  readonly scenario: Scenario | undefined;
  readonly probe: WatchProbe;
  /** The digest of the driver's code (DriverModule.fingerprint). */
  readonly fingerprint: string;
  /** The environment variables the driver read (DriverModule.environment). */
  readonly environment: () => EnvironmentDigests;
  /** Where the driver enumerated the environment, or null (DriverModule.environmentEnumerated). */
  readonly environmentEnumerated: () => string | null;
  /** What the driver does with the environment from now on (DriverModule.environmentSince). */
  readonly environmentSince: () => () => EnvironmentUse;
}

/** The replay command of the run the probe is told of. */
function probeReplay(context: Omit<Context, 'probe'>, schedule: string | null): string {
  const ticks = context.request.ticks ?? context.scenario?.ticks ?? context.sim.SCENARIO_TICKS_DEFAULT;
  const departures = schedule === null || schedule === '' ? [] : context.sim.parseSchedule(schedule);
  return replayCommand(context as Context, departures, ticks);
}

async function exploreAll(
  context: Context,
  target: RunTarget,
  pool: DriverPool<SearchJob, RunSummary> | null,
  merged: MergeInput | null,
): Promise<number> {
  const { sim, request, io } = context;
  const progress = makeProgress(io);
  let result: ExploreResult;
  let recorder: ShardRecorder | null = null;
  try {
    const options = {
      ...target,
      preemptions: request.preemptions,
      budget: request.budget,
      onProgress: progress.update,
      progressEvery: 100,
    };
    const shard = request.shard === null ? null : { index: request.shard.k - 1, count: request.shard.n };
    const search = sim.searchExploration(options, { shard, batch: BATCH_RUNS });
    // What a shard records of the environment: with one thread, all that the driver read; with a
    // pool, what it read as it loaded and in the chunks of runs whose results the search used,
    // whichever thread ran them (a chunk run past a failure that ended its batch is not one).
    const loaded: EnvironmentUse = { read: context.environment(), enumerated: context.environmentEnumerated() };
    const batchesEnvironment: EnvironmentUse[] = [];
    const environmentSince = request.shard !== null ? context.environmentSince : undefined;
    let run: (jobs: readonly SearchJob[]) => readonly RunSummary[] | Promise<readonly RunSummary[]>;
    if (merged !== null) {
      run = answerFromShards(context, shardRuns(merged.set, sim.parseSchedule));
    } else {
      const runner = sim.createJobRunner(target, { settled: true });
      const runHere = (jobs: readonly SearchJob[]): Promise<RunSummary[]> => {
        const mark = timersMade();
        return sim.runJobsSettled(runner, jobs, () => settleSince(mark, context.probe));
      };
      run =
        pool === null
          ? runHere
          : async (jobs) => {
              const answer = await pool.run(
                {
                  jobs,
                  runHere,
                  ends: (chunk, summaries) => endsIn(sim, chunk, summaries),
                  ...(environmentSince !== undefined ? { environmentSince } : {}),
                },
                context.probe,
              );
              batchesEnvironment.push(answer.environment);
              return answeredInOrder(sim, jobs, answer.results);
            };
    }
    if (request.shard !== null) {
      const shardRecorder = new ShardRecorder(sim.formatSchedule);
      recorder = shardRecorder;
      const inner = run;
      run = async (jobs) => {
        const summaries = await inner(jobs);
        summaries.forEach((summary, i) => {
          const job = jobs[i]!;
          if (job.kind === 'random' || ((job.counted || job.expand) && job.foreign !== true))
            shardRecorder.record(sim.jobKey(job), job.arrivals, summary);
        });
        return summaries;
      };
    }
    let exploration: Exploration;
    try {
      exploration = await driveAsync(search, run);
    } finally {
      // Nothing more for the pool's threads: what they still run is not needed.
      await pool?.close();
    }
    if (recorder !== null) {
      const environment =
        pool === null
          ? { read: context.environment(), enumerated: context.environmentEnumerated() }
          : environmentOfChunks([loaded, ...batchesEnvironment]);
      return shardDone(context, recorder, exploration, environment);
    }
    result = sim.finishExploration(exploration);
  } finally {
    progress.done();
  }
  const elapsedMs = progress.elapsedMs();
  return printResult(context, target, result, elapsedMs);
}

/** Drives the search, awaiting runners that answer later (worker threads). */
async function driveAsync<T>(
  search: Search<T>,
  run: (jobs: readonly SearchJob[]) => readonly RunSummary[] | Promise<readonly RunSummary[]>,
): Promise<T> {
  let step = search.next();
  while (step.done !== true) step = search.next(await run(step.value));
  return step.value;
}

/** Whether a chunk's answers end the search (runJobs stops a chunk at the run that does). */
function endsIn(sim: typeof SimModule, jobs: readonly SearchJob[], summaries: readonly RunSummary[]): boolean {
  return summaries.length > 0 && sim.endsSearch(jobs[summaries.length - 1]!, summaries.at(-1)!);
}

/** A batch's answers, the chunks' put together in order: up to the first run that ends the search. */
function answeredInOrder(
  sim: typeof SimModule,
  jobs: readonly SearchJob[],
  answered: readonly RunSummary[],
): RunSummary[] {
  const out: RunSummary[] = [];
  for (const summary of answered) {
    out.push(summary);
    if (sim.endsSearch(jobs[out.length - 1]!, summary)) return out;
  }
  return out;
}

/** A runner that answers each run from the shards' records (a merge). */
function answerFromShards(
  context: Context,
  runs: ReadonlyMap<string, RunSummary>,
): (jobs: readonly SearchJob[]) => readonly RunSummary[] {
  const { sim } = context;
  return (jobs) => {
    const out: RunSummary[] = [];
    for (const job of jobs) {
      const key = sim.jobKey(job);
      const summary = runs.get(key);
      if (summary === undefined || (job.kind === 'schedule' && job.expand && summary.counts === null))
        throw new DriverUsageError(
          `the shards do not hold the run ${key} that the exploration needs: a shard file is incomplete or was edited.`,
        );
      out.push(summary);
      if (sim.endsSearch(job, summary)) break;
    }
    return out;
  };
}

/** A shard ran: write its file and say so (exit 0: its findings count only in the merge). */
function shardDone(
  context: Context,
  recorder: ShardRecorder,
  exploration: Exploration,
  environment: EnvironmentUse,
): number {
  const { request, io, driver, display } = context;
  const shard = request.shard!;
  const file = shardFileName(shard);
  // Enumerated while it ran (in any thread), not only as it loaded: no file, as at the start.
  shardsEnvironment(display, environment.enumerated);
  try {
    // Whole or not at all: a shard cut short (a full disk, a CI job killed) leaves no truncated file.
    writeFileAtomic(
      resolve(io.cwd, file),
      recorder.text(shard, driver.name, display, context.fingerprint, environment.read, request.runArgs),
    );
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    throw new DriverUsageError(`cannot write ${file}: ${error.reason}`);
  }
  const { search } = exploration;
  // Every shard runs the default schedule, where it learns the first level's schedules: it is the
  // first shard's own, and the others' first placing run. So the shards' own runs add up to the
  // single run's schedules.
  const rootElsewhere = shard.k > 1 ? 1 : 0;
  const ownRuns = search.schedules - rootElsewhere;
  const placingRuns = search.placingRuns + rootElsewhere;
  // A default schedule that fails is the first shard's finding: another shard stops there too.
  const atRoot = search.schedules === 1;
  const found = (search.found !== null || search.crash !== null) && !(rootElsewhere === 1 && atRoot);
  const endedElsewhere = search.endedElsewhere || ((search.found !== null || search.crash !== null) && !found);
  if (request.json)
    io.stdout(
      `${JSON.stringify({ driver: driver.name, module: display, shard: shard.k, shards: shard.n, runs: ownRuns, placingRuns, stoppedAtFinding: found, stoppedAtOtherShardsFinding: endedElsewhere, file }, null, 2)}\n`,
    );
  else
    io.stdout(
      [
        `ddikit explore: ${driver.name} (${display}) — shard ${shard.k}/${shard.n}`,
        `${settingsLine(context, request.ticks ?? context.scenario?.ticks ?? context.sim.SCENARIO_TICKS_DEFAULT)} preemptions≤${request.preemptions} budget=${request.budget}`,
        '',
        `Ran ${plural(ownRuns, 'run')} of this shard${found ? ' (it stopped at a finding of its own)' : endedElsewhere ? " (it stopped where another shard's schedule fails: the search ends there)" : ''}${placingRuns > 0 ? `, and ${plural(placingRuns, 'schedule')} of the other shards to place its own in the whole order` : ''}; wrote ${file}.`,
        `Merge the ${plural(shard.n, 'shard')}: ddikit explore --merge ${shard.n === 1 ? file : `shard-*-of-${shard.n}.json`}`,
        '',
      ].join('\n'),
    );
  return 0;
}

function printResult(context: Context, target: RunTarget, found: ExploreResult, elapsedMs: number): number {
  const { sim, request, io } = context;
  const result = withRaceSources(context, target, found);
  let page: TimelinePage | null = null;
  if (request.timeline !== null && result.failure !== null && result.failure.reproduced) {
    const replayed = sim.replay({
      ...target,
      ...(result.arrivals ? { arrivals: true } : {}),
      ticks: result.failure.ticks,
      schedule: result.failure.schedule,
      trace: true,
    });
    page = writeTimeline(context, replayed, result.failure.schedule, result.failure.ticks);
  }
  const timeline = page?.shown ?? null;
  const defaultRun = result.failure === null && result.crash === null ? defaultSchedule(context, target, result) : null;
  const status = defaultRun?.initializeStatus ?? null;
  const refused = status === null || status === 0 ? null : status;
  const onSharedLine = sharedLineRaces(context, target, result, defaultRun);
  if (request.json) {
    io.stdout(
      `${JSON.stringify({ ...jsonResult(context, result, timeline), ...(refused !== null ? { initializeStatus: refused } : {}), ...(onSharedLine.length > 0 ? { sharedLineRaces: onSharedLine } : {}) }, null, 2)}\n`,
    );
  } else {
    io.stdout(textResult(context, result, timeline, elapsedMs, refused, defaultRun));
    if (onSharedLine.length > 0)
      io.stdout(
        `\nWith another device on the line, the default schedule races: ${onSharedLine.join(', ')}.\nNo other device raised the line in these runs (explore's default; simulate's is --shared-line 10):\nexplore with --faults shared-line to search those schedules too.\n`,
      );
    if (request.timeline !== null && page === null) io.stdout(noTimelineText(context, result, request.timeline));
  }
  const findings =
    result.failure !== null ||
    result.crash !== null ||
    result.races.length > 0 ||
    result.warnings.length > 0 ||
    result.lateCall !== null;
  return findings || page?.failed === true ? 1 : 0;
}

/**
 * The search's races with the source line of each access (a C driver's, or a TypeScript one's):
 * the search runs without them (a stack capture per new class of access would cost more than the
 * run), so each schedule that first ran into a race runs once more with them, and every race found
 * again there (the same rule, variable and accesses) takes its accesses' lines. One run per such
 * schedule (usually only the default one), in this thread: the same output whatever the workers
 * or shards.
 */
function withRaceSources(context: Context, target: RunTarget, result: ExploreResult): ExploreResult {
  if (result.races.length === 0) return result;
  const { sim } = context;
  const replayed = new Map<string, readonly Report[]>();
  const races = result.races.map((report, i) => {
    const schedule = result.raceSchedules[i]!;
    const key = sim.formatSchedule(schedule);
    let reports = replayed.get(key);
    if (reports === undefined) {
      try {
        reports = sim.replay({
          ...target,
          ...(result.arrivals ? { arrivals: true } : {}),
          ticks: result.ticks,
          schedule,
        }).result.reports;
      } catch {
        // A driver that throws now keeps state between runs (the search ran this schedule): its
        // races stay as the search found them.
        reports = [];
      }
      replayed.set(key, reports);
    }
    const again = reports.find((other) => sameRace(report, other));
    const accesses = report.race?.accesses;
    const sourced = again?.race?.accesses;
    if (accesses === undefined || sourced === undefined || sourced.every((a) => a.source === undefined)) return report;
    return {
      ...report,
      race: {
        ...report.race!,
        accesses: [
          { ...accesses[0], ...(sourced[0].source !== undefined ? { source: sourced[0].source } : {}) },
          { ...accesses[1], ...(sourced[1].source !== undefined ? { source: sourced[1].source } : {}) },
        ] as const,
      },
    };
  });
  return { ...result, races };
}

/** Whether two race reports are one race: the same rule, variable, and the same two accesses by the same functions. */
function sameRace(a: Report, b: Report): boolean {
  const x = a.race;
  const y = b.race;
  if (x === undefined || y === undefined || a.rule !== b.rule || a.subject !== b.subject || x.variable !== y.variable)
    return false;
  return x.accesses.every((access, i) => {
    const other = y.accesses[i]!;
    return (
      access.function === other.function &&
      access.access === other.access &&
      access.locks === other.locks &&
      access.tick === other.tick &&
      access.processor === other.processor
    );
  });
}

/** Why --timeline wrote no page (it draws the failing schedule), and how to draw one anyway. */
function noTimelineText(context: Context, result: ExploreResult, file: string): string {
  const why =
    result.failure !== null
      ? 'the failure did not come back when its schedule ran again'
      : result.crash !== null
        ? 'the search ended in a crash'
        : 'no schedule failed';
  return `\nNo timeline written: --timeline draws the failing schedule, and ${why}. To draw one schedule, replay it: ${replayCommand(context, [], result.ticks, result.arrivals)} --timeline ${quote(file)}\n`;
}

/**
 * The status MiniportInitializeEx failed with in the default schedule, or null when it succeeded. A
 * search of a driver that never starts finds nothing and soon runs out of schedules, which would
 * otherwise read as a driver that survived them all. One run of the default schedule, the same for
 * any number of workers or shards.
 */
/**
 * The default schedule's run, replayed after a search that found nothing: what it says about how
 * much of the driver ran (MiniportInitializeEx failed; a timer set that never expired).
 */
/**
 * The lockset races (`RULE field|register|state subject`) the default schedule runs into once another device shares the
 * line — asked only when the search found none, for a driver granted a line interrupt that no other
 * device raised (explore's default): a race on a line interrupt often needs an ISR that runs while the
 * driver has its NIC masked, which only a shared line brings. One more run.
 */
function sharedLineRaces(
  context: Context,
  target: RunTarget,
  result: ExploreResult,
  defaultRun: RunResult | null,
): string[] {
  if (defaultRun === null || result.races.length > 0) return [];
  if (defaultRun.interrupt.granted !== 'line' || defaultRun.interrupt.sharedLine) return [];
  const { sim } = context;
  try {
    const faults = { ...(target.faults ?? target.scenario?.faults), sharedLine: true };
    const { reports } = sim.replay({
      ...target,
      faults,
      ...(result.arrivals ? { arrivals: true } : {}),
      schedule: [],
    }).result;
    const races = reports.filter((report) => sim.LOCKSET_RULES.includes(report.rule));
    return [...new Set(races.map((report) => `${report.rule} ${report.race?.kind ?? 'state'} ${report.subject}`))];
  } catch {
    return [];
  }
}

function defaultSchedule(context: Context, target: RunTarget, result: ExploreResult): RunResult | null {
  try {
    return context.sim.replay({ ...target, ...(result.arrivals ? { arrivals: true } : {}), schedule: [] }).result;
  } catch {
    // The search ran this schedule without a crash: a driver that throws now keeps state between
    // runs, which the search's own reports already point out. Nothing to add here.
    return null;
  }
}

async function replayOne(context: Context, target: RunTarget, schedule: Schedule): Promise<number> {
  const { sim, request, io, driver, display } = context;
  let replayed: ReplayResult;
  try {
    const mark = timersMade();
    replayed = sim.replay({ ...target, schedule, trace: request.timeline !== null });
    // What the driver left on timers and promises runs now: a DDI it calls is a late call of the run.
    await settleSince(mark, context.probe);
  } catch (error) {
    if (!(error instanceof sim.SimulationError)) throw error;
    const ticks = request.ticks ?? context.scenario?.ticks ?? sim.SCENARIO_TICKS_DEFAULT;
    const crash = crashOf(sim, error, schedule, ticks);
    if (request.json)
      io.stdout(
        `${JSON.stringify({ driver: driver.name, module: display, seed: request.seed, ticks, clean: false, crash: crashJson(context, crash) }, null, 2)}\n`,
      );
    else {
      const out = [
        `ddikit explore: ${driver.name} (${display}) — replay`,
        `${settingsLine(context, ticks)} schedule=${sim.formatSchedule(schedule)}`,
        '',
      ];
      out.push(...crashText(context, crash));
      io.stdout(`${out.join('\n')}\n`);
    }
    return 1;
  }
  const ticks = request.ticks ?? context.scenario?.ticks ?? sim.SCENARIO_TICKS_DEFAULT;
  const page = request.timeline !== null ? writeTimeline(context, replayed, schedule, ticks) : null;
  const timeline = page?.shown ?? null;
  const failed = page?.failed === true;
  const { result } = replayed;
  const late = replayed.lateCalls.length > 0 ? sim.lateCallInfo(replayed.lateCalls) : null;
  const clean = result.clean && late === null;
  if (request.json) {
    io.stdout(
      `${JSON.stringify(
        {
          driver: driver.name,
          module: display,
          seed: request.seed,
          ticks,
          schedule: sim.formatSchedule(schedule),
          steps: replayed.steps,
          unmatched: replayed.unmatched,
          clean,
          errors: result.errors,
          warnings: result.warnings,
          reports: result.reports.map((report, i) => ({ ...report, location: result.reportLocations[i] ?? null })),
          lateCall: late === null ? null : lateJson(context, late, null),
          timeline,
        },
        null,
        2,
      )}\n`,
    );
    return !clean || failed ? 1 : 0;
  }
  const out: string[] = [];
  out.push(`ddikit explore: ${driver.name} (${display}) — replay`);
  out.push(`${settingsLine(context, ticks)} schedule=${sim.formatSchedule(schedule)}`);
  out.push('');
  out.push(...stepsText(replayed.steps));
  for (const d of replayed.unmatched)
    out.push(`  (choice #${d.index}:${d.alternative} did not apply: the run has no such choice)`);
  out.push('');
  for (const [i, report] of result.reports.entries()) {
    out.push(sim.formatReportText(report));
    const location = result.reportLocations[i] ?? null;
    if (location !== null) out.push(`DRIVER CALL:  ${location}\n`);
  }
  if (late !== null) out.push(lateCallText(context.sim, late));
  out.push(
    clean
      ? 'No violations.'
      : result.clean
        ? 'A DDI was called after the run ended.'
        : `${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')}: ${result.reports.map((r) => `${r.rule} ${r.subject}`).join(', ')}${late !== null ? '; a DDI called after the run ended' : ''}.`,
  );
  if (timeline !== null) out.push(`Timeline: ${timeline}`);
  io.stdout(`${out.join('\n')}\n`);
  return !clean || failed ? 1 : 0;
}

/** Late calls in JSON: the first place (with `at`, as crashes give it), how many places; with the schedule and its replay when found by the search. */
function lateJson(
  context: Context,
  late: LateCallInfo | ExploreLateCall,
  ticks: number | null,
  arrivals?: boolean,
): object {
  const frames = late.driverFrames.map((frame) => ({ ...frame, at: context.sim.frameText(frame) }));
  const found = { ddi: late.ddi, driverFrames: frames, places: late.places, capped: late.capped };
  if (!('schedule' in late) || ticks === null) return found;
  return {
    ...found,
    schedule: context.sim.formatSchedule(late.schedule),
    foundAt: late.foundAt,
    phase: late.phase,
    replay: replayCommand(context, late.schedule, ticks, arrivals),
  };
}

function writeTimeline(context: Context, replayed: ReplayResult, schedule: Schedule, ticks: number): TimelinePage {
  const { sim, request, driver, display } = context;
  const path = resolve(context.io.cwd, request.timeline!);
  const html = sim.renderTimeline(replayed.trace!, replayed.result.reports, {
    title: `${driver.name} — ddikit explore`,
    subtitle: [
      `${display}: ${settingsLine(context, ticks)}`,
      `schedule ${sim.formatSchedule(schedule)}: ${replayed.steps.map((s) => `#${s.index} ${s.site} → ${s.choice}`).join('; ') || 'the default schedule'}`,
      `replay: ${replayCommand(context, schedule, ticks)}`,
    ],
    reportLocations: replayed.result.reportLocations,
  });
  return writeTimelinePage(path, html, context.io);
}

// ---- output -----------------------------------------------------------------------------------------

function textResult(
  context: Context,
  result: ExploreResult,
  timeline: string | null,
  elapsedMs: number,
  refused: number | null,
  defaultRun: RunResult | null,
): string {
  const { sim, driver, display } = context;
  const out: string[] = [];
  out.push(`ddikit explore: ${driver.name} (${display})`);
  out.push(
    `${settingsLine(context, result.ticks)} preemptions≤${result.preemptions} budget=${result.budget}${result.arrivals ? ' arrivals' : ''}`,
  );
  out.push('');
  const rate = elapsedMs > 0 ? ` in ${(elapsedMs / 1000).toFixed(1)} s` : '';
  if (result.failure !== null) {
    const f = result.failure;
    const n = f.schedule.length;
    out.push(`FAILED after ${plural(f.foundAt, 'schedule')}${rate} (${f.phase}): ${f.report.rule} — ${f.report.title}`);
    out.push(
      `Schedule: ${plural(n, 'preemption')}${f.found.length !== n ? `, shrunk from ${f.found.length}` : ''}; the run stops at tick ${f.ticks}`,
    );
    out.push(...stepsText(f.steps));
    out.push('');
    out.push(sim.formatReportText(f.report));
    if (f.location !== null) out.push(`DRIVER CALL:  ${f.location}\n`);
    out.push(`Replay: ${replayCommand(context, f.schedule, f.ticks, result.arrivals)}`);
    if (timeline !== null) out.push(`Timeline: ${timeline}`);
    if (!f.reproduced)
      out.push(
        'The failure did not come back when its schedule ran again: the driver keeps state from one run to the next (module variables?), so the schedule is shown as found, unshrunk, and may not replay.',
      );
  } else if (result.crash !== null) {
    out.push(
      `CRASHED after ${plural(result.crash.foundAt, 'schedule')}${rate} (${result.crash.phase}): the run did not finish`,
    );
    out.push(...crashText(context, result.crash, result.arrivals));
  } else {
    out.push(`No schedule failed: ${plural(result.schedules, 'schedule')}${rate} — ${coverageText(result)}.`);
    if (refused !== null)
      out.push(
        `But the adapter never started: MiniportInitializeEx failed with status 0x${(refused >>> 0).toString(16).toUpperCase().padStart(8, '0')} in the default schedule, so little of the driver ran.`,
      );
    else if (defaultRun !== null && defaultRun.interrupt.granted === null)
      out.push(
        'But no interrupt was registered in the default schedule: MiniportInitializeEx never called NdisMRegisterInterruptEx, so no ISR or DPC of the driver ran to interleave.',
      );
    else if (defaultRun !== null && defaultRun.stats.timersSet > 0 && defaultRun.stats.timerCalls === 0)
      out.push(
        `But no timer function ran: the driver set a timer, and none expired within the ${result.ticks} ticks of a schedule. Raise --ticks to explore its timer functions too.`,
      );
  }
  if (result.warnings.length > 0) {
    out.push('');
    out.push('Warnings (they do not stop a schedule, but the driver is not clean; exit 1 as in simulate):');
    for (const report of result.warnings)
      out.push(
        `  ${report.rule}  ${report.subject}${report.function !== null ? ` in ${report.function}` : ''} — ${report.message}`,
      );
  }
  if (result.lateCall !== null) {
    const late = result.lateCall;
    out.push('');
    out.push(
      `Called after the run ended (the search goes on, but the driver is not clean; exit 1 as in simulate), first in schedule ${late.foundAt} (${late.phase}):`,
    );
    out.push(`  ${lateCallText(context.sim, late)}`);
    out.push(`  Replay: ${replayCommand(context, late.schedule, result.ticks, result.arrivals)}`);
  }
  if (result.races.length > 0) {
    out.push('');
    out.push(`Races (lockset analysis: found without needing any particular interleaving):`);
    // Each race's accesses are those of the run that reported it first: replaying that schedule shows it.
    const replays = result.raceSchedules.map((schedule) =>
      replayCommand(context, schedule, result.ticks, result.arrivals),
    );
    const one = replays.every((replay) => replay === replays[0]);
    for (const [i, report] of result.races.entries()) {
      out.push(...raceText(sim, report));
      if (!one) out.push(`      Replay: ${replays[i]}`);
    }
    if (one)
      out.push(
        `The full reports: replay the ${result.raceSchedules[0]!.length === 0 ? 'default schedule' : 'schedule that first ran into them'} (${replays[0]}).`,
      );
  }
  return `${out.join('\n')}\n`;
}

function coverageText(result: ExploreResult): string {
  if (result.spaceExhausted)
    return `the space is exhausted: every schedule of the driver ran (${plural(result.distinct, 'distinct schedule')}; no run left a choice point unexplored)`;
  const levels = result.perLevel.map((n, k) => `${n} with ${plural(k, 'preemption')}`).join(', ');
  const systematic = result.exhaustive
    ? `every schedule with up to ${plural(result.preemptions, 'preemption')} (${levels})`
    : `systematic: ${levels} (the budget ran out before every schedule with up to ${plural(result.preemptions, 'preemption')} ran)`;
  return result.random > 0
    ? `${systematic}, then ${plural(result.random, 'random schedule')} (${result.distinct} distinct in all)`
    : systematic;
}

function stepsText(steps: readonly ScheduleStep[]): string[] {
  if (steps.length === 0) return ['  (the default schedule: no preemption)'];
  const out: string[] = [];
  for (const step of steps) {
    out.push(`  #${step.index}  tick ${step.tick}  ${step.site}`);
    out.push(`      → ${step.choice}  (alternative ${step.alternative} of ${step.count - 1})`);
  }
  return out;
}

function raceText(sim: typeof SimModule, report: Report): string[] {
  const out = [`  ${report.rule}  ${report.race?.kind ?? 'state'} ${report.subject}`];
  for (const access of report.race?.accesses ?? []) {
    out.push(
      `      ${access.access} — ${access.function} (${access.role}${Number.isInteger(access.message) ? `, message ${access.message}` : ''}) on cpu ${access.processor} at ${sim.irqlText(access.irql)}, tick ${access.tick}, holding ${access.locks}`,
    );
    // The source line, as the full report shows it (drivers with source frames: C).
    const source = access.source;
    if (source !== undefined)
      out.push(
        `        at ${source.function} (${source.file === null ? '?' : `${source.file}:${source.line}:${source.column}`})`,
      );
  }
  return out;
}

function settingsLine(context: Context, ticks: number): string {
  const { request, scenario } = context;
  const processors = request.processors ?? scenario?.processors ?? 2;
  const faults = request.faults.length > 0 ? request.faults.join(',') : 'none';
  // The device options given on the command line, which override the scenario's (as simulate shows them).
  const device: string[] = [
    ...(request.interrupt !== null ? [`grant=${request.interrupt === 'msix' ? 'msix-if-supported' : 'line'}`] : []),
    ...(request.messages !== null ? [`messages≤${request.messages}`] : []),
    ...(request.rxQueues !== null ? [`rx-queues=${request.rxQueues}`] : []),
    ...(request.sharedLinePerMille !== null ? [`shared-line=${request.sharedLinePerMille}‰`] : []),
    ...(request.isrEarly ? ['isr-early'] : []),
    ...(request.linkChanges ? ['link-changes'] : []),
    ...(request.surpriseRemoveAtTick !== null ? [`surprise-remove=${request.surpriseRemoveAtTick}`] : []),
  ];
  // The rules not checked: the scenario's and the command line's.
  const disabled = [...new Set([...(scenario?.disabledRules ?? []), ...request.disable])];
  if (disabled.length > 0) device.push(`disabled=${disabled.join(',')}`);
  return [`seed=${request.seed} ticks=${ticks} processors=${processors} faults=${faults}`, ...device].join(' ');
}

/** The exact command that replays a schedule (every flag that shapes the run). */
function replayCommand(
  context: Context,
  schedule: Schedule,
  ticks: number,
  arrivals = context.request.arrivals,
): string {
  const { request, sim, display } = context;
  const parts = ['ddikit explore', quote(display), `--seed ${request.seed}`, `--ticks ${ticks}`];
  if (request.processors !== null) parts.push(`--processors ${request.processors}`);
  if (request.faults.length > 0) parts.push(`--faults ${request.faults.join(',')}`);
  if (request.interrupt !== null) parts.push(`--interrupt ${request.interrupt}`);
  if (request.messages !== null) parts.push(`--messages ${request.messages}`);
  if (request.rxQueues !== null) parts.push(`--rx-queues ${request.rxQueues}`);
  if (request.sharedLinePerMille !== null) parts.push(`--shared-line ${request.sharedLinePerMille}`);
  if (request.isrEarly) parts.push('--isr-early');
  if (request.linkChanges) parts.push('--link-changes');
  if (arrivals) parts.push('--arrivals');
  if (request.surpriseRemoveAtTick !== null) parts.push(`--surprise-remove ${request.surpriseRemoveAtTick}`);
  if (request.exportName !== 'default') parts.push(`--export ${quote(request.exportName)}`);
  if (request.disable.length > 0) parts.push(`--disable ${request.disable.join(',')}`);
  const defines = defineArgs(request.defines);
  for (let i = 0; i < defines.length; i += 2) parts.push(`--define ${quote(defines[i + 1]!)}`);
  parts.push(`--replay ${sim.formatSchedule(schedule)}`);
  return parts.join(' ');
}

function jsonResult(context: Context, result: ExploreResult, timeline: string | null): object {
  const { sim, display } = context;
  return {
    driver: result.driver,
    module: display,
    seed: result.seed,
    ticks: result.ticks,
    processors: result.processors,
    faults: context.request.faults,
    disable: context.request.disable,
    preemptions: result.preemptions,
    budget: result.budget,
    schedules: result.schedules,
    systematic: result.systematic,
    random: result.random,
    exhaustive: result.exhaustive,
    distinct: result.distinct,
    spaceExhausted: result.spaceExhausted,
    perLevel: result.perLevel,
    failure:
      result.failure === null
        ? null
        : {
            rule: result.failure.report.rule,
            schedule: sim.formatSchedule(result.failure.schedule),
            found: sim.formatSchedule(result.failure.found),
            foundAt: result.failure.foundAt,
            phase: result.failure.phase,
            ticks: result.failure.ticks,
            steps: result.failure.steps,
            replay: replayCommand(context, result.failure.schedule, result.failure.ticks, result.arrivals),
            reproduced: result.failure.reproduced,
            report: result.failure.report,
            location: result.failure.location,
          },
    crash: result.crash === null ? null : crashJson(context, result.crash, result.arrivals),
    arrivals: result.arrivals,
    races: result.races.map((report, i) => ({
      ...report,
      schedule: sim.formatSchedule(result.raceSchedules[i]!),
      replay: replayCommand(context, result.raceSchedules[i]!, result.ticks, result.arrivals),
    })),
    warnings: result.warnings,
    lateCall: result.lateCall === null ? null : lateJson(context, result.lateCall, result.ticks, result.arrivals),
    timeline,
  };
}

/** A run that threw, in the shape of the explorer's crash (for --replay, which runs one schedule). */
function crashOf(
  sim: typeof SimModule,
  error: InstanceType<typeof SimModule.SimulationError>,
  schedule: Schedule,
  ticks: number,
): ExploreCrash {
  const driverError = error instanceof sim.DriverError ? error : null;
  return {
    schedule,
    foundAt: 1,
    phase: 'systematic',
    ticks,
    steps: [],
    message: error.message,
    tick: error.tick,
    thrown: driverError?.thrownMessage ?? null,
    frames: driverError?.frames ?? [],
    driverFrames: driverError?.driverFrames ?? [],
  };
}

function crashText(context: Context, crash: ExploreCrash, arrivals = context.request.arrivals): string[] {
  const { sim } = context;
  const out: string[] = [];
  out.push(`Schedule: ${plural(crash.schedule.length, 'preemption')}`);
  if (crash.steps.length > 0 || crash.schedule.length === 0) out.push(...stepsText(crash.steps));
  out.push('');
  out.push(crash.thrown !== null ? `The driver threw: ${crash.thrown}` : `The simulation failed: ${crash.message}`);
  if (crash.frames.length > 0)
    out.push(
      `  in ${crash.frames.map((f) => `${f.function} (${f.role}) on cpu ${f.processor} at ${sim.irqlText(f.irql)}`).join(' ← ')}`,
    );
  for (const frame of crash.driverFrames)
    out.push(`  at ${frame.function !== '' ? `${frame.function} (${sim.frameText(frame)})` : sim.frameText(frame)}`);
  out.push(`  ${crash.message}`);
  out.push(`Replay: ${replayCommand(context, crash.schedule, crash.ticks, arrivals)}`);
  return out;
}

function crashJson(context: Context, crash: ExploreCrash, arrivals = context.request.arrivals): object {
  return {
    ...crash,
    schedule: context.sim.formatSchedule(crash.schedule),
    driverFrames: crash.driverFrames.map((frame) => ({ ...frame, at: context.sim.frameText(frame) })),
    replay: replayCommand(context, crash.schedule, crash.ticks, arrivals),
  };
}

interface Progress {
  readonly update: (progress: { readonly schedules: number; readonly phase: string; readonly level: number }) => void;
  readonly done: () => void;
  readonly elapsedMs: () => number;
}

/** Progress on stderr, redrawn in place — only when drawing it is asked for (a terminal). */
function makeProgress(io: ExploreIo): Progress {
  const started = performance.now();
  let ended = started;
  const enabled = io.progress ?? process.stderr.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  return {
    update: (p) => {
      if (!enabled) return;
      const now = performance.now();
      if (now - lastDraw < PROGRESS_INTERVAL_MS) return;
      lastDraw = now;
      const rate = p.schedules / Math.max((now - started) / 1000, 1e-3);
      const phase = p.phase === 'systematic' ? `systematic, ${plural(p.level, 'preemption')}` : p.phase;
      io.stderr(
        `\r\x1b[K  ${p.schedules.toLocaleString('en-US')} schedules (${phase}) — ${Math.round(rate).toLocaleString('en-US')}/s`,
      );
      drawn = true;
    },
    done: () => {
      ended = performance.now();
      if (drawn) io.stderr('\r\x1b[K');
    },
    elapsedMs: () => (enabled ? ended - started : 0),
  };
}

// ---- arguments --------------------------------------------------------------------------------------

/** Options a --merge takes from its own command line; the rest come from the shards. */
const MERGE_OPTIONS = new Set(['merge', 'json', 'timeline', 'watchdog', 'max-memory']);

function parseRequest(args: readonly string[], cwd: string): ExploreRequest {
  const parsed = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: parseArgsOptions('explore'),
  });
  const { positionals, tokens } = parsed;
  const values = optionValues(parsed.values);
  const watchdogSeconds = driverInteger('--watchdog', values.watchdog, WATCHDOG_SECONDS_DEFAULT, 0, 86_400);
  const maxMemoryMb = maxMemoryOption(values['max-memory']);
  if (values.merge === true) {
    const other = tokens.find((t) => t.kind === 'option' && !MERGE_OPTIONS.has(t.name));
    if (other !== undefined && other.kind === 'option')
      throw new DriverUsageError(
        `--merge takes the shard files and only --json, --timeline, --watchdog and --max-memory: the options of the run (here --${other.name}) come from the shards.`,
      );
    if (positionals.length === 0)
      throw new DriverUsageError('--merge needs the shard files, e.g. ddikit explore --merge shard-*.json.');
    return { ...mergePlaceholder, merge: positionals, json: values.json === true, watchdogSeconds, maxMemoryMb };
  }
  const modulePath = modulePositional('explore', positionals, 'examples/scenarios/lost-interrupt.ts');
  const exportName = exportOption(values.export);
  if (values.timeline !== undefined && values.timeline.length === 0)
    throw new DriverUsageError('--timeline needs a file name, e.g. --timeline out.html.');
  const interrupt = values.interrupt ?? null;
  if (interrupt !== null && interrupt !== 'msix' && interrupt !== 'line')
    throw new DriverUsageError(`--interrupt must be msix or line (got ${JSON.stringify(interrupt)}).`);
  const optional = (flag: string, value: string | undefined, min: number, max: number): number | null =>
    value === undefined ? null : driverInteger(flag, value, 0, min, max);
  const shard = values.shard === undefined ? null : shardNumber(values.shard);
  const workers = workersOption(values.workers);
  if (values.replay !== undefined && (shard !== null || values.workers !== undefined))
    throw new DriverUsageError(`--replay runs one schedule: it takes no ${shard !== null ? '--shard' : '--workers'}.`);
  if (shard !== null && values.timeline !== undefined)
    throw new DriverUsageError(
      '--shard writes a shard file; ask the merge for the --timeline (ddikit explore --merge … --timeline FILE).',
    );
  const outside = shard === null ? undefined : positionals.find((path) => !insideFolder(displayPath(path, cwd), cwd));
  if (outside !== undefined)
    throw new DriverUsageError(
      `--shard needs the driver module inside the working folder (${displayPath(outside, cwd)} is not): a shard file names it from there, and a merge loads it only from inside the folder it runs in.`,
    );
  const runArgs: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') runArgs.push(displayPath(token.value, cwd));
    else if (token.kind === 'option' && !UNRECORDED_OPTIONS.has(token.name))
      runArgs.push(`--${token.name}`, ...(token.value !== undefined ? [token.value] : []));
  }
  return {
    modulePath,
    exportName,
    seed: driverInteger('--seed', values.seed, exploreDefaults.seed, 0, Number.MAX_SAFE_INTEGER),
    preemptions: driverInteger('--preemptions', values.preemptions, exploreDefaults.preemptions, 0, 16),
    budget: driverInteger('--budget', values.budget, exploreDefaults.budget, 1, BUDGET_MAX),
    timeline: values.timeline ?? null,
    replay: values.replay ?? null,
    ticks: optional('--ticks', values.ticks, 1, 2 ** 40),
    processors: optional('--processors', values.processors, 1, 64),
    faults: faultList(values.faults),
    disable: faultList(values.disable),
    json: values.json === true,
    watchdogSeconds,
    maxMemoryMb,
    interrupt,
    messages: optional('--messages', values.messages, 1, 32),
    rxQueues: optional('--rx-queues', values['rx-queues'], 1, 2) as 1 | 2 | null,
    sharedLinePerMille: optional('--shared-line', values['shared-line'], 0, 1000),
    isrEarly: values['isr-early'] === true,
    linkChanges: values['link-changes'] === true,
    arrivals: values.arrivals === true,
    surpriseRemoveAtTick: optional('--surprise-remove', values['surprise-remove'], 0, 2 ** 40),
    workers,
    shard,
    merge: null,
    runArgs,
    defines: defineOption(parsed.values['define'] as string[] | undefined, (message) => new DriverUsageError(message)),
  };
}

/** A --merge request before the shards are read: the run's own options come from them. */
const mergePlaceholder: ExploreRequest = {
  modulePath: '',
  exportName: 'default',
  seed: exploreDefaults.seed,
  preemptions: exploreDefaults.preemptions,
  budget: exploreDefaults.budget,
  timeline: null,
  replay: null,
  ticks: null,
  processors: null,
  faults: [],
  disable: [],
  json: false,
  watchdogSeconds: WATCHDOG_SECONDS_DEFAULT,
  maxMemoryMb: null,
  interrupt: null,
  messages: null,
  rxQueues: null,
  sharedLinePerMille: null,
  isrEarly: false,
  linkChanges: false,
  arrivals: false,
  surpriseRemoveAtTick: null,
  workers: 1,
  shard: null,
  merge: null,
  runArgs: [],
  defines: {},
};

/** --shard K/N: part K (1-based) of N. */
function shardNumber(text: string): ShardNumber {
  const match = /^(\d{1,4})\/(\d{1,4})$/.exec(text.trim());
  const k = match === null ? Number.NaN : Number(match[1]);
  const n = match === null ? Number.NaN : Number(match[2]);
  if (!(n >= 1 && n <= SHARDS_MAX && k >= 1 && k <= n))
    throw new DriverUsageError(
      `--shard must be K/N: part K of N, 1 ≤ K ≤ N ≤ ${SHARDS_MAX}, e.g. --shard 2/4 (got ${JSON.stringify(text)}).`,
    );
  return { k, n };
}

// ---- small helpers ----------------------------------------------------------------------------------

function quote(text: string): string {
  return /^[\w./@:+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
