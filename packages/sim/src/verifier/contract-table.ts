/**
 * The IRQL contracts of every DDI and role, precomputed once from the generated metadata of
 * @ddikit/ndis (never retyped by hand) into numbers the hot paths compare against. DIRQL stays
 * symbolic ({@link LEVEL_DIRQL}) until the interrupt concerned is known.
 */
import {
  DIRQL_MAX,
  DIRQL_MIN,
  functionContract,
  irqlBounds,
  isAnyLevel,
  levelName,
  levelNumber,
  metadata,
  roleContract,
  type FunctionMeta,
  type IrqlMeta,
  type LevelName,
  type RoleMeta,
} from '@ddikit/ndis';

/** Stands for "the DIRQL of the interrupt concerned" in a precomputed bound. */
export const LEVEL_DIRQL = -1;

/** What the harness does with a role's calls. */
export const ROLE_KIND_OTHER = 0;
/** An interrupt service routine (its rules include ISR-CLAIM): time budget 25 µs. */
export const ROLE_KIND_ISR = 1;
/** A DPC (its rules include DPC-IRQL): runs at DISPATCH_LEVEL, time budget 100 µs. */
export const ROLE_KIND_DPC = 2;
/** A synchronize function (invoked by NdisMSynchronizeWithInterruptEx). */
export const ROLE_KIND_SYNC = 3;

export type ReturnCheck = 'BOOLEAN' | 'VOID' | 'NDIS_STATUS' | 'none';

export interface RoleInfo {
  readonly name: string;
  readonly meta: RoleMeta;
  /** Lowest entry level, or LEVEL_DIRQL. */
  readonly min: number;
  /** Highest entry level, or LEVEL_DIRQL. */
  readonly max: number;
  readonly same: boolean;
  readonly kind: number;
  /** The role runs at DIRQL (IRQL-SAME reports as 0xC4/0x111 for these). */
  readonly atDirql: boolean;
  /** mayCall: anyLevel — may call only DDIs callable at any IRQL. */
  readonly mayCallAnyLevel: boolean;
  readonly returns: ReturnCheck;
  /**
   * Null when the role's metadata states the harness's own contract of it (or names a role the
   * harness does not know: a project's own, generated with `ddikit generate --extend-bundled`);
   * otherwise the fields in which it differs. A declaration made with another version of
   * @ddikit/ndis would be checked against that version's contract of its role while its DDI calls
   * are checked against the harness's.
   */
  readonly foreign: string | null;
}

export interface HandlerParam {
  readonly index: number;
  readonly name: string;
  /** The handler (pointer) type name. */
  readonly pointer: string;
  /** Roles whose declared functions the parameter accepts: the role and its variants. */
  readonly accepted: readonly string[];
}

export interface DdiInfo {
  readonly name: string;
  readonly meta: FunctionMeta;
  readonly min: number;
  readonly max: number;
  /** Callable at any IRQL. */
  readonly anyLevel: boolean;
  /** The spec does not know the contract (min and max null): never IRQL-checked, not any-level. */
  readonly unknown: boolean;
  /** The contract as text for reports. */
  readonly required: string;
  /** Has SAL _When_ branches: bounds depend on arguments (slow path through irqlBounds). */
  readonly conditional: boolean;
  /** Acquires a spin lock (MAY-CALL reports these with P1 0x42). */
  readonly acquiresLock: boolean;
  /** Parameters that take a role handler. */
  readonly handlers: readonly HandlerParam[];
}

function level(name: LevelName | null, fallback: number): number {
  if (name === null) return fallback;
  return name === 'DIRQL' ? LEVEL_DIRQL : levelNumber(name, 0);
}

/** The number a possibly-symbolic bound stands for, given the DIRQL concerned (0: unknown). */
export function resolveMin(bound: number, dirql: number): number {
  return bound === LEVEL_DIRQL ? (dirql > 0 ? dirql : DIRQL_MIN) : bound;
}

export function resolveMax(bound: number, dirql: number): number {
  return bound === LEVEL_DIRQL ? (dirql > 0 ? dirql : DIRQL_MAX) : bound;
}

function boundText(bound: number, dirql: number): string {
  if (bound === LEVEL_DIRQL) return dirql > 0 ? levelName(dirql) : 'DIRQL';
  return levelName(bound);
}

/** The contract as text for reports: `PASSIVE_LEVEL`, `<= DISPATCH_LEVEL`, `DIRQL(5)`, `any`. */
export function requiredText(min: number, max: number, dirql: number): string {
  if (min === 0 && max === 15) return 'any IRQL';
  if (min === max) return boundText(min, dirql);
  if (min === 0) return `<= ${boundText(max, dirql)}`;
  if (max === 15) return `>= ${boundText(min, dirql)}`;
  return `${boundText(min, dirql)} .. ${boundText(max, dirql)}`;
}

const rolesByPointer = new Map<string, RoleMeta>();
for (const role of metadata.roles) rolesByPointer.set(role.pointer, role);

/** The roles a handler type accepts (the role and its variants), or null if `type` is no handler type. */
export function acceptedRoles(pointer: string): readonly string[] | null {
  const role = rolesByPointer.get(pointer);
  if (role === undefined) return null;
  return [role.name, ...role.variants];
}

const roleInfos = new Map<RoleMeta, RoleInfo>();

/**
 * The precomputed contract of a role (by its metadata object, as a declaration carries it). Each
 * metadata object is compared once with the harness's own contract of its role (foreign).
 */
export function roleInfo(meta: RoleMeta): RoleInfo {
  let info = roleInfos.get(meta);
  if (info === undefined) {
    info = buildRoleInfo(meta);
    roleInfos.set(meta, info);
  }
  return info;
}

/** The precomputed contract of a role by name. */
export function roleInfoByName(name: string): RoleInfo {
  const meta = roleContract(name);
  if (meta === undefined) throw new Error(`the generated metadata has no role ${name}; run \`npm run generate\``);
  return roleInfo(meta);
}

function buildRoleInfo(meta: RoleMeta): RoleInfo {
  const min = level(meta.irql.min, 0);
  const max = level(meta.irql.max, 15);
  const kind = meta.rules.includes('ISR-CLAIM')
    ? ROLE_KIND_ISR
    : meta.rules.includes('DPC-IRQL')
      ? ROLE_KIND_DPC
      : meta.invokedBy.includes('NdisMSynchronizeWithInterruptEx')
        ? ROLE_KIND_SYNC
        : ROLE_KIND_OTHER;
  const type = meta.returns.type;
  return {
    name: meta.name,
    meta,
    min,
    max,
    same: meta.irql.same,
    kind,
    atDirql: min === LEVEL_DIRQL && max === LEVEL_DIRQL,
    mayCallAnyLevel: meta.mayCall === 'anyLevel',
    returns: type === 'BOOLEAN' || type === 'VOID' || type === 'NDIS_STATUS' ? type : 'none',
    foreign: contractDifference(meta),
  };
}

/** The fields of a role's metadata the harness checks its calls by (the rest is documentation: provenance, SAL text, since). */
const CONTRACT_FIELDS = ['irql', 'mayCall', 'returns', 'params', 'rules', 'invokedBy', 'variants'] as const;

/**
 * The fields of the contract in which `meta` differs from the harness's own contract of the role
 * it names, as text; null when none does, or when the harness knows no role of that name.
 */
function contractDifference(meta: RoleMeta): string | null {
  const own = roleContract(meta.name);
  if (own === undefined || own === meta) return null;
  const differ = CONTRACT_FIELDS.filter((field) => !sameValue(own[field], meta[field]));
  return differ.length === 0 ? null : differ.join(', ');
}

/** Whether two values of generated metadata (JSON: no cycles) are equal, whatever the order of their keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every(
    (key) =>
      Object.hasOwn(b, key) && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

const ddiInfos = new Map<string, DdiInfo>();

/** The precomputed contract of a DDI; throws when the generated metadata has no such DDI. */
export function ddiInfo(name: string): DdiInfo {
  let info = ddiInfos.get(name);
  if (info === undefined) {
    const meta = functionContract(name);
    if (meta === undefined) throw new Error(`the generated metadata has no DDI ${name}; run \`npm run generate\``);
    info = buildDdiInfo(meta);
    ddiInfos.set(name, info);
  }
  return info;
}

function buildDdiInfo(meta: FunctionMeta): DdiInfo {
  const handlers: HandlerParam[] = [];
  meta.params.forEach((param, index) => {
    const accepted = acceptedRoles(param.type);
    if (accepted !== null) handlers.push({ index, name: param.name, pointer: param.type, accepted });
  });
  const unknown = meta.irql.min === null || meta.irql.max === null;
  const min = level(meta.irql.min, 0);
  const max = level(meta.irql.max, 15);
  return {
    name: meta.name,
    meta,
    min,
    max,
    anyLevel: isAnyLevel(meta.irql),
    unknown,
    required: unknown
      ? `an IRQL contract the spec does not know (${meta.irql.reason ?? 'no reason given'})`
      : requiredText(min, max, 0),
    conditional: meta.irql.when.length > 0,
    acquiresLock: meta.rules.includes('LOCK-REACQUIRE'),
    handlers,
  };
}

/** Bounds of a conditional contract for these arguments and conditions in words (slow path). */
export function conditionalBounds(
  irql: IrqlMeta,
  dirql: number,
  params: FunctionMeta['params'],
  args: ArrayLike<unknown>,
  stated?: Readonly<Record<string, boolean>>,
): { min: number; max: number } {
  const named: Record<string, unknown> = {};
  params.forEach((param, i) => {
    named[param.name] = args[i];
  });
  return irqlBounds(irql, dirql > 0 ? dirql : DIRQL_MAX, named, stated) ?? { min: 0, max: 15 };
}

/** Every DDI the generated metadata declares, by name (sorted). */
export function allDdiNames(): string[] {
  return metadata.functions.map((f) => f.name).sort();
}
