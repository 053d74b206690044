/**
 * The driver's entry point that registers the driver: a scaffold's DriverEntry fills an
 * NDIS_MINIPORT_DRIVER_CHARACTERISTICS with the scaffold's functions and hands it, with its own
 * parameters, to NdisMRegisterMiniportDriver, keeping the driver handle that DDI returns.
 *
 * Everything comes from the model. The entry point's role is the one whose conventional function
 * name is the one the WDK calls a driver at (DRIVER_INITIALIZE's DriverEntry). The registering DDI
 * is the one of the role's seeAlso that the role may call, that takes each of the role's parameters
 * by name and type, and a pointer to a structure of handler fields. The handler fields are the
 * structure's fields whose type is a role's pointer typedef; each gets the first scaffolded
 * function that pointer accepts. The header's Type, Revision and Size are the constants ndis.h names
 * after the structure, when the spec has them. Only the version fields are named here: the spec
 * says what they mean in prose alone.
 */
import { compareStrings } from '../diagnostics.js';
import { wdkEntryPoint } from '../names.js';
import type { FieldModel, FunctionModel, Model, ParamModel, RoleModel, TypeModel } from '../spec/model.js';
import { indexOf } from './model-index.js';
import { mayCallList, pointee, safeValue, type PlannedFunction } from './scaffold-bodies.js';
import { ofKind } from './slot-kinds.js';

/** A variable the registering DDI writes through an out-parameter, kept for the driver's life. */
export interface RegistrationStatic {
  type: string;
  name: string;
  /** What it holds, for its comment. */
  note: string;
}

export interface RegistrationPlan {
  /** The DDI that registers the driver: NdisMRegisterMiniportDriver. */
  ddi: FunctionModel;
  /** The characteristics structure, and the local variable that holds it. */
  structure: TypeModel;
  local: string;
  /** Assignments to the zeroed structure, in field order: `Header.Type` ← a constant, `HaltHandlerEx` ← a function. */
  assignments: { field: string; value: string }[];
  /** Handler fields the spec does not mark optional that no scaffolded function fills, with their roles. */
  unfilled: { field: string; role: string }[];
  /** The header fields left to the driver, when the spec names no constants for them. */
  headerUnset: string | null;
  /** The role's parameters the DDI takes. */
  passed: ParamModel[];
  /** The DDI's arguments, in order. */
  args: string[];
  statics: RegistrationStatic[];
}

/**
 * The fields of NDIS_MINIPORT_DRIVER_CHARACTERISTICS that state versions, with the value each gets:
 * the NDIS version the spec's constants declare (NDIS 6.0), and 1.0 for the driver's own.
 */
const versionValues: readonly { field: string; value: string }[] = [
  { field: 'MajorNdisVersion', value: 'NDIS_MINIPORT_MAJOR_VERSION' },
  { field: 'MinorNdisVersion', value: 'NDIS_MINIPORT_MINOR_VERSION' },
  { field: 'MajorDriverVersion', value: '1' },
  { field: 'MinorDriverVersion', value: '0' },
];

/** The role of the driver's entry point (DRIVER_INITIALIZE), or null when the spec has none. */
export function entryPointRole(model: Model): RoleModel | null {
  return model.roles.find((r) => r.function === wdkEntryPoint && r.variantOf === null) ?? null;
}

/**
 * How the entry point's function registers the driver with the scaffold's functions, or null when
 * `entry` is not the entry point's role or the model does not say how (its body is then the plain one).
 */
export function registrationPlan(
  model: Model,
  entry: PlannedFunction,
  planned: readonly PlannedFunction[],
): RegistrationPlan | null {
  if (entry.role !== entryPointRole(model) || entry.role.returns.void) return null;
  const found = registeringDdi(model, entry.role);
  if (found === null) return null;
  const { ddi, structureParam, structure } = found;
  ofKind('identifier', ddi.name, 'the name of the registering DDI');
  ofKind('identifier', structure.name, `the structure ${ddi.name} takes`);

  // Names the body and the file add must not hide a function, a helper, a parameter or a header name.
  const taken = new Set<string>(planned.flatMap((p) => [p.name, ...p.calls.map((c) => c.name)]));
  for (const param of entry.role.params) taken.add(param.name);
  const free = (base: string): string => {
    let name = base;
    for (let n = 2; taken.has(name) || model.byName.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    return name;
  };
  const local = free('characteristics');

  const statics: RegistrationStatic[] = [];
  const args: string[] = [];
  const passed: ParamModel[] = [];
  for (const param of ddi.params) {
    const own = entry.role.params.find((p) => p.name === param.name && p.type.name === param.type.name);
    if (own !== undefined) {
      passed.push(own);
      args.push(own.name);
    } else if (param === structureParam) {
      args.push(`&${local}`);
    } else if (param.direction === 'in' && param.optional) {
      const value = safeValue(model, typeOf(model, param.type.name), 'c', false).value;
      if (value === null) return null;
      args.push(ofKind('cConstant', value, `the value passed as ${param.name}`));
    } else if (param.direction === 'out' && !param.optional) {
      const target = pointee(model, param);
      if (target === null || target.typeKind === 'struct' || target.typeKind === 'void') return null;
      const name = free(ofKind('identifier', param.name, `a parameter of ${ddi.name}`));
      const note = `Set by ${ddi.name} in ${entry.name}; kept while the driver is loaded.`;
      statics.push({ type: ofKind('identifier', target.name, `the type ${param.name} points to`), name, note });
      args.push(`&${name}`);
    } else {
      return null;
    }
  }

  const assignments: { field: string; value: string }[] = [];
  const unfilled: { field: string; role: string }[] = [];
  let headerUnset: string | null = null;
  const rolesByPointer = indexOf(model).rolesByPointer;
  for (const field of structure.fields) {
    const name = ofKind('identifier', field.name, `a field of ${structure.name}`);
    const header = headerValues(model, structure, field);
    if (header === 'unset') headerUnset = name;
    else if (header !== null) assignments.push(...header.map((h) => ({ field: `${name}.${h.field}`, value: h.value })));
    const version = versionValues.find((v) => v.field === field.name);
    if (
      version !== undefined &&
      (/^[0-9]+$/.test(version.value) || model.byName.get(version.value)?.kind === 'constant')
    )
      assignments.push({ field: name, value: version.value });
    const role = rolesByPointer.get(field.type.name);
    if (role === undefined) continue;
    const fn = planned.find((p) => role.accepts.includes(p.role.name));
    if (fn !== undefined) assignments.push({ field: name, value: fn.name });
    else if (!field.optional) unfilled.push({ field: name, role: role.name });
  }
  return { ddi, structure, local, assignments, unfilled, headerUnset, passed, args, statics };
}

function typeOf(model: Model, name: string): TypeModel | null {
  const entry = model.byName.get(name);
  return entry?.kind === 'type' ? entry : null;
}

/** The structure a pointer type points to, when it has a field of a role's pointer type. */
function handlerStructure(model: Model, pointerName: string): TypeModel | null {
  const pointer = typeOf(model, pointerName);
  if (pointer?.typeKind !== 'pointer' || pointer.to === null) return null;
  const structure = typeOf(model, pointer.to);
  if (structure?.typeKind !== 'struct' || !structure.complete || structure.union) return null;
  const rolesByPointer = indexOf(model).rolesByPointer;
  return structure.fields.some((f) => rolesByPointer.has(f.type.name)) ? structure : null;
}

/**
 * The DDI the entry point registers with: named in the role's seeAlso, callable at its IRQL, taking
 * each of its parameters (same name and type) and a pointer to a structure of handler fields.
 */
function registeringDdi(
  model: Model,
  role: RoleModel,
): { ddi: FunctionModel; structureParam: ParamModel; structure: TypeModel } | null {
  const callable = new Set(mayCallList(model, role));
  for (const name of [...role.seeAlso].sort(compareStrings)) {
    const ddi = model.byName.get(name);
    if (ddi?.kind !== 'function' || !ddi.prototype || !callable.has(ddi)) continue;
    const takesOwn = role.params.every((p) => ddi.params.some((q) => q.name === p.name && q.type.name === p.type.name));
    if (!takesOwn) continue;
    for (const param of ddi.params) {
      if (param.direction !== 'in') continue;
      const structure = handlerStructure(model, param.type.name);
      if (structure !== null) return { ddi, structureParam: param, structure };
    }
  }
  return null;
}

/**
 * The NDIS object header's Type, Revision and Size, as ndis.h names their constants after the
 * structure: NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1
 * and NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 (the latest revision the spec sizes).
 * Null for a field that is no object header; 'unset' when the spec lacks the constants or the size.
 */
function headerValues(
  model: Model,
  structure: TypeModel,
  field: FieldModel,
): { field: string; value: string }[] | 'unset' | null {
  const header = typeOf(model, field.type.name);
  const parts = ['Type', 'Revision', 'Size'];
  if (header?.typeKind !== 'struct' || !parts.every((p) => header.fields.some((f) => f.name === p))) return null;
  const size = structure.sizes[structure.sizes.length - 1];
  const revision = size === undefined ? undefined : /_REVISION_[0-9]+$/.exec(size.name)?.[0];
  if (size === undefined || revision === undefined) return 'unset';
  const type = `NDIS_OBJECT_TYPE_${structure.name.replace(/^NDIS_/, '')}`;
  const revisionConstant = `${structure.name}${revision}`;
  // The size macro is the structure's own; the other two must be constants of the spec.
  if (model.byName.get(type)?.kind !== 'constant' || model.byName.get(revisionConstant)?.kind !== 'constant')
    return 'unset';
  return [type, revisionConstant, size.name].map((value, i) => ({
    field: parts[i]!,
    value: ofKind('identifier', value, `the ${parts[i]} of ${structure.name}`),
  }));
}
