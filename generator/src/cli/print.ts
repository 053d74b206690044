/** How commands print: diagnostics as tsc prints them (or as JSON), and small message helpers. */
import { styleText } from 'node:util';
import { escapeHidden, formatDiagnostic, formatSummary, type Diagnostic } from '../diagnostics.js';
import type { WriteError } from '../write/write-fs.js';
import { displayPath } from '../paths.js';
import type { CliIo } from './io.js';

/** Diagnostics on stderr with a summary line, or with `json` one JSON object on stdout (with `extra`). */
export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  io: CliIo,
  json: boolean,
  extra: object = {},
): void {
  if (json) {
    io.stdout(`${JSON.stringify({ diagnostics, ...extra }, null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) {
    const line = formatDiagnostic(d);
    io.stderr(
      `${io.color ? line.replace(/ (error|warning) (DDI\d+)/, (_m, s: string, c: string) => ` ${styleText(s === 'error' ? 'red' : 'yellow', s)} ${styleText('gray', c)}`) : line}\n`,
    );
  }
  if (diagnostics.length > 0) io.stderr(`\n${formatSummary(diagnostics)}\n`);
}

/** An error's message without its stack, at most three lines, joined. */
export function firstLines(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 3)
    .join(' ')
    .trim();
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * `ddikit: cannot write PATH: reason`, the path relative to the working folder, escaped, and cut
 * in the middle when it is longer than 200 characters.
 */
export function writeErrorLine(error: WriteError, io: CliIo): string {
  let path = escapeHidden(displayPath(error.path, io.cwd));
  if (path.length > 200) path = `${path.slice(0, 100)}…${path.slice(-99)}`;
  return `ddikit: cannot write ${path}: ${error.reason}`;
}

/** A status line for a run of many steps; see `progress`. */
export interface Progress {
  /** `done` of the total steps are finished; `note` says what they found so far (asked only when shown). */
  step(done: number, note?: () => string): void;
  /** Takes the line away. */
  end(): void;
}

/** Shortest gap between two updates of a status line. */
const progressGapMs = 100;

/**
 * A status line on a terminal's stderr, `what: done/total (percent)`, updated at most every 100 ms;
 * nothing at all when the output is not a terminal or there is a single step.
 */
export function progress(io: CliIo, what: string, total: number): Progress {
  const show = io.status;
  if (show === undefined || total < 2) return { step: () => {}, end: () => {} };
  let last = 0;
  return {
    step(done, note) {
      const now = Date.now();
      if (done < total && now - last < progressGapMs) return;
      last = now;
      show(`${what}: ${done}/${total} (${Math.floor((done * 100) / total)}%)${note ? `, ${note()}` : ''}`);
    },
    end: () => show(null),
  };
}

/**
 * `text` as one word of a POSIX shell command a user can paste: as it is when it holds only
 * characters no shell treats specially, else in single quotes (a quote inside as '\'').
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9@%+=:,./_-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
