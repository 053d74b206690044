/**
 * The x64 syntax pass: the same sources and header, compiled for x86_64-pc-windows-msvc with
 * `-fsyntax-only`. wasm32 is ILP32 — a pointer fits in a ULONG there — so the 64-bit-only bugs of a
 * Windows driver show up only here:
 *
 * - `(ULONG)pointer`                   -Wpointer-to-int-cast   (MSVC C4311/C4302): an error here
 * - `ULONG x = ulongPtr;` / `= sizeof` -Wshorten-64-to-32      (MSVC C4244/C4267): an error here
 * - `(PVOID)ulongValue`                -Wint-to-pointer-cast   (MSVC C4312): an error here
 *
 * No code is generated, so no linker or runtime is needed for x64.
 */
import { compileFlags, HEADER_DIRECTORY, ROLES_HEADER_SHIM, type CompileOptions, type SourceFile } from './flags.js';
import { parseDiagnostics, type Diagnostic } from './diagnostics.js';
import { putSources } from './includes.js';
import { putFile, runClang, type FileTree } from './toolchain.js';

/** The warnings that are errors on x64: truncations a 32-bit build cannot see. */
export const X64_ERRORS = ['pointer-to-int-cast', 'shorten-64-to-32', 'int-to-pointer-cast'] as const;

export interface X64Result {
  readonly diagnostics: Diagnostic[];
  /** As clang printed them. */
  readonly text: string;
  readonly milliseconds: number;
}

export async function checkX64(
  files: readonly SourceFile[],
  header: string,
  options: CompileOptions,
): Promise<X64Result> {
  const tree: FileTree = {};
  putFile(tree, `${HEADER_DIRECTORY}/ndis.h`, header);
  putFile(tree, `${HEADER_DIRECTORY}/ndis_roles.h`, ROLES_HEADER_SHIM);
  putSources(tree, files);
  // The wasm32 flags minus target, codegen and sanitizers; the truncation warnings as errors.
  const flags = compileFlags(options).filter(
    (f) =>
      !f.startsWith('--target=') &&
      !f.startsWith('-fsanitize') &&
      !f.startsWith('-O') &&
      f !== '-g' &&
      f !== '-fstrict-flex-arrays=1',
  );
  let text = '';
  let milliseconds = 0;
  for (const file of files.filter((f) => f.path.endsWith('.c') && f.include !== true)) {
    const run = await runClang(
      [
        '--target=x86_64-pc-windows-msvc',
        '-fsyntax-only',
        ...flags,
        ...X64_ERRORS.map((w) => `-Werror=${w}`),
        file.path,
      ],
      tree,
    );
    text += run.stderr;
    milliseconds += run.milliseconds;
  }
  return { diagnostics: parseDiagnostics(text), text, milliseconds };
}

/** A diagnostic's first line, as clang prints it: `file:line:col: warning|error|fatal error: …`. */
const HEADER = /^.+?:\d+:\d+: (?:warning|error|fatal error): /;
/** clang's count at the end of a file's diagnostics: `1 warning generated.`, `2 warnings and 1 error generated.` */
const SUMMARY = /^\d+ (?:warnings?|errors?)(?: and \d+ (?:warnings?|errors?))? generated\.$/;

/**
 * What the x64 pass adds to the wasm32 build's diagnostics: each of its warnings and errors (with
 * their notes and source excerpt) that the build did not print already — the same source gives
 * the same `-Wall` warnings twice otherwise — followed by clang's count of those kept.
 */
export function x64OnlyText(x64Text: string, buildText: string): string {
  const seen = new Set(buildText.split('\n').filter((line) => HEADER.test(line)));
  const kept: string[] = [];
  let keeping = false;
  let warnings = 0;
  let errors = 0;
  for (const line of x64Text.split('\n')) {
    if (SUMMARY.test(line)) {
      keeping = false;
      continue;
    }
    if (HEADER.test(line)) {
      keeping = !seen.has(line);
      if (keeping) {
        if (/: warning: /.test(line)) warnings++;
        else errors++;
      }
    }
    if (keeping && line !== '') kept.push(line);
  }
  if (kept.length === 0) return '';
  const count = [
    ...(warnings > 0 ? [`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`] : []),
    ...(errors > 0 ? [`${errors} ${errors === 1 ? 'error' : 'errors'}`] : []),
  ].join(' and ');
  return `${kept.join('\n')}\n${count} generated.\n`;
}
