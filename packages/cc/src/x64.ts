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
