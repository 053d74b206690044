/**
 * Contract lookups over the generated metadata: x64 level numbers, and the contract of any role or
 * DDI by name. The harness reads contracts from here, never from hand-typed tables.
 */
import { metadata } from './generated/metadata.js';
import type { FunctionMeta, IrqlMeta, LevelName, RoleMeta, TypeMeta } from './metadata-types.js';

/** x64 IRQL numbers. DIRQL is symbolic (3..12); its number comes from the interrupt concerned. */
export const IRQL = {
  PASSIVE_LEVEL: 0,
  APC_LEVEL: 1,
  DISPATCH_LEVEL: 2,
  CLOCK_LEVEL: 13,
  IPI_LEVEL: 14,
  POWER_LEVEL: 14,
  HIGH_LEVEL: 15,
} as const;

/** The lowest and highest device level (DIRQL) on x64. */
export const DIRQL_MIN = 3;
export const DIRQL_MAX = 12;

/** The number of a level name; DIRQL resolves to the given interrupt level. */
export function levelNumber(level: LevelName, dirql: number): number {
  return level === 'DIRQL' ? dirql : IRQL[level];
}

/** The name of a level number, as a debugger prints it (3..12 are DIRQL). */
export function levelName(level: number): string {
  switch (level) {
    case 0:
      return 'PASSIVE_LEVEL';
    case 1:
      return 'APC_LEVEL';
    case 2:
      return 'DISPATCH_LEVEL';
    case 13:
      return 'CLOCK_LEVEL';
    case 14:
      return 'IPI_LEVEL';
    case 15:
      return 'HIGH_LEVEL';
    default:
      return level >= DIRQL_MIN && level <= DIRQL_MAX ? `DIRQL(${level})` : `IRQL(${level})`;
  }
}

interface Lookups {
  readonly roles: ReadonlyMap<string, RoleMeta>;
  readonly functions: ReadonlyMap<string, FunctionMeta>;
  readonly types: ReadonlyMap<string, TypeMeta>;
}

let built: Lookups | null = null;

/**
 * The metadata by name, built on the first lookup: nothing runs when the module loads, so a bundle
 * that never looks a contract up leaves the whole table out.
 */
function lookups(): Lookups {
  built ??= {
    roles: new Map(metadata.roles.map((r) => [r.name, r as RoleMeta])),
    functions: new Map(metadata.functions.map((f) => [f.name, f as FunctionMeta])),
    types: new Map(metadata.types.map((t) => [t.name, t as TypeMeta])),
  };
  return built;
}

export function roleContract(name: string): RoleMeta | undefined {
  return lookups().roles.get(name);
}

export function functionContract(name: string): FunctionMeta | undefined {
  return lookups().functions.get(name);
}

export function typeInfo(name: string): TypeMeta | undefined {
  return lookups().types.get(name);
}

/** True when a contract allows every level (a DDI "callable at any IRQL"). */
export function isAnyLevel(irql: IrqlMeta): boolean {
  return irql.min === 'PASSIVE_LEVEL' && irql.max === 'HIGH_LEVEL' && irql.when.length === 0;
}

/**
 * The bounds a call at some level must meet, as numbers; null when the contract is unknown.
 *
 * - A parameter condition (SAL _When_) applies when the argument it names equals its value; `args`
 *   maps parameter names to values. With no argument known, the strictest bounds of all branches apply.
 * - A condition stated in words (`param` null, such as "Source and Destination resident") cannot be
 *   seen in the arguments: `stated` says which hold (true applies that branch) or do not (false). One
 *   left unstated narrows the bounds, so the strictest branch is enforced unless the caller says
 *   otherwise.
 */
export function irqlBounds(
  irql: IrqlMeta,
  dirql: number,
  args?: Readonly<Record<string, unknown>>,
  stated?: Readonly<Record<string, boolean>>,
): { min: number; max: number } | null {
  for (const condition of irql.when) {
    if (condition.param !== null && args && condition.param in args && args[condition.param] === condition.equals) {
      return { min: levelNumber(condition.min, dirql), max: levelNumber(condition.max, dirql) };
    }
  }
  for (const condition of irql.when) {
    if (condition.param === null && condition.condition !== undefined && stated?.[condition.condition] === true) {
      return { min: levelNumber(condition.min, dirql), max: levelNumber(condition.max, dirql) };
    }
  }
  if (irql.min === null || irql.max === null) return null;
  let min = levelNumber(irql.min, dirql);
  let max = levelNumber(irql.max, dirql);
  for (const condition of irql.when) {
    const inWords = condition.param === null;
    if (inWords ? condition.condition !== undefined && stated?.[condition.condition] === false : args !== undefined)
      continue;
    min = Math.max(min, levelNumber(condition.min, dirql));
    max = Math.min(max, levelNumber(condition.max, dirql));
  }
  return { min, max };
}
