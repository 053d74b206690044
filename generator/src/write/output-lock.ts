/**
 * A lock on an output folder: a file .ddikit.lock holding the process id, taken with an exclusive
 * create, so concurrent runs never interleave their renames. A lock left by a process that is gone is
 * taken over; one held by a live process is waited for, up to a timeout.
 */
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import { WriteError } from './write.js';

/** A lock on an output folder so concurrent runs never interleave their renames. */
export function withOutputLock<T>(outDir: string, run: () => T, timeoutMs = 30_000): T {
  nodeFs.mkdirSync(outDir, { recursive: true });
  const lock = join(outDir, '.ddikit.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      nodeFs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale(lock)) {
        try {
          nodeFs.unlinkSync(lock);
        } catch {
          // Another run removed it first.
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new WriteError(
          `another ddikit run holds ${lock}; waited ${timeoutMs / 1000} s. Remove the file if no run is active.`,
          lock,
          'EBUSY',
        );
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
  try {
    return run();
  } finally {
    try {
      nodeFs.unlinkSync(lock);
    } catch {
      // Already gone.
    }
  }
}

function lockIsStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(nodeFs.readFileSync(lock, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
