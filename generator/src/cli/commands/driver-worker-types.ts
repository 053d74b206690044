/** What the watching thread (driver-run.ts) and the worker (driver-worker.ts) hand each other. */
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
}

/** What the worker posts. */
export type DriverWorkerMessage =
  | { readonly type: 'out'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'done'; readonly code: number }
  | { readonly type: 'exit'; readonly code: number; readonly at: string | null };
