/**
 * `--workers N` of `ddikit explore` and `ddikit simulate`: the thread that runs the command (a
 * watched driver thread, driver-run.ts) is one of the N workers, and N − 1 pool threads beside it
 * each load the driver and run the chunks of jobs they are handed. The owner cuts the jobs into
 * chunks as it goes (large while much is left, small near the end, so no thread waits long for the
 * last one; `chunkSize`), keeps each pool thread one chunk ahead (its next chunk is queued before it
 * finishes the current one), runs a chunk itself in between (the smallest while a pool thread is
 * still loading, so one that gets ready is handed work soon), and puts the results together in the order of the
 * jobs whatever order they came back in: what a command does with them never depends on which
 * thread ran what, or when.
 *
 * The pool threads start before the owner loads the driver, so their start-up overlaps its own; until
 * the owner first hands out work, what they do is held back: a driver that cannot load, throws while
 * loading or calls process.exit is reported once, by the owner, as without a pool.
 *
 * Each pool thread has its own watch probe, which the owner passes on to the watching thread, so the
 * wall-clock watchdog sees a driver looping in a pool thread as it does in the owner. A pool thread
 * whose driver throws outside a run, or calls process.exit, ends the owner the same way the driver
 * would have ended a single thread: the watching thread reports it as it does there.
 *
 * When the command watches the driver's environment (`explore --shard`), every chunk, the owner's
 * and each pool thread's, says what the driver read of it while the chunk ran, and `run` answers with
 * what the chunks whose results it used say, in their order: what a shard records of the environment
 * does not depend on which thread ran what either.
 */
import { availableParallelism } from 'node:os';
import type { MessagePort, Worker } from 'node:worker_threads';
import type { CliIo } from '../io.js';
import { type EnvironmentUse, environmentOfChunks } from './driver-environment.js';
import { type DriverCommand, DriverUsageError } from './driver-module.js';
import { startDriverThread } from './driver-run.js';
import type { DriverWorkerMessage, PoolRequest, ThreadHooks } from './driver-worker-types.js';
import { watchBuffer, watchEnded } from './watch-probe.js';

/** Most worker threads a command may start (the owner's own thread included). */
export const WORKERS_MAX = 64;

/**
 * --workers N|auto: N threads (1 when absent); auto, one per processor the machine gives the process
 * (os.availableParallelism), at most WORKERS_MAX.
 */
export function workersOption(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.min(Math.max(availableParallelism(), 1), WORKERS_MAX);
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= 1 && parsed <= WORKERS_MAX))
    throw new DriverUsageError(
      `--workers must be an integer in 1..${WORKERS_MAX}, or auto for one per processor (got ${JSON.stringify(value)}).`,
    );
  return parsed;
}

/** Chunks a pool thread holds at once: the one it runs and the next, queued. */
const CHUNKS_AHEAD = 2;
/** A chunk is about the jobs not yet handed out over this many times the threads (guided self-scheduling). */
const CHUNK_SHARE = 4;

/** How large the chunks of a command's jobs are, in jobs. */
export interface ChunkSizes {
  readonly min: number;
  readonly max: number;
}

/**
 * How many of the `left` jobs not yet handed out the next chunk takes, with `threads` threads in all
 * (guided self-scheduling: a share of what is left, within the command's sizes). `ownerWhileLoading`:
 * the chunk is the owner's own while a pool thread is still loading, and is then the smallest — the
 * owner hands out work only between its chunks, so a thread that gets ready during a large one waits
 * for it to end (a first chunk of 512 schedules, run before the code is warm, kept one of two threads
 * idle for a third of a second).
 */
export function chunkSize(left: number, threads: number, sizes: ChunkSizes, ownerWhileLoading: boolean): number {
  if (ownerWhileLoading) return Math.min(sizes.min, left);
  const share = Math.ceil(left / (CHUNK_SHARE * threads));
  return Math.min(Math.max(share, sizes.min), sizes.max, left);
}

/** What the owner runs with the pool's help. */
export interface PoolWork<Job, Result> {
  readonly jobs: readonly Job[];
  /**
   * Runs a chunk in the owner's thread. The pool's messages wait while it runs synchronously (a
   * promise it returns lets them in: simulate's chunks end letting the drivers' timers run).
   */
  readonly runHere: (jobs: readonly Job[]) => readonly Result[] | Promise<readonly Result[]>;
  /**
   * Whether a chunk's results end the work: the jobs after that chunk are not needed. They are not
   * handed out any more, and what comes back for those already out is dropped.
   */
  readonly ends?: (jobs: readonly Job[], results: readonly Result[]) => boolean;
  /**
   * Watches what the driver does with the environment in the owner's chunks
   * (DriverModule.environmentSince); the pool threads watch theirs when servePool is given it.
   */
  readonly environmentSince?: () => () => EnvironmentUse;
}

/** What the pool answers a PoolWork with. */
export interface PoolAnswer<Result> {
  /** The results, in the order of the jobs. */
  readonly results: Result[];
  /**
   * What the driver did with the environment in the chunks whose results these are
   * (environmentOfChunks); nothing when the chunks do not say (no PoolWork.environmentSince).
   */
  readonly environment: EnvironmentUse;
}

/** What the owner's watch probe is told around its own chunks. */
export interface OwnerProbe {
  /** The owner runs the driver. */
  readonly running: () => void;
  /** The owner waits for the pool threads. */
  readonly waiting: () => void;
}

interface PoolThread {
  readonly worker: Worker;
  readonly buffer: SharedArrayBuffer;
  /** It has loaded the driver and serves chunks. */
  ready: boolean;
  /** Chunks handed to it and not answered yet. */
  outstanding: number;
}

export class DriverPool<Job, Result> {
  private readonly threads: PoolThread[] = [];
  /** What the threads did before the owner first handed out work (null once it has): replayed then. */
  private held: (() => void)[] | null = [];
  private readonly answers = new Map<
    number,
    (results: readonly Result[], environment: EnvironmentUse | null) => void
  >();
  /** Wakes the owner when it waits for an answer or a thread that gets ready. */
  private wake: (() => void) | null = null;
  private closed = false;
  private nextId = 0;

  /** Starts `size` pool threads for `command` with the command's own arguments. */
  constructor(
    command: DriverCommand,
    args: readonly string[],
    size: number,
    private readonly sizes: ChunkSizes,
    private readonly io: CliIo,
    private readonly hooks: ThreadHooks,
  ) {
    for (let i = 0; i < size; i++) {
      const buffer = watchBuffer();
      const worker = startDriverThread({
        command,
        args: [...args],
        cwd: io.cwd,
        color: io.color,
        progress: false,
        buffer,
        pool: true,
      });
      const thread: PoolThread = { worker, buffer, ready: false, outstanding: 0 };
      worker.on('message', (message: DriverWorkerMessage) => this.received(thread, message));
      // The driver threw where no run could catch it, or the thread ran out of heap: end this thread
      // with the same error. Node emits the thread's 'exit' right after its 'error', in the same
      // turn: the exit must not end this thread first, or the error is lost (a bare exit code 1).
      let failed = false;
      worker.on('error', (error) => {
        failed = true;
        this.happened(() => {
          setImmediate(() => {
            throw error;
          });
        });
      });
      worker.on('exit', () => {
        if (!failed) this.happened(() => this.hooks.endThread(1));
      });
      this.threads.push(thread);
    }
  }

  /**
   * Runs the jobs in chunks, on the pool threads and in this thread; resolves to their results in
   * the order of the jobs (up to the end of the chunk that ended the work, when one did).
   */
  async run(work: PoolWork<Job, Result>, probe: OwnerProbe): Promise<PoolAnswer<Result>> {
    this.open();
    const { jobs, runHere, ends, environmentSince } = work;
    const chunks: {
      readonly jobs: readonly Job[];
      results: readonly Result[] | null;
      environment: EnvironmentUse | null;
    }[] = [];
    let handedOut = 0;
    /** The first chunk whose results ended the work. */
    let endedAt = Number.POSITIVE_INFINITY;
    const answered = (index: number, results: readonly Result[], environment: EnvironmentUse | null): void => {
      const chunk = chunks[index]!;
      chunk.results = results;
      chunk.environment = environment;
      if (ends?.(chunk.jobs, results) === true) endedAt = Math.min(endedAt, index);
    };
    /** The next chunk, for the owner itself (`own`) or for a pool thread. */
    const take = (own: boolean): number | null => {
      if (handedOut >= jobs.length || chunks.length > endedAt) return null;
      const loading = own && this.threads.some((thread) => !thread.ready);
      const size = chunkSize(jobs.length - handedOut, this.threads.length + 1, this.sizes, loading);
      chunks.push({ jobs: jobs.slice(handedOut, handedOut + size), results: null, environment: null });
      handedOut += size;
      return chunks.length - 1;
    };
    const handOut = (): void => {
      for (const thread of this.threads) {
        while (thread.ready && thread.outstanding < CHUNKS_AHEAD) {
          const index = take(false);
          if (index === null) return;
          this.post(thread, chunks[index]!.jobs, (results, environment) => answered(index, results, environment));
        }
      }
    };
    for (;;) {
      handOut();
      const own = take(true);
      if (own === null) break;
      probe.running();
      const used = environmentSince?.();
      const results = await runHere(chunks[own]!.jobs);
      answered(own, results, used?.() ?? null);
      probe.waiting();
      // Let the pool's messages in: answers, and threads that got ready.
      await new Promise(setImmediate);
    }
    const needed = (): number => Math.min(endedAt + 1, chunks.length);
    const missing = (): boolean => chunks.slice(0, needed()).some((chunk) => chunk.results === null);
    // Waiting for the pool's answers is no hang of this thread, whether or not it ran a chunk itself
    // (the pool threads may have taken every job before it had loaded the driver): the watchdog
    // watches the threads that run them.
    if (missing()) probe.waiting();
    while (missing()) await new Promise<void>((resolve) => (this.wake = resolve));
    probe.running();
    const used = chunks.slice(0, needed());
    return {
      results: used.flatMap((chunk) => chunk.results!),
      environment: environmentOfChunks(
        used.flatMap((chunk) => (chunk.environment === null ? [] : [chunk.environment])),
      ),
    };
  }

  /** Ends every pool thread (once: later calls do nothing). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    for (const { worker } of this.threads) worker.postMessage({ type: 'close' } satisfies PoolRequest);
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
    // A thread ended in the middle of a chunk no longer needed (or before it was ready) left its
    // probe running: its frozen heartbeat is not a hang.
    for (const { buffer } of this.threads) watchEnded(buffer);
  }

  /** The owner hands out work: the threads are watched, and what they did so far happens now. */
  private open(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    for (const { buffer } of this.threads) this.hooks.watch(buffer);
    for (const event of held) event();
  }

  /** Something a thread did that ends or prints: held back until the pool opens, dropped once it is closed. */
  private happened(event: () => void): void {
    if (this.closed) return;
    if (this.held !== null) this.held.push(event);
    else event();
  }

  private received(thread: PoolThread, message: DriverWorkerMessage): void {
    if (message.type === 'ready') {
      thread.ready = true;
      this.wake?.();
    } else if (message.type === 'results') {
      thread.outstanding--;
      const answer = this.answers.get(message.id);
      this.answers.delete(message.id);
      answer?.(message.results as readonly Result[], message.environment ?? null);
      this.wake?.();
    } else if (message.type === 'out') {
      this.happened(() => (message.stream === 'stdout' ? this.io.stdout : this.io.stderr)(message.text));
    } else if (message.type === 'exit') {
      this.happened(() => this.hooks.exitCalled(message.code, message.at, message.signal));
    } else if (message.type === 'done') {
      this.happened(() => this.hooks.endThread(message.code === 0 ? 1 : message.code));
    }
  }

  private post(
    thread: PoolThread,
    jobs: readonly Job[],
    answer: (results: readonly Result[], environment: EnvironmentUse | null) => void,
  ): void {
    const id = this.nextId++;
    this.answers.set(id, answer);
    thread.outstanding++;
    thread.worker.postMessage({ type: 'jobs', id, jobs } satisfies PoolRequest);
  }
}

/**
 * The pool thread's side: says it is ready, then answers each chunk the owner posts with `run`, one
 * after another in the order they came, until the owner closes the pool. With `environmentSince`
 * (DriverModule.environmentSince), each answer says what the driver did with the environment while
 * its chunk ran.
 */
export function servePool<Job, Result>(
  port: MessagePort,
  run: (jobs: readonly Job[]) => readonly Result[] | Promise<readonly Result[]>,
  environmentSince?: () => () => EnvironmentUse,
): Promise<number> {
  return new Promise<number>((resolve) => {
    const queue: { readonly id: number; readonly jobs: readonly Job[] }[] = [];
    let serving = false;
    const serve = async (): Promise<void> => {
      serving = true;
      for (let request = queue.shift(); request !== undefined; request = queue.shift()) {
        const used = environmentSince?.();
        const results = await run(request.jobs);
        const environment = used?.();
        port.postMessage({
          type: 'results',
          id: request.id,
          results,
          ...(environment !== undefined ? { environment } : {}),
        } satisfies DriverWorkerMessage);
      }
      serving = false;
    };
    port.on('message', (request: PoolRequest) => {
      if (request.type === 'close') return resolve(0);
      queue.push({ id: request.id, jobs: request.jobs as readonly Job[] });
      if (!serving) void serve();
    });
    port.postMessage({ type: 'ready' } satisfies DriverWorkerMessage);
  });
}
