/**
 * @ddikit/cc: compiles NDIS miniports written in C to wasm32 modules for @ddikit/sim-c, with the
 * npm-only clang of @yowasp/clang. The only package that depends on the toolchain.
 */
export { buildOptionsFor } from './build-options.js';
export { cacheKey, defaultCacheDirectory, diskCache, type ModuleCache } from './cache.js';
export { type CheckResult, checkDriverRoles } from './check.js';
export {
  type CompiledDriver,
  type CompileOptions,
  compileDriver,
  compileFlags,
  HEADER_DIRECTORY,
  headerDdiNames,
  headerRoleNames,
  type SourceFile,
} from './compile.js';
export { CompileError, type Diagnostic, parseDiagnostics } from './diagnostics.js';
export { quotedIncludes, withIncludedFiles } from './includes.js';
export { checkLayoutTable, measureWasmLayouts } from './layout-check.js';
export { type HandlerPlaces, type HandlerUse } from './roles.js';
export { loadToolchain } from './toolchain.js';
export { checkX64, type X64Result, X64_ERRORS } from './x64.js';
