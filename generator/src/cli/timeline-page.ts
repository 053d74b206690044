/**
 * Writing the HTML timeline page of `simulate` and `explore`: atomically (never a truncated page),
 * and a page that cannot be written is one line on stderr, `ddikit: cannot write PATH: reason`; the
 * command still prints its report and then exits 1.
 */
import { displayPath } from '../paths.js';
import { writeFileAtomic } from '../write/write-file-atomic.js';
import { WriteError } from '../write/write-fs.js';
import type { CliIo } from './io.js';
import { writeErrorLine } from './print.js';

export interface TimelinePage {
  /** The page's path as shown to the user; null when it could not be written. */
  shown: string | null;
  /** True when the page could not be written (the error line is printed): the command exits 1. */
  failed: boolean;
}

export function writeTimelinePage(path: string, html: string, io: CliIo): TimelinePage {
  try {
    writeFileAtomic(path, html);
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    io.stderr(`${writeErrorLine(error, io)}\n`);
    return { shown: null, failed: true };
  }
  return { shown: displayPath(path, io.cwd), failed: false };
}
