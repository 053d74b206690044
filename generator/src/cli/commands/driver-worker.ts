/**
 * The thread that runs a driver for `ddikit simulate` and `ddikit explore` (driver-run.ts starts
 * it and watches it): loads the command, runs it with an io that posts its output to the watching
 * thread, and says when it is done. A driver module that calls process.exit, or signals its own
 * process with process.kill, is caught here and named; everything else the driver does wrong the
 * command itself reports. A pool worker (driver-pool.ts) loads the driver the same way and runs the
 * jobs its owner hands it.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DriverWorkerData, DriverWorkerMessage, ThreadHooks } from './driver-worker-types.js';

/** Runs the command in this thread; called by the worker's bootstrap. */
export async function runDriverWorker(data: DriverWorkerData, port: MessagePort): Promise<void> {
  const post = (message: DriverWorkerMessage): void => port.postMessage(message);
  const exit = process.exit.bind(process);
  const caller = (): string | null => new Error().stack?.split('\n')[3]?.replace(/^\s*at /, '') ?? null;
  process.exit = ((code?: number | string | null) => {
    const at = caller();
    // Node itself ends a thread this way after an uncaught error (the error is what is reported).
    if (at?.includes('node:internal/main/worker_thread') !== true)
      post({ type: 'exit', code: Number(code ?? process.exitCode ?? 0), at, signal: null });
    return exit(code as number | undefined);
  }) as typeof process.exit;
  // A signal to this process (its pid, its group, every process) ends it as process.exit would, and
  // would take the watching thread with it: the driver's run ends here instead, and is reported.
  const kill = process.kill.bind(process);
  process.kill = ((pid: number, signal?: string | number) => {
    const target = Number(pid);
    // Signal 0 only asks whether a process exists; another process, or no pid at all, is Node's to answer.
    if (signal === 0 || Number.isNaN(target) || (target !== process.pid && target > 0)) return kill(pid, signal);
    post({ type: 'exit', code: 1, at: caller(), signal: String(signal ?? 'SIGTERM') });
    return exit(1);
  }) as typeof process.kill;
  // What the driver prints (console.log and console.error, process.stdout and process.stderr) goes
  // to the command's stderr: stdout carries the report alone, which --json makes a document other
  // programs parse.
  const printed = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    post({ type: 'out', stream: 'stderr', text });
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (done !== undefined) queueMicrotask(done);
    return true;
  };
  process.stdout.write = printed as typeof process.stdout.write;
  process.stderr.write = printed as typeof process.stderr.write;
  process.setSourceMapsEnabled(true);
  const io = {
    cwd: data.cwd,
    color: data.color,
    progress: data.progress,
    stdout: (text: string) => post({ type: 'out', stream: 'stdout', text }),
    stderr: (text: string) => post({ type: 'out', stream: 'stderr', text }),
  };
  const hooks: ThreadHooks = {
    watch: (buffer) => post({ type: 'watch', buffer }),
    exitCalled: (code, at, signal) => post({ type: 'exit', code, at, signal }),
    endThread: (code) => exit(code),
  };
  if (data.pool === true) {
    const serve =
      data.command === 'simulate'
        ? (await import('./simulate.js')).simulatePoolWorker
        : (await import('./explore.js')).explorePoolWorker;
    const code = await serve(data.args, io, data.buffer, port);
    post({ type: 'done', code });
    return;
  }
  const code =
    data.command === 'simulate'
      ? await (await import('./simulate.js')).simulateInThread(data.args, io, data.buffer, hooks)
      : await (await import('./explore.js')).exploreInThread(data.args, io, data.buffer, hooks);
  post({ type: 'done', code });
}
