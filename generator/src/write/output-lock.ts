/**
 * A lock on an output folder: a file .ddikit.lock holding the process id, taken with an exclusive
 * create, so concurrent runs never interleave their renames. A lock left by a process that is gone is
 * taken over; one held by a live process is waited for, up to a timeout. Holding it, a run first
 * finishes or undoes the write of a run that died (journal.ts), then does its own.
 *
 * The output folder is created here when it does not exist, one level at a time; folders this run
 * created are removed again when the run leaves them empty (a write that failed, a disk that is
 * full), so a failed run leaves no empty folder behind.
 */
import * as nodeFs from 'node:fs';
import { dirname, join } from 'node:path';
import { recoverOutput } from './journal.js';
import {
  codeOf,
  failure,
  lstatOrNull,
  readHead,
  realFs,
  removeIfPresent,
  WriteError,
  type WriterFs,
} from './write-fs.js';

export interface LockOptions {
  /** Folders (relative) whose stray temporary and backup files the run owns; the folder itself always. */
  ownedDirs?: readonly string[];
  timeoutMs?: number;
  fs?: WriterFs;
}

export const lockName = '.ddikit.lock';

/** Runs `run` holding the lock on `outDir`, after recovering what a dead run left there. */
export function withOutputLock<T>(outDir: string, run: () => T, options: LockOptions = {}): T {
  const fs = options.fs ?? realFs;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const created = createFolder(outDir, fs);
  const lock = join(outDir, lockName);
  try {
    acquire(lock, timeoutMs, fs);
  } catch (error) {
    removeCreated(created, fs);
    throw error;
  }
  try {
    recoverOutput(outDir, options.ownedDirs ?? [], fs);
    return run();
  } finally {
    removeIfPresent(lock, fs);
    removeCreated(created, fs);
  }
}

/** Creates the folder and any missing parents, one level at a time; returns those it created, parents first. */
function createFolder(outDir: string, fs: WriterFs): string[] {
  const missing: string[] = [];
  for (let path = outDir; ; path = dirname(path)) {
    const stat = lstatOrNull(path, fs);
    if (stat !== null) {
      if (!stat.isDirectory() && !(stat.isSymbolicLink() && isFolder(path)))
        throw new WriteError(path, 'it is a file, not a folder; nothing was changed.', 'ENOTDIR');
      break;
    }
    missing.unshift(path);
    if (dirname(path) === path) break;
  }
  const created: string[] = [];
  for (const path of missing) {
    try {
      fs.mkdirSync(path);
    } catch (error) {
      // Another run created it meanwhile: it is theirs, and a folder all the same.
      if (codeOf(error) === 'EEXIST' && lstatOrNull(path, fs)?.isDirectory()) continue;
      removeCreated(created, fs);
      throw failure(path, error);
    }
    created.push(path);
  }
  return created;
}

function isFolder(path: string): boolean {
  try {
    return nodeFs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Removes the folders this run created, deepest first, as long as they are empty. */
function removeCreated(created: readonly string[], fs: WriterFs): void {
  for (const path of [...created].reverse()) {
    try {
      fs.rmdirSync(path);
    } catch {
      return;
    }
  }
}

const lockFlags =
  nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL | nodeFs.constants.O_NOFOLLOW;

function acquire(lock: string, timeoutMs: number, fs: WriterFs): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let fd: number;
    try {
      fd = fs.openSync(lock, lockFlags, 0o666);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw failure(lock, error);
      if (lockIsStale(lock, fs)) {
        removeIfPresent(lock, fs);
        continue;
      }
      if (Date.now() > deadline) {
        throw new WriteError(
          lock,
          `another ddikit run holds the lock; waited ${timeoutMs / 1000} s. Remove the file if no run is active; nothing was changed.`,
          'EBUSY',
        );
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
      continue;
    }
    // The lock is ours from the exclusive create on; a failure to record the pid gives it back.
    try {
      const pid = Buffer.from(String(process.pid));
      fs.writeSync(fd, pid, 0, pid.length);
    } catch (error) {
      fs.closeSync(fd);
      removeIfPresent(lock, fs);
      throw failure(lock, error);
    }
    fs.closeSync(fd);
    return;
  }
}

/** A lock whose process is gone. One without a readable pid is stale only once it is old (a run may be writing it). */
function lockIsStale(lock: string, fs: WriterFs): boolean {
  const stat = lstatOrNull(lock, fs);
  if (stat === null) return false;
  // Not a lock file this writer makes (a link, a folder): never taken over, never removed.
  if (!stat.isFile())
    throw new WriteError(lock, 'it is not a lock file ddikit wrote; remove it. Nothing was changed.', 'EINVAL');
  const head = readHead(lock, 32, fs);
  const pid = head === null ? Number.NaN : Number(head.toString('utf8'));
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - stat.mtimeMs > 10_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return codeOf(error) === 'ESRCH';
  }
}
