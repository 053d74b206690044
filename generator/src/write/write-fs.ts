/**
 * What every writer shares: the file-system calls it makes (tests replace them to inject faults),
 * the one error it throws (`cannot write PATH: reason`), and the checks that keep a write inside its
 * output folder: no path component below the folder may be a link or anything but a folder, and a
 * file is only ever replaced when it is a regular file.
 */
import * as nodeFs from 'node:fs';
import { dirname, join, sep } from 'node:path';

/** The file-system calls the writers make; tests replace them to inject faults. */
export interface WriterFs {
  lstatSync(path: string): nodeFs.Stats;
  openSync(path: string, flags: number, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  fstatSync(fd: number): nodeFs.Stats;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  mkdirSync(path: string): unknown;
  rmdirSync(path: string): void;
  readdirSync(path: string): string[];
}

export const realFs: WriterFs = {
  lstatSync: (path) => nodeFs.lstatSync(path),
  openSync: (path, flags, mode) => nodeFs.openSync(path, flags, mode),
  writeSync: (fd, buffer, offset, length) => nodeFs.writeSync(fd, buffer, offset, length),
  readSync: (fd, buffer, offset, length, position) => nodeFs.readSync(fd, buffer, offset, length, position),
  fstatSync: (fd) => nodeFs.fstatSync(fd),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  closeSync: (fd) => nodeFs.closeSync(fd),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  unlinkSync: (path) => nodeFs.unlinkSync(path),
  mkdirSync: (path) => nodeFs.mkdirSync(path),
  rmdirSync: (path) => nodeFs.rmdirSync(path),
  readdirSync: (path) => nodeFs.readdirSync(path),
};

/**
 * A write that could not be made: `cannot write PATH: reason`. The command line prints it as one
 * line (`ddikit: cannot write …`, the path relative to the working folder) and exits 1.
 */
export class WriteError extends Error {
  constructor(
    /** The path that could not be written (absolute). */
    readonly path: string,
    /** Why, and what was done about it: "the disk is full (ENOSPC); nothing was changed." */
    readonly reason: string,
    readonly causeCode: string | undefined,
  ) {
    super(`cannot write ${path}: ${reason}`);
    this.name = 'WriteError';
  }
}

/** The error code of a failed call, if it has one. */
export function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** A WriteError for a failed call: the reason in words, with the code, and that nothing was changed. */
export function failure(path: string, error: unknown): WriteError {
  if (error instanceof WriteError) return error;
  const code = codeOf(error);
  return new WriteError(path, explain(code), code);
}

export function explain(code: string | undefined): string {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `the disk is full (${code}); nothing was changed. Free some space and run again.`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}); nothing was changed. Check the permissions of the output folder.`;
    case 'EROFS':
      return 'the file system is read-only (EROFS); nothing was changed.';
    case 'EEXIST':
      return 'a temporary file of another run is in the way (EEXIST); nothing was changed. Run again.';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder (ENOTDIR); nothing was changed.';
    case 'EISDIR':
      return 'it is a folder; nothing was changed.';
    case 'ENAMETOOLONG':
      return 'the name is too long for the file system (ENAMETOOLONG); nothing was changed.';
    case 'ELOOP':
      return 'it is a symbolic link; ddikit writes no file through a link in its output folder. Remove the link; nothing was changed.';
    case 'EIO':
      return 'an input/output error (EIO); nothing was changed.';
    case undefined:
      return 'nothing was changed.';
    default:
      return `${code}; nothing was changed.`;
  }
}

/** The stat of a path, or null when nothing is there. */
export function lstatOrNull(path: string, fs: WriterFs): nodeFs.Stats | null {
  try {
    return fs.lstatSync(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return null;
    throw failure(path, error);
  }
}

export const linkReason =
  'it is a symbolic link; ddikit writes no file through a link in its output folder. Remove the link; nothing was changed.';

/** What a non-regular file is, in words. */
export function kindOf(stat: nodeFs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/**
 * Checks that every folder from `outDir` down to the parent of `relative` is a real folder or does
 * not exist yet (then it is returned, in creation order, among the missing), and that the file
 * itself, if present, is a regular file. Throws WriteError naming the first path that is a link, a
 * file where a folder belongs, or a special file. `known` caches folders already checked.
 */
export function checkTarget(
  outDir: string,
  relative: string,
  fs: WriterFs,
  known: Map<string, 'dir' | 'missing'>,
): { missing: string[]; stat: nodeFs.Stats | null } {
  const parts = relative.split('/');
  const missing: string[] = [];
  let folder = '';
  for (const part of parts.slice(0, -1)) {
    folder = folder === '' ? part : `${folder}/${part}`;
    let state = known.get(folder);
    if (state === undefined) {
      const path = join(outDir, folder);
      const stat = lstatOrNull(path, fs);
      if (stat === null) state = 'missing';
      else if (stat.isSymbolicLink()) throw new WriteError(path, linkReason, 'ELOOP');
      else if (!stat.isDirectory())
        throw new WriteError(path, 'it is a file, not a folder; nothing was changed.', 'ENOTDIR');
      else state = 'dir';
      known.set(folder, state);
    }
    if (state === 'missing') missing.push(folder);
  }
  const path = join(outDir, relative);
  const stat = missing.length > 0 ? null : lstatOrNull(path, fs);
  if (stat !== null) {
    if (stat.isSymbolicLink()) throw new WriteError(path, linkReason, 'ELOOP');
    if (stat.isDirectory()) throw new WriteError(path, 'it is a folder; nothing was changed.', 'EISDIR');
    if (!stat.isFile())
      throw new WriteError(
        path,
        `it is not a regular file (${kindOf(stat)}); nothing was changed. Remove it.`,
        'EINVAL',
      );
  }
  return { missing, stat };
}

const readFlags =
  nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW | nodeFs.constants.O_NONBLOCK | nodeFs.constants.O_NOCTTY;

/**
 * The first `bytes` bytes of a regular file (fewer when it is shorter), read without following a
 * link or blocking on a FIFO; null when the path is no regular file or cannot be read.
 */
export function readHead(path: string, bytes: number, fs: WriterFs): Buffer | null {
  let fd: number;
  try {
    fd = fs.openSync(path, readFlags);
  } catch {
    return null;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return null;
    const buffer = Buffer.alloc(bytes);
    let length = 0;
    while (length < bytes) {
      const read = fs.readSync(fd, buffer, length, bytes - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a regular file holds exactly `content` (its size is checked first, so most differ unread). */
export function holds(path: string, stat: nodeFs.Stats, content: Buffer, fs: WriterFs): boolean {
  if (stat.size !== content.length) return false;
  const head = readHead(path, content.length + 1, fs);
  return head !== null && head.equals(content);
}

const writeFlags =
  nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL | nodeFs.constants.O_NOFOLLOW;

/** Creates a new file (never an existing one, never through a link) with `content`, flushed to the disk. */
export function writeNewFile(path: string, content: Buffer, fs: WriterFs): void {
  const fd = fs.openSync(path, writeFlags, 0o666);
  try {
    let written = 0;
    while (written < content.length) written += fs.writeSync(fd, content, written, content.length - written);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes a folder's entries (a rename's effect) to the disk, where the platform allows it. */
export function syncFolder(path: string, fs: WriterFs): void {
  let fd: number;
  try {
    fd = fs.openSync(path, nodeFs.constants.O_RDONLY);
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot flush a folder; the rename itself is still atomic.
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes a file if it is there; true when something was removed. Errors are left to the caller's cleanup. */
export function removeIfPresent(path: string, fs: WriterFs): boolean {
  try {
    fs.unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A unique token for the temporary names of one run: process id and a sequence number. */
let sequence = 0;
export function runToken(): string {
  return `${process.pid}-${(sequence++).toString(36)}`;
}

/** The temporary and backup names of a run: `FILE.ddikit-<pid>-<n>.tmp` and `.bak`; nothing else matches. */
export const strayName = /\.ddikit-[0-9]+-[0-9a-z]+\.(?:tmp|bak)$/;

/** The parent folder of a relative path ('' for the output folder itself). */
export function parentOf(relative: string): string {
  const parent = dirname(relative);
  return parent === '.' ? '' : parent;
}

/** Whether a relative path stays inside its folder: no empty, `.` or `..` part, no absolute start. */
export function isInside(relative: string): boolean {
  if (relative === '' || relative.startsWith('/') || relative.includes('\\') || relative.includes('\0')) return false;
  return relative.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export const pathSeparator = sep;
