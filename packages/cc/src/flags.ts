/**
 * What a build of a C driver is given — its sources and options — and the clang and wasm-ld flags
 * they imply. Shared by the build (compile.ts), the x64 pass (x64.ts) and the static check (check.ts).
 */
import { ACCESS_HOOKS, COVERAGE_INIT, UB_CHECKS, UB_HANDLERS } from '@ddikit/sim-c';
import type { ModuleCache } from './cache.js';
import type { HandlerPlaces } from './roles.js';

export interface SourceFile {
  /** The path as the user gave it; diagnostics name it. Relative, `/`-separated. */
  readonly path: string;
  readonly text: string;
  /** Only included by other files (a header, a `.c` another file includes): in the tree, not compiled alone. */
  readonly include?: boolean;
  /** Other paths the file is put at in the tool's tree (includes through `..`, see includes.ts). */
  readonly aliases?: readonly string[];
}

export interface CompileOptions {
  /** The DDI names the header declares: the only symbols allowed undefined (imports of "ndis"). */
  readonly ddiNames: readonly string[];
  /** The role typedef names (`MINIPORT_ISR`, …) to recover declarations of. */
  readonly roleNames: readonly string[];
  /** `-D` defines. */
  readonly defines?: Readonly<Record<string, string | number>>;
  /** Optimization level. Default 2. */
  readonly optimize?: 0 | 1 | 2 | 's';
  /** Stack size in bytes. Default 24 KiB, the x64 kernel stack (KERNEL_STACK_SIZE). */
  readonly stackBytes?: number;
  /** Largest linear memory in bytes. Default 256 MiB: every address from 0x1000_0000 up traps. */
  readonly memoryBytesMax?: number;
  /**
   * Instrument every load and store that survives optimization with a call to the host
   * (`env.__sanitizer_cov_load4(address)`, …: SanitizerCoverage's trace-loads/trace-stores, done in
   * LLVM, so DWARF stays exact). Default false.
   */
  readonly instrumentAccesses?: boolean;
  /** Where NDIS takes handlers (fields, DDI parameters): enables the C28023 role check at build time. */
  readonly handlerPlaces?: HandlerPlaces;
  /** The module cache; null for none. */
  readonly cache?: ModuleCache | null;
  /**
   * Also run the x86_64-pc-windows-msvc syntax pass (x64.ts) and fail the build on its errors: the
   * 64-bit-only mistakes wasm32 hides. Default true.
   */
  readonly x64?: boolean;
}

export const HEADER_DIRECTORY = 'ddikit/include';
/** `ndis_roles.h` on the harness: the role typedefs are part of the harness ndis.h. */
export const ROLES_HEADER_SHIM = '#include <ndis.h>\n';
export const STACK_BYTES_DEFAULT = 24 * 1024;
export const MEMORY_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;

/** The clang flags every compile of a driver uses (also for `-E`). */
export function compileFlags(options: CompileOptions): string[] {
  const defines = Object.entries(options.defines ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `-D${name}=${value}`);
  return [
    '--target=wasm32',
    `-O${options.optimize ?? 2}`,
    '-g',
    '-ffreestanding',
    '-fms-extensions',
    '-fdeclspec',
    '-isystem',
    HEADER_DIRECTORY,
    // Undefined behaviour checks call the host (`env.__ubsan_handle_*_abort`) with the C position:
    // a NULL dereference (address 0 is valid wasm memory), an index past a fixed-size array, …
    `-fsanitize=${UB_CHECKS.join(',')}`,
    '-fno-sanitize-recover=all',
    // Trailing `[1]` arrays stay flexible (the WDK idiom: PartialDescriptors[1]); any other array is bounded.
    '-fstrict-flex-arrays=1',
    '-Wall',
    '-Wno-unknown-pragmas',
    '-Wno-multichar',
    '-Wno-four-char-constants',
    ...(options.instrumentAccesses === true ? [`-fsanitize-coverage=${ACCESS_COVERAGE}`] : []),
    ...defines,
  ];
}

/** SanitizerCoverage needs a coverage kind: one flag byte per function entry is the cheapest. */
const ACCESS_COVERAGE = 'func,inline-bool-flag,trace-loads,trace-stores';

/** The symbols allowed undefined (imports): the DDIs, the UBSan handlers, the access hooks. */
export function undefinedSymbols(options: CompileOptions): string[] {
  return [
    ...[...options.ddiNames].sort(),
    ...UB_HANDLERS,
    ...(options.instrumentAccesses === true ? [...ACCESS_HOOKS, COVERAGE_INIT] : []),
  ];
}

export function linkFlags(options: CompileOptions): string[] {
  return [
    '--no-entry',
    '--export-table',
    '--export-if-defined=DriverEntry',
    '--export=__heap_base',
    '--export=__stack_pointer',
    '--export=__stack_low',
    '--export=__stack_high',
    '--export=__data_end',
    '--allow-undefined-file=ddikit/ddis.txt',
    '-z',
    `stack-size=${options.stackBytes ?? STACK_BYTES_DEFAULT}`,
    `--max-memory=${options.memoryBytesMax ?? MEMORY_BYTES_MAX_DEFAULT}`,
  ];
}
