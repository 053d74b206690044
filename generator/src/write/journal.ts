/**
 * The journal that makes a multi-file write recoverable. Before it touches a file, a run writes
 * OUT/.ddikit.journal (atomically: a temporary file, flushed, renamed into place) naming every
 * temporary file it will stage, every folder it will create and every file it will replace or
 * remove; before its first rename it marks the journal `committing`. The next run on the folder,
 * under the output lock, reads a journal left by a run that died:
 *
 * - `staging`: no target was touched yet, so the run is rolled back (its temporary files and the
 *   folders it created are removed), and the folder holds the old output;
 * - `committing`: every new file is on the disk, so the run is replayed (each temporary file that
 *   is still there is renamed over its target, each stale file removed), and the folder holds the
 *   new output.
 *
 * Either way it then removes every stray `FILE.ddikit-<pid>-<n>.tmp` or `.bak` file it owns (those
 * a run killed before it wrote a journal leaves, and those of earlier versions), and the journal.
 */
import { join } from 'node:path';
import {
  codeOf,
  failure,
  isInside,
  lstatOrNull,
  readHead,
  removeIfPresent,
  strayName,
  syncFolder,
  WriteError,
  writeNewFile,
  type WriterFs,
} from './write-fs.js';

export const journalName = '.ddikit.journal';

export interface Journal {
  version: 1;
  phase: 'staging' | 'committing';
  token: string;
  /** Files written: each target's path relative to the folder, forward slashes. */
  files: string[];
  /** Generated files removed as stale. */
  stale: string[];
  /** Folders created, parents first. */
  dirs: string[];
}

export function tempOf(path: string, token: string): string {
  return `${path}.ddikit-${token}.tmp`;
}

export function backupOf(path: string, token: string): string {
  return `${path}.ddikit-${token}.bak`;
}

/** Writes the journal in one atomic step and flushes it (and the folder entry) to the disk. */
export function writeJournal(outDir: string, journal: Journal, fs: WriterFs): void {
  const path = join(outDir, journalName);
  const temp = `${path}.tmp`;
  removeIfPresent(temp, fs);
  try {
    writeNewFile(temp, Buffer.from(`${JSON.stringify(journal)}\n`, 'utf8'), fs);
    fs.renameSync(temp, path);
  } catch (error) {
    removeIfPresent(temp, fs);
    throw failure(path, error);
  }
  syncFolder(outDir, fs);
}

export function removeJournal(outDir: string, fs: WriterFs): void {
  removeIfPresent(join(outDir, journalName), fs);
  syncFolder(outDir, fs);
}

/** What recovery did, for tests and messages. */
export interface Recovery {
  /** rolled back: the old output; replayed: the new one; none: no journal was left. */
  journal: 'rolled back' | 'replayed' | 'none';
  /** Stray temporary and backup files removed (relative paths). */
  removed: string[];
}

/**
 * Finishes or undoes the write a dead run left (see the top of this file), then removes every stray
 * temporary or backup file of ddikit in the folder itself and under `ownedDirs`. Call it holding the
 * output lock. Throws WriteError for a journal ddikit did not write.
 */
export function recoverOutput(outDir: string, ownedDirs: readonly string[], fs: WriterFs): Recovery {
  const journalPath = join(outDir, journalName);
  removeIfPresent(`${journalPath}.tmp`, fs);
  const journal = readJournal(journalPath, fs);
  let outcome: Recovery['journal'] = 'none';
  const sweep = new Set<string>(['', ...ownedDirs]);
  if (journal !== null) {
    for (const path of [...journal.files, ...journal.stale]) sweep.add(parentDir(path));
    if (journal.phase === 'committing') {
      replay(outDir, journal, fs);
      outcome = 'replayed';
    } else {
      rollBack(outDir, journal, fs);
      outcome = 'rolled back';
    }
    removeJournal(outDir, fs);
  }
  const removed: string[] = [];
  for (const dir of [...sweep].sort()) sweepStrays(outDir, dir, dir === '' ? 0 : 8, removed, fs);
  return { journal: outcome, removed: removed.sort() };
}

function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** The journal, or null when there is none; WriteError for one that is not a journal ddikit writes. */
function readJournal(path: string, fs: WriterFs): Journal | null {
  const stat = lstatOrNull(path, fs);
  if (stat === null) return null;
  const refuse = (why: string): WriteError =>
    new WriteError(
      path,
      `it is not a journal ddikit wrote (${why}), so the last write there cannot be finished; nothing was changed. Remove it if no ddikit run is active, then check the folder.`,
      'EINVAL',
    );
  if (!stat.isFile() || stat.size > 64 * 1024 * 1024) throw refuse('not a regular file of a sensible size');
  const bytes = readHead(path, stat.size, fs);
  if (bytes === null) throw refuse('not readable');
  let journal: Journal;
  try {
    journal = JSON.parse(bytes.toString('utf8')) as Journal;
  } catch {
    throw refuse('not JSON');
  }
  const paths = (list: unknown): list is string[] =>
    Array.isArray(list) && list.every((p) => typeof p === 'string' && isInside(p) && !p.startsWith('.ddikit'));
  if (
    journal === null ||
    typeof journal !== 'object' ||
    journal.version !== 1 ||
    (journal.phase !== 'staging' && journal.phase !== 'committing') ||
    typeof journal.token !== 'string' ||
    !/^[0-9]+-[0-9a-z]+$/.test(journal.token) ||
    !paths(journal.files) ||
    !paths(journal.stale) ||
    !paths(journal.dirs)
  ) {
    throw refuse('an unknown form, or a path outside the folder');
  }
  return journal;
}

/** Checks that no folder on the way to a journal's path is a link, so recovery never leaves the folder. */
function insideFolder(outDir: string, relative: string, fs: WriterFs): boolean {
  const parts = relative.split('/');
  let path = outDir;
  for (const part of parts.slice(0, -1)) {
    path = join(path, part);
    const stat = lstatOrNull(path, fs);
    if (stat === null || stat.isSymbolicLink() || !stat.isDirectory()) return false;
  }
  return true;
}

/** Renames every staged file that is still there over its target and removes what was stale. */
function replay(outDir: string, journal: Journal, fs: WriterFs): void {
  for (const relative of journal.files) {
    if (!insideFolder(outDir, relative, fs)) continue;
    const target = join(outDir, relative);
    const temp = tempOf(target, journal.token);
    const tempStat = lstatOrNull(temp, fs);
    if (tempStat?.isFile()) {
      try {
        fs.renameSync(temp, target);
      } catch (error) {
        throw failure(target, error);
      }
    }
    removeIfPresent(backupOf(target, journal.token), fs);
  }
  for (const relative of journal.stale) {
    if (!insideFolder(outDir, relative, fs)) continue;
    const target = join(outDir, relative);
    const backup = backupOf(target, journal.token);
    // Not yet moved aside when the run died: remove it now, as the run would have.
    if (lstatOrNull(backup, fs) === null && lstatOrNull(target, fs)?.isFile()) removeIfPresent(target, fs);
    removeIfPresent(backup, fs);
  }
}

/** Removes every staged file and every folder the run created (when empty); the targets were never touched. */
function rollBack(outDir: string, journal: Journal, fs: WriterFs): void {
  for (const relative of journal.files) {
    if (!insideFolder(outDir, relative, fs)) continue;
    removeIfPresent(tempOf(join(outDir, relative), journal.token), fs);
  }
  for (const dir of [...journal.dirs].reverse()) {
    const path = join(outDir, dir);
    const stat = lstatOrNull(path, fs);
    if (stat === null || stat.isSymbolicLink() || !stat.isDirectory()) continue;
    try {
      fs.rmdirSync(path);
    } catch (error) {
      if (codeOf(error) !== 'ENOTEMPTY' && codeOf(error) !== 'EEXIST') throw failure(path, error);
    }
  }
}

/** Removes `FILE.ddikit-<pid>-<n>.tmp|.bak` files under a folder (regular files only, no link followed). */
function sweepStrays(outDir: string, dir: string, depthMax: number, removed: string[], fs: WriterFs): void {
  const walk = (relative: string, depth: number): void => {
    const path = relative === '' ? outDir : join(outDir, relative);
    const stat = lstatOrNull(path, fs);
    if (stat === null || stat.isSymbolicLink() || !stat.isDirectory()) return;
    let names: string[];
    try {
      names = fs.readdirSync(path);
    } catch {
      return;
    }
    for (const name of names) {
      const child = relative === '' ? name : `${relative}/${name}`;
      const childStat = lstatOrNull(join(outDir, child), fs);
      if (childStat === null || childStat.isSymbolicLink()) continue;
      if (childStat.isDirectory()) {
        if (depth < depthMax) walk(child, depth + 1);
      } else if (childStat.isFile() && strayName.test(name)) {
        if (removeIfPresent(join(outDir, child), fs)) removed.push(child);
      }
    }
  };
  walk(dir, 0);
}
