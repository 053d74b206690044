/** What the watching thread (driver-run.ts) and the worker (driver-worker.ts) hand each other. */
import type { EnvironmentUse } from './driver-environment.js';
import type { DriverCommand } from './driver-module.js';

/** What the watching thread hands the worker. */
export interface DriverWorkerData {
  readonly command: DriverCommand;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly color: boolean;
  readonly progress: boolean;
  /** The shared memory of the watch probe (watch-probe.ts). */
  readonly buffer: SharedArrayBuffer;
  /** A worker of a pool (driver-pool.ts): it loads the driver and runs the jobs it is handed. */
  readonly pool?: boolean;
}

/** What the worker posts. */
export type DriverWorkerMessage =
  | { readonly type: 'out'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'done'; readonly code: number }
  /** The driver ended the process: process.exit(code), or process.kill with `signal` (else null) aimed at it. */
  | { readonly type: 'exit'; readonly code: number; readonly at: string | null; readonly signal: string | null }
  /** Watch this memory too: a pool worker's watch probe. */
  | { readonly type: 'watch'; readonly buffer: SharedArrayBuffer }
  /**
   * A pool worker is ready for jobs, or answers a chunk of them: with what the driver did with the
   * environment while it ran them, when the worker watches it (servePool).
   */
  | { readonly type: 'ready' }
  | {
      readonly type: 'results';
      readonly id: number;
      readonly results: readonly unknown[];
      readonly environment?: EnvironmentUse;
    };

/** What a pool's owner posts to a pool worker. */
export type PoolRequest =
  | { readonly type: 'jobs'; readonly id: number; readonly jobs: readonly unknown[] }
  | { readonly type: 'close' };

/** What a command running in a driver thread may do besides printing (driver-worker.ts gives it). */
export interface ThreadHooks {
  /** Have the watching thread watch a pool worker's memory too. */
  readonly watch: (buffer: SharedArrayBuffer) => void;
  /** Pass on a pool worker's process.exit (or process.kill), as if the driver had called it in this thread. */
  readonly exitCalled: (code: number, at: string | null, signal: string | null) => void;
  /** End this thread now (process.exit as it was before the driver's was caught). */
  readonly endThread: (code: number) => never;
}
