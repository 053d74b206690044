/**
 * The entries of the model, built from the merged spec entries (merge.ts): types, roles with their
 * variants, functions and constants, each with every name, SAL string and type text its outputs need.
 */
import { compareStrings } from '../diagnostics.js';
import { fileStem } from '../names.js';
import { irqlModel } from './irql-model.js';
import { positionOf, type LoadedFile } from './load.js';
import { familyOf, type MergedEntries } from './merge.js';
import type {
  ConstantModel,
  EnumValueModel,
  FieldModel,
  FunctionModel,
  ParamModel,
  Provenance,
  ReturnsModel,
  RoleModel,
  TypeModel,
  TypeRefModel,
} from './model-types.js';
import type { Direction, SpecField, SpecFile, SpecParam, SpecType, SpecVariant } from './spec-types.js';

/** How entries refer to types and to their place in the spec. */
export interface Refs {
  /** Role pointer typedef → role (or variant) name. */
  rolePointers: ReadonlyMap<string, string>;
  /** The reference to a type by name (`unknown` where the spec states none), optional adding `| null`. */
  typeRef: (name: string | undefined, optional?: boolean) => TypeRefModel;
  provenance: (file: LoadedFile, path: (string | number)[]) => Provenance;
  params: (list: readonly SpecParam[]) => ParamModel[];
}

export function refsOf(entries: MergedEntries): Refs {
  const rolePointers = new Map<string, string>();
  for (const { spec } of entries.roles) {
    if (spec.pointer !== undefined) rolePointers.set(spec.pointer, spec.name);
    for (const variant of spec.variants ?? []) rolePointers.set(variant.pointer, variant.name);
  }

  const typeRef = (name: string | undefined, optional = false): TypeRefModel => {
    if (name === undefined) return { ...unknownType };
    const pointerOf = rolePointers.get(name);
    if (pointerOf !== undefined) {
      return { name, kind: 'rolePointer', ts: optional ? `${name} | null` : name, c: name };
    }
    const type = entries.types.get(name);
    const kind = type?.spec.kind ?? 'handle';
    const base = kind === 'void' ? 'void' : name;
    return { name, kind, ts: optional && kind !== 'void' ? `${base} | null` : base, c: name };
  };

  const provenance = (file: LoadedFile, path: (string | number)[]): Provenance => ({
    file: file.origin,
    line: positionOf(file, path).line,
  });

  const params = (list: readonly SpecParam[]): ParamModel[] =>
    list.map((param, i) => ({
      name: param.name,
      type: typeRef(param.type, param.optional === true),
      direction: param.dir ?? null,
      optional: param.optional === true,
      sal: param.dir === undefined ? null : paramSal(param.dir, param.optional === true),
      description: param.description ?? null,
      last: i === list.length - 1,
    }));
  return { rolePointers, typeRef, provenance, params };
}

/** The model of fields, members declared in place included. */
function fieldModels(list: readonly SpecField[], refs: Refs): FieldModel[] {
  return list.map((field) => ({
    name: field.name,
    type: field.members === undefined ? refs.typeRef(field.type, field.optional === true) : { ...unknownType },
    count: field.count ?? null,
    optional: field.optional === true,
    members: field.members === undefined ? null : fieldModels(field.members, refs),
    union: field.union === true,
    anonymous: field.anonymous === true,
    width: field.width ?? null,
    description: field.description ?? null,
  }));
}

/** Every field type is known, through the members declared in place. */
function fieldsKnown(fields: readonly FieldModel[]): boolean {
  return fields.every((f) => (f.members === null ? f.type.kind !== 'unknown' : fieldsKnown(f.members)));
}

export function typeModels(entries: MergedEntries, refs: Refs): TypeModel[] {
  return [...entries.types.values()].map(({ spec, file, index, header, family, origin }) => {
    const fields = fieldModels(spec.fields ?? [], refs);
    const values: EnumValueModel[] = (spec.values ?? []).map((value) => ({
      name: value.name,
      value: value.value ?? null,
      description: value.description ?? null,
    }));
    return {
      kind: 'type',
      name: spec.name,
      typeKind: spec.kind,
      header,
      family,
      // A curated type with no version is as old as NDIS 6; an imported one whose page names none is unknown.
      since: spec.since ?? (origin === 'imported' ? null : 'NDIS 6.0'),
      description: spec.description ?? null,
      remarks: [],
      rules: [],
      compliance: [],
      seeAlso: [],
      provenance: refs.provenance(file, ['types', index]),
      stem: fileStem(spec.name),
      origin,
      page: spec.page ?? null,
      c: spec.c ?? null,
      tag: spec.tag ?? (spec.kind === 'struct' || spec.kind === 'enum' ? `_${spec.name}` : null),
      ts: typeTsText(spec, refs.typeRef),
      bits: spec.bits ?? null,
      signed: spec.signed ?? null,
      pointerSized: spec.pointerSized === true,
      record: spec.record ?? null,
      to: spec.to ?? null,
      union: spec.union === true,
      pack: spec.pack ?? null,
      sizes: (spec.sizes ?? []).map((s) => ({ name: s.name, through: s.through })),
      fields,
      values,
      opaque: spec.opaque === true,
      complete:
        spec.kind === 'struct' ? fields.length > 0 && fieldsKnown(fields) : values.every((v) => v.value !== null),
    };
  });
}

export function roleModels(entries: MergedEntries, refs: Refs): RoleModel[] {
  const roles: RoleModel[] = [];
  for (const { spec, file, index, header, family, origin } of entries.roles) {
    const roleParams = refs.params(spec.params);
    const returns = returnsModel(spec.returns?.type, spec.returns?.description, refs.typeRef);
    const irql = irqlModel(spec.irql);
    const base: RoleModel = {
      kind: 'role',
      name: spec.name,
      function: spec.function ?? null,
      pointer: spec.pointer ?? null,
      pointerC: spec.pointer ?? `${spec.name} *`,
      header,
      family,
      since: spec.since ?? null,
      interrupt: spec.interrupt ?? null,
      description: spec.description ?? null,
      remarks: spec.remarks ?? [],
      rules: spec.rules ?? [],
      compliance: spec.compliance ?? [],
      seeAlso: spec.seeAlso ?? [],
      provenance: refs.provenance(file, ['roles', index]),
      stem: fileStem(spec.name),
      origin,
      page: spec.page ?? null,
      params: roleParams,
      returns,
      irql,
      mayCall: spec.mayCall ?? 'contract',
      invokedBy: spec.invokedBy ?? [],
      registeredIn: spec.registeredIn ?? null,
      variants: (spec.variants ?? []).map((v) => v.name),
      variantOf: null,
      accepts: [spec.name, ...(spec.variants ?? []).map((v) => v.name)],
      sal: [`_Function_class_(${spec.name})`, ...irql.sal],
      tsSignature: tsSignature(roleParams, returns),
      cParams: cParams(roleParams),
      prototype: prototypeKnown(roleParams, returns),
    };
    roles.push(base);
    spec.variants?.forEach((variant, j) =>
      roles.push(variantModel(base, variant, refs.provenance(file, ['roles', index, 'variants', j]))),
    );
  }
  return roles;
}

/** A variant of a role: the base role's parameters and contract under its own name and pointer typedef. */
function variantModel(base: RoleModel, variant: SpecVariant, provenance: Provenance): RoleModel {
  return {
    ...base,
    name: variant.name,
    function: variant.function,
    pointer: variant.pointer,
    pointerC: variant.pointer,
    interrupt: variant.interrupt ?? base.interrupt,
    description: variant.description ?? base.description,
    provenance,
    stem: fileStem(variant.name),
    origin: 'curated',
    page: null,
    variants: [],
    variantOf: base.name,
    accepts: [variant.name],
    seeAlso: uniqueSorted([base.name, ...base.seeAlso]),
    // The Windows header declares a variant as a typedef of its base role, so a function of the
    // variant carries the base role's function class.
    sal: base.sal,
  };
}

export function functionModels(entries: MergedEntries, refs: Refs): FunctionModel[] {
  return entries.functions.map(({ spec, file, index, header, family, origin }) => {
    const fnParams = refs.params(spec.params);
    const returns = returnsModel(spec.returns?.type, spec.returns?.description, refs.typeRef);
    const irql = irqlModel(spec.irql);
    return {
      kind: 'function',
      name: spec.name,
      macro: spec.macro === true,
      header,
      family,
      since: spec.since ?? null,
      description: spec.description ?? null,
      remarks: spec.remarks ?? [],
      rules: spec.rules ?? [],
      compliance: spec.compliance ?? [],
      seeAlso: spec.seeAlso ?? [],
      provenance: refs.provenance(file, ['functions', index]),
      stem: fileStem(spec.name),
      origin,
      page: spec.page ?? null,
      params: fnParams,
      returns,
      irql,
      sal: irql.sal,
      tsSignature: tsSignature(fnParams, returns),
      cParams: cParams(fnParams),
      prototype: prototypeKnown(fnParams, returns),
    };
  });
}

export function constantModels(sorted: readonly LoadedFile[], entries: MergedEntries, refs: Refs): ConstantModel[] {
  const constants: ConstantModel[] = [];
  for (const file of sorted) {
    const spec = file.value as SpecFile;
    const family = familyOf(file);
    spec.constants?.forEach((constant, index) => {
      const type = entries.types.get(constant.type)?.spec;
      constants.push({
        kind: 'constant',
        name: constant.name,
        type: constant.type,
        header: spec.header,
        family,
        since: 'NDIS 6.0',
        description: constant.description ?? null,
        remarks: [],
        rules: [],
        compliance: [],
        seeAlso: [],
        provenance: refs.provenance(file, ['constants', index]),
        stem: fileStem(constant.name),
        origin: 'curated',
        page: null,
        ...constantValue(constant.value, constant.type, type?.bits ?? 32, type?.signed === true, type?.ts ?? 'number'),
      });
    });
  }
  return constants;
}

function constantValue(
  written: number | string,
  type: string,
  bits: number,
  signed: boolean,
  ts: string,
): { c: string; ts: string; value: number | bigint } {
  let value = BigInt(written);
  // A hexadecimal value of a signed type is written as its bit pattern, as C headers do.
  if (signed && value >= 1n << BigInt(bits - 1)) value -= 1n << BigInt(bits);
  const literal =
    typeof written === 'string' ? written.replace(/^0x/, '0x').toUpperCase().replace(/^0X/, '0x') : String(written);
  const suffix = bits === 64 ? (signed ? 'LL' : 'ULL') : typeof written === 'string' && bits === 32 ? 'L' : '';
  const c = `((${type})${literal}${suffix})`;
  const hex = typeof written === 'string' && value >= 0n ? literal : undefined;
  if (ts === 'bigint') return { c, ts: `${hex ?? value}n`, value };
  if (ts === 'boolean') return { c, ts: value === 0n ? 'false' : 'true', value: Number(value) };
  return { c, ts: hex ?? String(Number(value)), value: Number(value) };
}

export function uniqueSorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort(compareStrings);
}

function typeTsText(spec: SpecType, typeRef: (name: string | undefined) => TypeRefModel): string {
  switch (spec.kind) {
    case 'void':
      return 'void';
    case 'scalar':
    case 'handle':
      return spec.ts ?? 'unknown';
    case 'pointer': {
      const target = typeRef(spec.to ?? 'VOID');
      // A pointer to a structure is the structure object itself (a reference already); a pointer to a
      // value is a writable box, so the callee can write through it.
      return target.kind === 'struct' ? target.name : `Box<${target.kind === 'void' ? 'unknown' : target.name}>`;
    }
    case 'enum':
    case 'struct':
      return spec.name;
  }
}

/** The types fields hold by value, through the members declared in place. */
export function byValueTypes(fields: readonly FieldModel[]): string[] {
  return fields.flatMap((f) => (f.members === null ? [f.type.name] : byValueTypes(f.members)));
}

/** The type reference of a type the spec does not state (imported entries): TypeScript `unknown`. */
export const unknownType: Readonly<TypeRefModel> = { name: 'unknown', kind: 'unknown', ts: 'unknown', c: 'unknown' };

function returnsModel(
  type: string | undefined,
  description: string | undefined,
  typeRef: (name: string | undefined) => TypeRefModel,
): ReturnsModel {
  const ref = typeRef(type);
  return { type: ref, void: ref.kind === 'void', description: description ?? null };
}

/** Whether C can declare a prototype: every parameter's type and direction, and the return type, are known. */
function prototypeKnown(params: readonly ParamModel[], returns: ReturnsModel): boolean {
  return returns.type.kind !== 'unknown' && params.every((p) => p.type.kind !== 'unknown' && p.direction !== null);
}

function paramSal(direction: Direction, optional: boolean): string {
  const base = direction === 'in' ? '_In_' : direction === 'out' ? '_Out_' : '_Inout_';
  return optional ? `${base.slice(0, -1)}_opt_` : base;
}

function tsSignature(params: readonly ParamModel[], returns: ReturnsModel): string {
  return `(${params.map((p) => `${p.name}: ${p.type.ts}`).join(', ')}) => ${returns.void ? 'void' : returns.type.name}`;
}

function cParams(params: readonly ParamModel[]): string {
  return params.length === 0 ? 'VOID' : params.map((p) => `${p.sal ?? ''} ${p.type.c} ${p.name}`.trim()).join(', ');
}

/** Orders types so each follows the types it contains by value; ties by name. Role pointers come from roles. */
export function cOrder(types: readonly TypeModel[], rolePointers: ReadonlyMap<string, string>): TypeModel[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  const done = new Set<string>();
  const result: TypeModel[] = [];
  const visit = (type: TypeModel, stack: Set<string>): void => {
    if (done.has(type.name) || stack.has(type.name)) return;
    stack.add(type.name);
    const needs = type.typeKind === 'pointer' ? [] : byValueTypes(type.fields);
    for (const name of needs) {
      if (rolePointers.has(name)) continue;
      const dependency = byName.get(name);
      if (dependency) visit(dependency, stack);
    }
    stack.delete(type.name);
    done.add(type.name);
    result.push(type);
  };
  for (const type of types) visit(type, new Set());
  return result;
}
