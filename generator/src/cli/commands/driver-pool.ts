/**
 * Worker threads that each load the driver and run the jobs they are handed — `--workers N` of
 * `ddikit explore` and `ddikit simulate`. The thread that owns the pool (itself a watched driver
 * thread, driver-run.ts) hands out chunks of jobs, one chunk per idle worker, and gets the results
 * back in the order of the chunks whatever order they finish in; what a command does with the
 * results never depends on which worker ran what, or when.
 *
 * Each worker has its own watch probe, which the owner passes on to the watching thread, so the
 * wall-clock watchdog sees a driver looping in a worker as it does in a single thread. A worker
 * whose driver throws outside a run, or calls process.exit, ends the owner the same way the driver
 * would have ended a single thread: the watching thread reports it as it does there.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import type { CliIo } from '../io.js';
import type { DriverCommand } from './driver-module.js';
import { startDriverThread } from './driver-run.js';
import type { DriverWorkerMessage, PoolRequest, ThreadHooks } from './driver-worker-types.js';
import { watchBuffer } from './watch-probe.js';

/** Most worker threads a command may start. */
export const WORKERS_MAX = 64;

interface Task<Job, Result> {
  readonly jobs: readonly Job[];
  readonly done: (results: readonly Result[]) => void;
}

export class DriverPool<Job, Result> {
  private readonly idle: Worker[] = [];
  private readonly queue: Task<Job, Result>[] = [];
  private readonly running = new Map<Worker, Task<Job, Result>>();
  private closed = false;
  private nextId = 0;

  /** Starts `size` workers for `command` with the command's own arguments. */
  constructor(command: DriverCommand, args: readonly string[], size: number, io: CliIo, hooks: ThreadHooks) {
    for (let i = 0; i < size; i++) {
      const buffer = watchBuffer();
      hooks.watch(buffer);
      const worker = startDriverThread({
        command,
        args: [...args],
        cwd: io.cwd,
        color: io.color,
        progress: false,
        buffer,
        pool: true,
      });
      worker.on('message', (message: DriverWorkerMessage) => {
        if (message.type === 'out') (message.stream === 'stdout' ? io.stdout : io.stderr)(message.text);
        else if (message.type === 'exit') hooks.exitCalled(message.code, message.at);
        else if (message.type === 'results') this.finished(worker, message.results as readonly Result[]);
        else if (message.type === 'done' && !this.closed) hooks.endThread(message.code === 0 ? 1 : message.code);
      });
      worker.on('error', (error) => {
        // The driver threw where no run could catch it: end this thread with the same error.
        setImmediate(() => {
          throw error;
        });
      });
      worker.on('exit', () => {
        if (!this.closed) hooks.endThread(1);
      });
      this.idle.push(worker);
    }
  }

  /** Runs chunks of jobs, each on one worker; resolves to their results, chunk by chunk in order. */
  run(chunks: readonly (readonly Job[])[]): Promise<(readonly Result[])[]> {
    return Promise.all(
      chunks.map(
        (jobs) =>
          new Promise<readonly Result[]>((resolve) => {
            this.queue.push({ jobs, done: resolve });
            this.dispatch();
          }),
      ),
    );
  }

  /** Ends every worker. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.idle, ...this.running.keys()];
    for (const worker of workers) worker.postMessage({ type: 'close' } satisfies PoolRequest);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.shift()!;
      const task = this.queue.shift()!;
      this.running.set(worker, task);
      worker.postMessage({ type: 'jobs', id: this.nextId++, jobs: task.jobs } satisfies PoolRequest);
    }
  }

  private finished(worker: Worker, results: readonly Result[]): void {
    const task = this.running.get(worker);
    if (task === undefined) return;
    this.running.delete(worker);
    this.idle.push(worker);
    task.done(results);
    this.dispatch();
  }
}

/** Splits jobs into about `count` chunks of consecutive jobs, in order. */
export function chunksOf<Job>(jobs: readonly Job[], count: number): Job[][] {
  const size = Math.max(1, Math.ceil(jobs.length / count));
  const out: Job[][] = [];
  for (let at = 0; at < jobs.length; at += size) out.push(jobs.slice(at, at + size));
  return out;
}

/** The worker side: answers each batch of jobs the pool's owner posts with `run`, until it closes the pool. */
export function servePool<Job, Result>(
  port: MessagePort,
  run: (jobs: readonly Job[]) => readonly Result[] | Promise<readonly Result[]>,
): Promise<number> {
  return new Promise<number>((resolve) => {
    port.on('message', (request: PoolRequest) => {
      if (request.type === 'close') return resolve(0);
      void (async () => {
        const results = await run(request.jobs as readonly Job[]);
        port.postMessage({ type: 'results', id: request.id, results } satisfies DriverWorkerMessage);
      })();
    });
  });
}
