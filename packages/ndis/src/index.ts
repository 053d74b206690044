export * from './generated/index.js';
export { ROLE, declareRole, roleOf, setRoleMonitor, currentRoleMonitor } from './role.js';
export type { RoleDeclaration, RoleFunction, RoleMonitor } from './role.js';
export {
  IRQL,
  DIRQL_MIN,
  DIRQL_MAX,
  levelNumber,
  levelName,
  roleContract,
  functionContract,
  typeInfo,
  isAnyLevel,
  irqlBounds,
} from './contract.js';
export type * from './metadata-types.js';
