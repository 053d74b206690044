/**
 * The thread that runs a driver for `ddikit simulate` and `ddikit explore` (driver-run.ts starts
 * it and watches it): loads the command, runs it with an io that posts its output to the watching
 * thread, and says when it is done. A driver module that calls process.exit is caught here and
 * named; everything else the driver does wrong the command itself reports. A pool worker
 * (driver-pool.ts) loads the driver the same way and runs the jobs its owner hands it.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DriverWorkerData, DriverWorkerMessage, ThreadHooks } from './driver-worker-types.js';

/** Runs the command in this thread; called by the worker's bootstrap. */
export async function runDriverWorker(data: DriverWorkerData, port: MessagePort): Promise<void> {
  const post = (message: DriverWorkerMessage): void => port.postMessage(message);
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const at = new Error().stack?.split('\n')[2]?.replace(/^\s*at /, '') ?? null;
    post({ type: 'exit', code: Number(code ?? process.exitCode ?? 0), at });
    return exit(code as number | undefined);
  }) as typeof process.exit;
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
    exitCalled: (code, at) => post({ type: 'exit', code, at }),
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
