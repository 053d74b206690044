/**
 * What a compiled driver module and the runtime agree on, apart from the DDIs: the custom section
 * that carries the roles, and the host functions the build may import from "env" (UBSan handlers,
 * access hooks). The runtime needs these; it must not need the toolchain, so they live here, not in
 * compile.ts.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compileModule } from './wasm-binary.js';

/** A function declared with a role (`MINIPORT_ISR ContosoIsr;`), recovered at build time. */
export interface CRoleDeclaration {
  readonly name: string;
  readonly role: string;
  readonly file: string;
  readonly line: number;
}

/** A handler stored or passed with a role other than the place's, or with none (Code Analysis C28023 class). */
export interface RoleFinding {
  readonly code: 'C28023';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export const ROLES_SECTION = 'ddikit.roles';

/** What the `ddikit.roles` section holds. */
export interface RolesSection {
  readonly roles: readonly CRoleDeclaration[];
  readonly roleFindings: readonly RoleFinding[];
  readonly diagnosticsText: string;
}

/** The roles and diagnostics a compiled module carries. */
export function readRolesSection(wasm: Uint8Array): RolesSection {
  const section = WebAssembly.Module.customSections(compileModule(wasm), ROLES_SECTION)[0];
  if (section === undefined) throw new Error(`the module has no ${ROLES_SECTION} section (not built by compileDriver)`);
  return JSON.parse(new TextDecoder().decode(section)) as RolesSection;
}

/** The UBSan checks every build carries (each a compare and branch; the handler runs only on failure). */
export const UB_CHECKS = [
  'null',
  'alignment',
  'bounds',
  'pointer-overflow',
  'shift',
  'integer-divide-by-zero',
  'unreachable',
  'return',
  'vla-bound',
  'bool',
  'enum',
  'builtin',
] as const;

/** UBSan handlers a module may import from "env" (compiler-rt's ubsan_handlers.h, the _abort forms). */
export const UB_HANDLERS = [
  'type_mismatch_v1',
  'alignment_assumption',
  'add_overflow',
  'sub_overflow',
  'mul_overflow',
  'negate_overflow',
  'divrem_overflow',
  'shift_out_of_bounds',
  'out_of_bounds',
  'vla_bound_not_positive',
  'float_cast_overflow',
  'load_invalid_value',
  'implicit_conversion',
  'invalid_builtin',
  'function_type_mismatch',
  'nonnull_return_v1',
  'nullability_return_v1',
  'nonnull_arg',
  'nullability_arg',
  'pointer_overflow',
]
  .map((n) => `__ubsan_handle_${n}_abort`)
  .concat(['__ubsan_handle_builtin_unreachable', '__ubsan_handle_missing_return']);

/**
 * The hook the harness's ndis.h calls before an interlocked operation in an access-instrumented
 * build (`__ddikit_interlocked(address, bytes)`): compiler atomics are not loads and stores to
 * SanitizerCoverage, so the Interlocked macros announce themselves.
 */
export const INTERLOCKED_HOOK = '__ddikit_interlocked';
/**
 * The access hooks an instrumented module imports from "env": loads and stores (sizes 1, 2, 4, 8,
 * 16), and interlocked operations.
 */
export const ACCESS_HOOKS = [
  ...[1, 2, 4, 8, 16].flatMap((n) => [`__sanitizer_cov_load${n}`, `__sanitizer_cov_store${n}`]),
  INTERLOCKED_HOOK,
];
/** SanitizerCoverage's module constructor hook (never called: the module has no start function). */
export const COVERAGE_INIT = '__sanitizer_cov_bool_flag_init';

/**
 * The `ndis.h` C drivers compile against on the harness (DDIs as imports of module "ndis", wasm32
 * layouts): generated from the spec into @ddikit/ndis (include/harness/ndis.h) by `ddikit generate`.
 */
export function harnessHeaderPath(): string {
  const ndisPackage = createRequire(import.meta.url).resolve('@ddikit/ndis/package.json');
  return join(dirname(ndisPackage), 'include', 'harness', 'ndis.h');
}
