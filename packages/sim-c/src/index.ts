/**
 * @ddikit/sim-c: NDIS miniports written in C on the @ddikit/sim harness. Needs no toolchain: it runs
 * modules @ddikit/cc compiled (or a cached `.wasm`).
 */
export {
  ACCESS_HOOKS,
  COVERAGE_INIT,
  type CRoleDeclaration,
  harnessHeaderPath,
  INTERLOCKED_HOOK,
  readRolesSection,
  ROLES_SECTION,
  type RoleFinding,
  type RolesSection,
  UB_CHECKS,
  UB_HANDLERS,
} from './abi.js';
export { type CMiniportOptions, defineCMiniport } from './c-miniport.js';
export { CDriverInstance } from './instance.js';
export { MemoryChecks } from './memory-checks.js';
export { CDriverModule } from './driver-module.js';
export {
  computeLayouts,
  type CType,
  type FieldLayout,
  layoutProbe,
  offsetOf,
  type RecordLayout,
  type RecordSpec,
  type Target,
} from './layout.js';
export { handlerFields, NDIS_RECORDS } from './ndis-records.js';
export { ROLE_VARIANTS } from './role-meta.js';
export { LineTable, type SourceLocation } from './symbolize.js';
export { appendCustomSection, compileModule } from './wasm-binary.js';
