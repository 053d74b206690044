/**
 * Reading untrusted folders (the spec folder, the reference pages of import-docs): regular files
 * inside the folder only, within bounds, as strict UTF-8 text. Nothing here follows a symbolic link,
 * opens a FIFO or a device, reads past a size cap, or walks a folder loop; each refusal is a problem
 * located at the path, and no excerpt of a refused file is ever read, let alone quoted.
 *
 * Length: walkFolder checks each entry against every refusal in a fixed order in one loop; the order is the guarantee.
 */
import * as fs from 'node:fs';
import { join, relative, sep } from 'node:path';
import { compareStrings, quote, type DiagnosticCode, type Severity } from '../diagnostics.js';

/** Why a path was not read: the diagnostic its caller reports at `line`:`col` of the path. */
export interface ReadProblem {
  line: number;
  col: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
}

/** The bounds of one walk of a folder. */
export interface WalkLimits {
  /** Largest file read, in bytes. */
  fileBytesMax: number;
  /** Most bytes read from the whole folder. */
  folderBytesMax: number;
  /** Deepest folder entered below the root (0: the root only). */
  depthMax: number;
  /** Most folder entries looked at, in all. */
  entriesMax: number;
  /** What a file of the folder is, for messages: "a spec file", "a reference page". */
  fileNoun: string;
}

/** A file found by a walk: its path (absolute), its path relative to the root, and its text or problem. */
export interface FoundFile {
  path: string;
  /** Relative to the root, forward slashes. */
  relative: string;
  text: string;
  problem?: ReadProblem;
}

/** What a walk found: the files it read (or could not), and problems of other paths (links, folders). */
export interface WalkResult {
  files: FoundFile[];
  /** Problems of paths that are no file to read, each with its path (absolute). */
  others: { path: string; relative: string; problem: ReadProblem }[];
}

/**
 * Control, invisible and bidirectional formatting characters: a file or folder name holding one
 * could carry it into the provenance comments of generated files or onto a terminal.
 */
const hiddenInName = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

const at1 = (severity: Severity, code: DiagnosticCode, message: string): ReadProblem => ({
  line: 1,
  col: 1,
  severity,
  code,
  message,
});

/**
 * Walks `root` (already a real path) for files whose name `wanted` accepts, reading each. Folders
 * are entered down to `limits.depthMax` (0 reads the root only, and a subfolder is reported through
 * `subfolder` instead); names starting with a dot, node_modules and `skip` are left alone. Every
 * link met is a problem (a folder is never left through one), and so is a file that is not regular.
 */
export function walkFolder(
  root: string,
  display: (path: string) => string,
  wanted: (name: string) => boolean,
  limits: WalkLimits,
  options: { skip?: (relative: string) => boolean; subfolder?: (path: string) => ReadProblem | null } = {},
): WalkResult {
  const files: FoundFile[] = [];
  const others: WalkResult['others'] = [];
  const seen = new Set<string>();
  let entries = 0;
  let bytes = 0;
  const other = (path: string, problem: ReadProblem): void => {
    others.push({ path, relative: relativePath(root, path), problem });
  };
  const walk = (dir: string, depth: number): void => {
    const stat = fs.lstatSync(dir);
    const key = `${stat.dev}:${stat.ino}`;
    if (seen.has(key)) {
      other(
        dir,
        at1('error', 'DDI1013', `${display(dir)} is a folder already read (a loop of folders); it was not read again.`),
      );
      return;
    }
    seen.add(key);
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      other(
        dir,
        at1('error', 'DDI1013', `${display(dir)} cannot be read (${errorCode(error)}). Check its permissions.`),
      );
      return;
    }
    for (const entry of names.sort((a, b) => compareStrings(a.name, b.name))) {
      const name = entry.name;
      if (name.startsWith('.') || name === 'node_modules') continue;
      const path = join(dir, name);
      if (options.skip?.(relativePath(root, path))) continue;
      if (++entries > limits.entriesMax) {
        other(
          dir,
          at1(
            'error',
            'DDI1013',
            `${display(dir)}: the folder holds more than ${limits.entriesMax} entries in all; the rest were not read.`,
          ),
        );
        return;
      }
      const badName = nameProblem(name);
      if (badName !== null) {
        other(path, badName);
        continue;
      }
      let kind: fs.Stats;
      try {
        kind = fs.lstatSync(path);
      } catch (error) {
        other(path, at1('error', 'DDI1013', `${display(path)} cannot be read (${errorCode(error)}).`));
        continue;
      }
      if (kind.isSymbolicLink()) {
        // A link is reported where it could matter: a file we would read, or a folder we would enter.
        if (wanted(name) || pointsToFolder(path)) other(path, linkProblem(display(path)));
        continue;
      }
      if (kind.isDirectory()) {
        if (depth >= limits.depthMax) {
          const problem =
            limits.depthMax === 0 && options.subfolder
              ? options.subfolder(path)
              : at1(
                  'error',
                  'DDI1013',
                  `${display(path)} is nested more than ${limits.depthMax} folders deep; it was not read. Move its files up.`,
                );
          if (problem !== null) other(path, problem);
          continue;
        }
        walk(path, depth + 1);
        continue;
      }
      if (!wanted(name)) continue;
      const found: FoundFile = { path, relative: relativePath(root, path), text: '' };
      if (!kind.isFile()) {
        found.problem = notRegular(display(path), kind);
      } else if (kind.size <= limits.fileBytesMax && bytes + kind.size > limits.folderBytesMax) {
        found.problem = at1(
          'error',
          'DDI1009',
          `the folder holds more than the ${limits.folderBytesMax} bytes read in all; ${display(path)} was not read.`,
        );
      } else {
        const read = readTextFile(path, display(path), limits.fileBytesMax, limits.fileNoun, { root, expect: kind });
        if ('problem' in read) found.problem = read.problem;
        else {
          found.text = read.text;
          bytes += read.bytes;
        }
      }
      files.push(found);
    }
  };
  walk(root, 0);
  return { files, others };
}

/** A problem for a name holding a control, invisible or bidirectional character; null for a good name. */
export function nameProblem(name: string): ReadProblem | null {
  const hidden = hiddenInName.exec(name);
  if (hidden === null) return null;
  const codePoint = hidden[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return at1(
    'error',
    'DDI1013',
    `the name ${quote(name)} holds a control, invisible or bidirectional character (U+${codePoint}), which generated files would carry into their comments. Rename it.`,
  );
}

/** A problem for a symbolic link: never followed, whatever it points to. */
export function linkProblem(shown: string): ReadProblem {
  return at1(
    'error',
    'DDI1013',
    `${shown} is a symbolic link; a folder is read without following links. Put the file or folder itself in its place.`,
  );
}

function notRegular(shown: string, stat: fs.Stats): ReadProblem {
  const what = stat.isFIFO()
    ? 'a FIFO'
    : stat.isSocket()
      ? 'a socket'
      : stat.isCharacterDevice()
        ? 'a character device'
        : stat.isBlockDevice()
          ? 'a block device'
          : stat.isDirectory()
            ? 'a folder'
            : 'a special file';
  return at1('error', 'DDI1013', `${shown} is not a regular file (${what}); only regular files are read. Remove it.`);
}

function pointsToFolder(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function relativePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'an error';
}

/**
 * Reads one regular file as UTF-8 text: opened without following a link and without blocking (a
 * FIFO swapped in after the walk looked cannot hang it), checked with fstat to be the regular file
 * the walk saw and no larger than `bytesMax`, then read to at most `bytesMax + 1` bytes (a file may
 * grow while it is read). With `root`, the file's real path must lie inside it.
 */
export function readTextFile(
  path: string,
  shown: string,
  bytesMax: number,
  noun: string,
  check: { root?: string; expect?: fs.Stats } = {},
): { text: string; bytes: number } | { problem: ReadProblem } {
  let fd: number;
  try {
    fd = fs.openSync(
      path,
      fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY,
    );
  } catch (error) {
    if (errorCode(error) === 'ELOOP') return { problem: linkProblem(shown) };
    return {
      problem: at1('error', 'DDI1013', `${shown} cannot be read (${errorCode(error)}). Check its permissions.`),
    };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { problem: notRegular(shown, stat) };
    if (check.expect !== undefined && (stat.dev !== check.expect.dev || stat.ino !== check.expect.ino)) {
      return { problem: at1('error', 'DDI1013', `${shown} was replaced while the folder was read. Run again.`) };
    }
    if (check.root !== undefined) {
      const real = fs.realpathSync(path);
      if (real !== check.root && !real.startsWith(check.root.endsWith(sep) ? check.root : `${check.root}${sep}`)) {
        return {
          problem: at1(
            'error',
            'DDI1013',
            `${shown} lies outside the folder read (through a link above it); it was not read.`,
          ),
        };
      }
    }
    if (stat.size > bytesMax) return { problem: tooLarge(`${stat.size}`, bytesMax, noun) };
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, bytesMax) + 1);
    let length = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) break;
    }
    // It grew after fstat: say so without reading on.
    if (length > bytesMax) return { problem: tooLarge(`more than ${bytesMax}`, bytesMax, noun) };
    const bytes = buffer.subarray(0, length);
    const decoded = decodeUtf8(bytes);
    if ('problem' in decoded) return decoded;
    return { text: decoded.text, bytes: length };
  } catch (error) {
    return { problem: at1('error', 'DDI1013', `${shown} cannot be read (${errorCode(error)}).`) };
  } finally {
    fs.closeSync(fd);
  }
}

function tooLarge(size: string, max: number, noun: string): ReadProblem {
  return at1(
    'error',
    'DDI1009',
    `the file is ${size} bytes, more than the ${max} ${noun} may have. ${noun === 'a spec file' ? 'Split it into several files.' : 'It was not read.'}`,
  );
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as text: strict UTF-8 (a byte sequence that is no UTF-8 character is a problem located at
 * its line and column, never replaced by U+FFFD), and no NUL byte (binary data, never echoed).
 */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { problem: ReadProblem } {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const { line, col } = lineAndColumn(bytes, bad);
    return {
      problem: {
        line,
        col,
        severity: 'error',
        code: 'DDI1012',
        message: `the file is not valid UTF-8: the byte 0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')} here starts no UTF-8 character (a file saved in another encoding?). Save it as UTF-8.`,
      },
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const { line, col } = lineAndColumn(bytes, nul);
    return {
      problem: {
        line,
        col,
        severity: 'error',
        code: 'DDI1012',
        message:
          'the file holds a NUL byte here, so it is binary data, not text. Remove the byte, or the file if it is no spec file.',
      },
    };
  }
  return { text };
}

/** The 1-based line and the column (in UTF-16 units, as every diagnostic counts) of a byte offset. */
function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  // The bytes before the offset are valid UTF-8, so they decode to the line's text so far.
  const before = strict.decode(bytes.subarray(lineStart, offset));
  return { line, col: before.length + 1 };
}

/** The offset of the first byte that does not start (or continue) a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return i;
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}
