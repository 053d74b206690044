/**
 * Lookups the renderers make per entry, built once per model in one pass over it, so that no page,
 * declaration or scaffold scans the whole model again: a 10× larger spec costs 10× the time, not
 * 100×. Cached per model (a model is immutable once built).
 */
import { compareStrings } from '../diagnostics.js';
import type { FunctionModel, IrqlModel, Model, RoleModel } from '../spec/model.js';
import { levelRange } from '../spec/spec-types.js';

export interface ModelIndex {
  /** Pointer type names by the type they point to. */
  pointersTo: ReadonlyMap<string, readonly string[]>;
  /** Entries that name a type in a parameter, return value, field, pointee or constant, by type name. */
  users: ReadonlyMap<string, ReadonlySet<string>>;
  /** Roles whose functions a DDI invokes (its `invokedBy`), by DDI name. */
  invokedRoles: ReadonlyMap<string, readonly RoleModel[]>;
  /** Variants of a role, by the base role's name, in model order. */
  variants: ReadonlyMap<string, readonly RoleModel[]>;
  /** Roles by name, and by the name of their pointer typedef. */
  rolesByName: ReadonlyMap<string, RoleModel>;
  rolesByPointer: ReadonlyMap<string, RoleModel>;
  /** Names of the constants of value 0, by type, sorted. */
  zeroConstants: ReadonlyMap<string, readonly string[]>;
  /** The DDIs the C header declares (a prototype is known), in model order, grouped by their IRQL range. */
  declaredByRange: ReadonlyMap<string, readonly FunctionModel[]>;
  /** The declared DDIs callable at any IRQL, in model order. */
  declaredAnyLevel: readonly FunctionModel[];
  /** Whether every DDI of the model is declared. */
  allDeclared: boolean;
  /** The position of each DDI in the model's order, to merge groups back into it. */
  functionOrder: ReadonlyMap<FunctionModel, number>;
}

const cache = new WeakMap<Model, ModelIndex>();

export function indexOf(model: Model): ModelIndex {
  let index = cache.get(model);
  if (index === undefined) {
    index = build(model);
    cache.set(model, index);
  }
  return index;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** The x64 range an IRQL contract admits on entry, as a key, or null when unknown. */
export function rangeKey(irql: IrqlModel): string | null {
  if (irql.min === null || irql.max === null) return null;
  return `${levelRange[irql.min][0]}:${levelRange[irql.max][1]}`;
}

function build(model: Model): ModelIndex {
  const pointersTo = new Map<string, string[]>();
  const users = new Map<string, Set<string>>();
  const use = (type: string, user: string): void => {
    if (type === user) return;
    let set = users.get(type);
    if (set === undefined) users.set(type, (set = new Set()));
    set.add(user);
  };
  for (const type of model.types) {
    if (type.typeKind === 'pointer' && type.to !== null) push(pointersTo, type.to, type.name);
    if (type.to !== null) use(type.to, type.name);
    for (const field of type.fields) use(field.type.name, type.name);
  }
  const invokedRoles = new Map<string, RoleModel[]>();
  const variants = new Map<string, RoleModel[]>();
  const rolesByName = new Map<string, RoleModel>();
  const rolesByPointer = new Map<string, RoleModel>();
  for (const role of model.roles) {
    rolesByName.set(role.name, role);
    if (role.pointer !== null) rolesByPointer.set(role.pointer, role);
    if (role.variantOf !== null) push(variants, role.variantOf, role);
    for (const caller of new Set(role.invokedBy)) push(invokedRoles, caller, role);
  }
  for (const entry of [...model.roles, ...model.functions]) {
    use(entry.returns.type.name, entry.name);
    for (const param of entry.params) use(param.type.name, entry.name);
  }
  const zeros = new Map<string, string[]>();
  for (const constant of model.constants) {
    use(constant.type, constant.name);
    if (Number(constant.value) === 0) push(zeros, constant.type, constant.name);
  }
  for (const list of zeros.values()) list.sort(compareStrings);
  const declaredByRange = new Map<string, FunctionModel[]>();
  const declaredAnyLevel: FunctionModel[] = [];
  const functionOrder = new Map<FunctionModel, number>();
  model.functions.forEach((fn, i) => {
    functionOrder.set(fn, i);
    if (!fn.prototype) return;
    if (fn.irql.any) declaredAnyLevel.push(fn);
    const key = rangeKey(fn.irql);
    if (key !== null) push(declaredByRange, key, fn);
  });
  return {
    pointersTo,
    users,
    invokedRoles,
    variants,
    rolesByName,
    rolesByPointer,
    zeroConstants: zeros,
    declaredByRange,
    declaredAnyLevel,
    allDeclared: model.functions.every((f) => f.prototype),
    functionOrder,
  };
}
