/**
 * Compiler and linker diagnostics. The text is kept exactly as clang and wasm-ld print it (users
 * know that format and editors link it); each line is also parsed so callers can count errors and
 * point at files.
 */

export type DiagnosticSeverity = 'error' | 'warning' | 'note' | 'fatal error';

export interface Diagnostic {
  /** The file as the user named it (`drivers/contoso.c`), or null for a link error without one. */
  readonly file: string | null;
  readonly line: number;
  readonly column: number;
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  /** The warning flag clang names (`-Wpointer-to-int-cast`), if any. */
  readonly flag: string | null;
  /** Which tool said it. */
  readonly tool: 'clang' | 'wasm-ld';
}

const CLANG_LINE = /^(.+?):(\d+):(\d+): (error|warning|note|fatal error): (.*?)(?: \[(-W[^\]]+)\])?$/;
const LD_LINE = /^wasm-ld: (error|warning): (?:(.+?): )?(.*)$/;

/** Parses the diagnostics of clang (`file:line:col: error: …`) and wasm-ld (`wasm-ld: error: …`). */
export function parseDiagnostics(text: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of text.split('\n')) {
    const clang = CLANG_LINE.exec(line);
    if (clang !== null) {
      out.push({
        file: clang[1]!,
        line: Number(clang[2]),
        column: Number(clang[3]),
        severity: clang[4] as DiagnosticSeverity,
        message: clang[5]!,
        flag: clang[6] ?? null,
        tool: 'clang',
      });
      continue;
    }
    const ld = LD_LINE.exec(line);
    if (ld !== null) {
      out.push({
        file: ld[2] ?? null,
        line: 0,
        column: 0,
        severity: ld[1] as DiagnosticSeverity,
        message: ld[3]!,
        flag: null,
        tool: 'wasm-ld',
      });
    }
  }
  return out;
}

/** Thrown when a driver does not compile or link; `message` is the tools' output as they print it. */
export class CompileError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(text: string, diagnostics: readonly Diagnostic[]) {
    super(text.trimEnd());
    this.name = 'CompileError';
    this.diagnostics = diagnostics;
  }
}
