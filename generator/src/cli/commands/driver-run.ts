/**
 * `ddikit simulate` and `ddikit explore` run the driver in a worker thread and watch it: a driver
 * that loops without calling a DDI moves no simulated time, so only a wall-clock watchdog can stop
 * it. When no role call starts or returns for `--watchdog` seconds, the worker is terminated and the
 * command reports which role function was running, the seed, the tick and the command that replays
 * the run — exit 1, never a hang. The worker's end is checked too: a driver module that calls
 * process.exit, or whose top-level await never settles, fails loudly instead of passing for clean.
 */
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CliIo } from '../io.js';
import { type DriverCommand, driverInteger, stackPlace } from './driver-module.js';
import type { DriverWorkerData, DriverWorkerMessage } from './driver-worker-types.js';
import { pausedWhere } from './paused-where.js';
import {
  askWhere,
  PHASE_LOADING,
  PHASE_RUNNING,
  PHASE_SETTLING,
  PHASE_WAITING,
  readWatch,
  watchBuffer,
  type WatchState,
} from './watch-probe.js';

/** Wall-clock seconds without a role call starting or returning before the watchdog stops a run. */
export const WATCHDOG_SECONDS_DEFAULT = 10;

/** Loading the driver module (and compiling it) gets this much longer than a role call. */
const LOAD_GRACE_MS = 20_000;

/** How often the watchdog looks (milliseconds). */
const WATCH_INTERVAL_MS = 100;
/** How long a stalled run may take to say where its driver is (askWhere) before it is reported without. */
const WHERE_WAIT_MS = 300;
/** How long pausing a thread that did not say where (pausedWhere) may take before it is reported without. */
const PAUSE_WAIT_MS = 2_000;

/** The fewest megabytes --max-memory takes (a process that loads a driver needs more than this). */
export const MAX_MEMORY_MIN_MB = 64;
/** The most megabytes --max-memory takes. */
export const MAX_MEMORY_MAX_MB = 1 << 30;

/** --max-memory MB: the megabytes given, or null when absent (the default then applies). */
export function maxMemoryOption(value: string | undefined): number | null {
  return value === undefined ? null : driverInteger('--max-memory', value, 0, MAX_MEMORY_MIN_MB, MAX_MEMORY_MAX_MB);
}

/**
 * The memory limit when --max-memory is not given: three quarters of what the machine has, or of the
 * container's limit when that is lower, in megabytes. Past it the command stops the run and says so,
 * rather than let the system end the process with no word on why.
 */
export function defaultMemoryLimitMb(): number {
  return memoryLimitMb(totalmem(), process.constrainedMemory?.() ?? 0);
}

/**
 * Three quarters of `totalBytes`, or of `constrainedBytes` when that is a limit below it (Node gives
 * 0, or a huge number, when the process has none), in megabytes; never below MAX_MEMORY_MIN_MB.
 */
export function memoryLimitMb(totalBytes: number, constrainedBytes: number): number {
  const available = constrainedBytes > 0 && constrainedBytes < totalBytes ? constrainedBytes : totalBytes;
  return Math.max(MAX_MEMORY_MIN_MB, Math.floor((available * 0.75) / 2 ** 20));
}

export interface DriverRun {
  readonly command: DriverCommand;
  readonly args: readonly string[];
  /** Wall-clock seconds without a role call starting or returning before the run is stopped; 0: never. */
  readonly watchdogSeconds: number;
  /** Print failures as JSON on stdout (--json). */
  readonly json: boolean;
  /** Draw progress on stderr (explore). */
  readonly progress: boolean;
  /** Megabytes of memory (resident set) the process may grow to before the run is stopped (--max-memory); null: the default. */
  readonly maxMemoryMb: number | null;
}

/** Runs the command in a worker thread under the watchdog; resolves to its exit code. */
export function runInWorker(run: DriverRun, io: CliIo): Promise<number> {
  const buffer = watchBuffer();
  const worker = startDriverThread({
    command: run.command,
    args: [...run.args],
    cwd: io.cwd,
    color: io.color,
    progress: run.progress,
    buffer,
  });
  return new Promise<number>((resolve) => {
    let code: number | null = null;
    let exitCalled: ExitCall | null = null;
    let failure: string | null = null;
    /** Every watched memory (the worker's, and its pool workers'), with its last heartbeat and when it changed. */
    const watched = [{ buffer, lastBeat: -1, lastBeatAt: Date.now() }];
    const limitMs = run.watchdogSeconds * 1000;
    /** When a stall was first seen in a pool (several watched threads): the report waits one more limit for the others. */
    let stallSeenAt: number | null = null;
    /** The stalled thread asked where its driver is (askWhere), and when: the report waits WHERE_WAIT_MS for the answer. */
    let asked: { readonly buffer: SharedArrayBuffer; readonly at: number } | null = null;
    /**
     * A thread that did not answer is paused through the inspector to read its line (pausedWhere):
     * null until asked, then pending, then what it found ('' for nothing).
     */
    let paused: 'pending' | { readonly where: string } | null = null;
    // The driver's typed arrays and Buffers live outside the JavaScript heap, whose limit does not
    // stop them: the process's resident set is watched instead (it counts every thread's memory).
    const memoryLimitMb = run.maxMemoryMb ?? defaultMemoryLimitMb();
    const timer = setInterval(() => {
      if (failure !== null || code !== null) return;
      const resident = process.memoryUsage.rss();
      if (resident > memoryLimitMb * 2 ** 20) {
        failure = 'memory';
        const loading = readWatch(buffer).phase === PHASE_LOADING;
        // The run that grew: known when one thread runs the driver (with a pool, any of them may have).
        const running = watched.length === 1 ? readWatch(buffer) : null;
        report(
          run,
          io,
          memoryReport(
            resident,
            memoryLimitMb,
            run.maxMemoryMb !== null,
            loading,
            running?.phase === PHASE_RUNNING ? running : null,
            watched.length > 1,
          ),
        );
        void worker.terminate();
        return;
      }
      const now = Date.now();
      const stalled: { readonly state: WatchState; readonly buffer: SharedArrayBuffer }[] = [];
      for (const watch of watched) {
        const state = readWatch(watch.buffer);
        if (state.heartbeat !== watch.lastBeat || state.phase === PHASE_WAITING) {
          watch.lastBeat = state.heartbeat;
          watch.lastBeatAt = now;
          continue;
        }
        const limit = state.phase === PHASE_LOADING ? limitMs + LOAD_GRACE_MS : limitMs;
        if (limitMs > 0 && now - watch.lastBeatAt >= limit) stalled.push({ state, buffer: watch.buffer });
      }
      if (stalled.length === 0) asked = null;
      if (stalled.length === 0 || failure !== null || code !== null) return;
      // With worker threads, runs hang in parallel: wait one more limit, then name the run of the lowest
      // seed that hangs (the one a single thread would have hung in first), whichever stalled first.
      if (watched.length > 1 && (stallSeenAt === null || now - stallSeenAt < limitMs)) {
        stallSeenAt ??= now;
        return;
      }
      // A run names its seed; what the drivers left behind after their runs names none (see watchdogReport).
      const runs = stalled.filter(({ state }) => state.phase !== PHASE_SETTLING);
      const first = (runs.length > 0 ? runs : stalled).reduce((a, b) => (b.state.seed < a.state.seed ? b : a));
      // A run that hangs is asked where its driver is first (a C driver's next load or store answers
      // with its line), and reported once it answers or WHERE_WAIT_MS have passed.
      if (first.state.phase === PHASE_RUNNING) {
        if (asked === null || asked.buffer !== first.buffer) {
          asked = { buffer: first.buffer, at: now };
          askWhere(first.buffer);
          return;
        }
        if (readWatch(first.buffer).where === '' && now - asked.at < WHERE_WAIT_MS) return;
        // No harness code runs in the loop (it touches nothing tracked): pause the thread and read
        // its frame.
        const state = readWatch(first.buffer);
        if (state.where === '' && state.thread > 0) {
          if (paused === null) {
            paused = 'pending';
            void pausedWhere(state.thread, io.cwd, PAUSE_WAIT_MS).then((where) => {
              paused = { where: where ?? '' };
            });
          }
          if (paused === 'pending') return;
        }
      }
      failure = 'watchdog';
      const state = readWatch(first.buffer);
      const where = state.where === '' && paused !== null && paused !== 'pending' ? paused.where : state.where;
      report(run, io, watchdogReport(run, { ...state, where }));
      void worker.terminate();
    }, WATCH_INTERVAL_MS);
    timer.unref();
    worker.on('message', (message: DriverWorkerMessage) => {
      if (message.type === 'out') (message.stream === 'stdout' ? io.stdout : io.stderr)(message.text);
      else if (message.type === 'exit') exitCalled = { code: message.code, at: message.at, signal: message.signal };
      else if (message.type === 'watch') watched.push({ buffer: message.buffer, lastBeat: -1, lastBeatAt: Date.now() });
      else if (message.type === 'done') {
        code = message.code;
        void worker.terminate();
      }
    });
    worker.on('error', (error) => {
      if (failure !== null || code !== null) return;
      failure = 'error';
      report(run, io, threadError(error));
    });
    worker.on('exit', (exitCode) => {
      clearInterval(timer);
      if (code !== null) return resolve(code);
      if (failure === null) report(run, io, endedWithoutResult(exitCalled, exitCode, readWatch(buffer), io.cwd));
      resolve(1);
    });
  });
}

export interface Failure {
  readonly text: string;
  readonly json: object;
}

function report(run: DriverRun, io: CliIo, failure: Failure): void {
  if (run.json) io.stdout(`${JSON.stringify({ clean: false, ...failure.json }, null, 2)}\n`);
  io.stderr(`ddikit ${run.command}: ${failure.text}\n`);
}

/**
 * The out-of-memory report; `loading`: the command's thread had not finished loading the driver;
 * `state`: the run going on when the memory ran out (its role function, seed, tick and replay), when
 * one thread runs the driver; `pooled`: several do, and which one grew is not known.
 */
function memoryReport(
  resident: number,
  limitMb: number,
  given: boolean,
  loading: boolean,
  state: WatchState | null = null,
  pooled = false,
): Failure {
  const residentMb = Math.round(resident / 2 ** 20);
  const limit = given
    ? `--max-memory ${limitMb} MB`
    : `its limit of ${limitMb} MB (3/4 of the memory the machine, or its container, gives it; --max-memory sets it)`;
  if (loading)
    return {
      text: `the process ran out of memory while the driver was loading: it grew to ${residentMb} MB, past ${limit}, and the run was stopped before it started (a C driver is compiled then, when the compile cache does not hold it, and the compiler takes about 350 MB; a driver module's top-level code runs then too).`,
      json: { error: 'out-of-memory', memory: { residentMb, limitMb, phase: 'loading' } },
    };
  const running = state?.frames[0] ?? null;
  const lines = [
    `the driver ran out of memory: the process grew to ${residentMb} MB, past ${limit}, and the run was stopped (does the driver allocate without bound, or keep something from every run? Typed arrays and Buffers count here, though the JavaScript heap limit leaves them out).`,
  ];
  if (state !== null) {
    lines.push(`  ${running !== null ? `in ${running}, ` : ''}seed=${state.seed} tick=${state.tick}`);
    if (state.frames.length > 1) lines.push(`  role frames, innermost first: ${state.frames.join(' ← ')}`);
    if (state.replay !== '') lines.push(`Replay: ${state.replay}`);
  } else if (pooled) lines.push('  Which run grew is not known with --workers: run with --workers 1 to name it.');
  return {
    text: lines.join('\n'),
    json: {
      error: 'out-of-memory',
      memory: { residentMb, limitMb },
      ...(state !== null
        ? { function: running, frames: state.frames, seed: state.seed, tick: state.tick, replay: state.replay }
        : {}),
    },
  };
}

function watchdogReport(run: DriverRun, state: WatchState): Failure {
  const seconds = run.watchdogSeconds;
  if (state.phase === PHASE_LOADING) {
    return {
      text: `the watchdog stopped the run: the driver module did not finish loading within ${seconds + LOAD_GRACE_MS / 1000} s (a loop at its top level?).`,
      json: { watchdog: { seconds, phase: 'loading' } },
    };
  }
  if (state.phase === PHASE_SETTLING) {
    // Which run left it behind is not known (any of the chunk's, and the chunks depend on --workers).
    return {
      text: [
        `the watchdog stopped the run: a timer or a promise the driver left behind has not returned for ${seconds} s of wall-clock time.`,
        '  It ran after the runs had ended (ddikit lets what a driver leaves behind run after each chunk of',
        '  runs, to report the DDIs it calls): a timer the driver set and never cancelled, looping without',
        '  calling a DDI. A driver must cancel its timers before MiniportHaltEx returns (--watchdog sets the limit).',
      ].join('\n'),
      json: { watchdog: { seconds, phase: 'after-runs' } },
    };
  }
  const running = state.frames[0] ?? null;
  const lines = [
    running !== null
      ? `the watchdog stopped the run: ${running} has not returned for ${seconds} s of wall-clock time.`
      : `the watchdog stopped the run: no role function started or returned for ${seconds} s of wall-clock time.`,
    ...(state.where !== '' ? [`  ${printable(state.where)}`] : []),
    `  seed=${state.seed} tick=${state.tick}`,
  ];
  if (state.frames.length > 1) lines.push(`  role frames, innermost first: ${state.frames.join(' ← ')}`);
  lines.push(
    '  A loop that calls no DDI lets no simulated time pass, so only this watchdog can stop it: look for a',
    '  loop whose exit condition the loop itself never changes (--watchdog sets the limit).',
  );
  if (state.replay !== '') lines.push(`Replay: ${state.replay}`);
  return {
    text: lines.join('\n'),
    json: {
      watchdog: {
        seconds,
        phase: 'running',
        function: running,
        at: state.where !== '' ? printable(state.where).replace(/^at /, '') : null,
        frames: state.frames,
        seed: state.seed,
        tick: state.tick,
        replay: state.replay,
      },
    },
  };
}

/** Text from the watched thread's memory, with control characters shown as \u escapes (it reaches a terminal). */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters matched are the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** How the driver ended the process: process.exit(code), or process.kill with a signal aimed at it. */
interface ExitCall {
  readonly code: number;
  readonly at: string | null;
  readonly signal: string | null;
}

function endedWithoutResult(exitCalled: ExitCall | null, exitCode: number, state: WatchState, cwd: string): Failure {
  if (exitCalled !== null) {
    const at = exitCalled.at !== null ? ` at ${stackPlace(exitCalled.at, cwd)}` : '';
    const called =
      exitCalled.signal === null
        ? `process.exit(${exitCalled.code})`
        : `process.kill with ${JSON.stringify(exitCalled.signal)} for its own process`;
    return {
      text: `the driver module called ${called}${at}; the run was cut short and nothing it would have found was reported. A driver must not end the process.`,
      json:
        exitCalled.signal === null
          ? { error: 'process-exit', exitCode: exitCalled.code, at: exitCalled.at }
          : { error: 'process-kill', signal: exitCalled.signal, at: exitCalled.at },
    };
  }
  if (state.phase === PHASE_LOADING) {
    return {
      text: 'the driver module never finished loading: its top-level await did not settle (nothing was left that could settle it).',
      json: { error: 'load-never-settled' },
    };
  }
  return {
    text: `the run ended without a result (the worker exited with code ${exitCode}).`,
    json: { error: 'no-result', exitCode },
  };
}

/**
 * A driver thread (or a pool thread, whose error its owner passes on) ended with an error: the
 * driver threw where no run could catch it, or the thread ran out of heap.
 */
export function threadError(error: unknown): Failure {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /^Worker terminated due to reaching memory limit/.test(errorText(error)))
    return {
      text: 'the driver ran out of memory: the thread that runs it reached the JavaScript heap limit and was stopped (does the driver allocate without bound, or keep something from every run?).',
      json: { error: 'out-of-memory' },
    };
  return {
    text: `the driver threw outside the run, where the harness cannot catch it: ${errorText(error)}`,
    json: { error: 'uncaught', message: errorText(error) },
  };
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const at = error.stack
    ?.split('\n')
    .find((line) => line.startsWith('    at '))
    ?.replace(/^\s*at /, '');
  return `${error.message}${at !== undefined ? ` (at ${at})` : ''}`;
}

/** Starts a thread that loads the driver and runs a command (driver-worker.ts), or serves a pool (driver-pool.ts). */
export function startDriverThread(data: DriverWorkerData): Worker {
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...data, entry: workerEntry(), tsx: tsxApi() } });
}

/**
 * The worker module: the built module beside the built CLI; run from the TypeScript sources, the
 * source, loaded through tsx, or, with DDIKIT_TEST_BUILT_WORKER=1, the build of that source (the
 * tests set it once they have checked that the build is current: it spares each thread compiling
 * the command's sources, about 0.4 s of CPU).
 */
function workerEntry(): string {
  if (!new URL(import.meta.url).pathname.endsWith('.ts')) return new URL('./driver-worker.js', import.meta.url).href;
  if (process.env['DDIKIT_TEST_BUILT_WORKER'] === '1')
    return new URL('../../../dist/driver-worker.js', import.meta.url).href;
  return new URL('./driver-worker.ts', import.meta.url).href;
}

/** tsx's loader API (the worker loads the TypeScript sources through it when run from them). */
function tsxApi(): string {
  const path = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(path.replace(/\.cjs$/, '.mjs')).href;
}

/** The worker's first code: load the worker module (through tsx when it is TypeScript) and run it. */
const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  let entry;
  if (workerData.entry.endsWith('.ts')) {
    const { register } = await import(workerData.tsx);
    entry = await register({ namespace: 'ddikit-worker' }).import(workerData.entry, workerData.entry);
  } else {
    entry = await import(workerData.entry);
  }
  await entry.runDriverWorker(workerData, parentPort);
})().catch((error) => {
  throw error;
});
`;
