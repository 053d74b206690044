/** How the semantic checks report: a located diagnostic at a path of keys and indexes in a file. */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import { positionOf, type LoadedFile } from './load.js';

/** Keys and indexes from the top of a spec file down to a node: ['roles', 3, 'irql', 'runsAt']. */
export type Path = (string | number)[];

/** Reports a problem at the node a path leads to (its key, or its value). */
export type Report = (
  file: LoadedFile,
  path: Path,
  code: DiagnosticCode,
  message: string,
  part?: 'key' | 'value',
) => void;

/** A Report that adds error diagnostics to `diagnostics`. */
export function reportInto(diagnostics: Diagnostic[]): Report {
  return (file, path, code, message, part = 'value') => {
    const { line, col } = positionOf(file, path, part);
    diagnostics.push({ file: file.path, line, col, severity: 'error', code, message });
  };
}
