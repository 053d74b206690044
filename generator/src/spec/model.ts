/**
 * model: validated spec files → one typed model that every output renders from. The model precomputes
 * every name, annotation string and type text a template needs; templates only lay them out.
 */
import { compareStrings } from '../diagnostics.js';
import { importedBySection, isImported, overlay } from './merge.js';
import type { LoadedFile } from './load.js';
import { positionOf } from './load.js';
import { fileStem } from '../names.js';
import { ruleModels, type RuleModel } from './rules.js';
import {
  levelRange,
  type Direction,
  type LevelName,
  type SpecFile,
  type SpecFunction,
  type SpecIrql,
  type SpecParam,
  type SpecRole,
  type SpecType,
  type TypeKind,
} from './spec-types.js';

export interface Provenance {
  /** Spec file, relative, forward slashes. */
  file: string;
  line: number;
}

export interface IrqlCondition {
  /** The parameter tested; null for a condition stated in words (`condition`). */
  param: string | null;
  equals: string | number | boolean | null;
  /** A condition that is no parameter value ("canceling periodic timer"); null for a parameter test. */
  condition: string | null;
  min: LevelName;
  max: LevelName;
  /** The SAL text, e.g. `_When_(Flags == 1, _IRQL_requires_(PASSIVE_LEVEL))`; null where SAL cannot state the condition. */
  sal: string | null;
  /** Human text, e.g. "exactly PASSIVE_LEVEL when Flags is 1". */
  text: string;
}

export interface IrqlModel {
  /** Lowest level a caller may be at (PASSIVE_LEVEL when unbounded below); null only when unknown. */
  min: LevelName | null;
  /** Highest level a caller may be at (HIGH_LEVEL when unbounded above); null only when unknown. */
  max: LevelName | null;
  /** min == max. */
  exact: boolean;
  /** Callable at any level. */
  any: boolean;
  same: boolean;
  raisesTo: LevelName | null;
  saves: string | null;
  restores: string | null;
  when: IrqlCondition[];
  note: string | null;
  /** Why the contract is unknown (min and max null); null when known. */
  reason: string | null;
  /**
   * The bounds the harness enforces where the caller states no condition: min..max narrowed by every
   * branch whose condition is stated in words (the strictest branch); null when unknown.
   */
  enforced: { min: LevelName; max: LevelName } | null;
  /** One line for people: "exactly DIRQL; IRQL unchanged on return". */
  text: string;
  /** Function-level SAL annotations that express the contract, in order. */
  sal: string[];
}

export interface TypeRefModel {
  /** The spec type name (C spelling); `unknown` where the spec states no type. */
  name: string;
  /** type | role pointer | not stated (an imported entry whose page gives no type). */
  kind: TypeKind | 'rolePointer' | 'unknown';
  /** TypeScript type text for this use (already includes `| null` for optional parameters). */
  ts: string;
  /** C type text. */
  c: string;
}

export interface ParamModel {
  name: string;
  type: TypeRefModel;
  /** null where an imported page marks no direction. */
  direction: Direction | null;
  optional: boolean;
  /** `_In_`, `_Out_`, `_Inout_`, `_In_opt_`, …; null when the direction is unknown. */
  sal: string | null;
  description: string | null;
  /** True when the last parameter (for comma placement in templates). */
  last: boolean;
}

export interface ReturnsModel {
  /** Kind `unknown` where an imported page states no return type. */
  type: TypeRefModel;
  void: boolean;
  description: string | null;
}

interface EntryBase {
  name: string;
  header: string;
  /** null where an imported page states no version the importer reads. */
  since: string | null;
  family: string;
  description: string | null;
  remarks: string[];
  rules: string[];
  compliance: string[];
  seeAlso: string[];
  provenance: Provenance;
  /** Lower-case file stem for pages and scaffolds (miniport_synchronize_interrupt). */
  stem: string;
  /** curated: from a curated file only; imported: from an imported file only; merged: a curated entry over an imported one. */
  origin: 'curated' | 'imported' | 'merged';
  /** The reference page an imported (or merged) entry came from; null otherwise. */
  page: string | null;
}

export interface RoleModel extends EntryBase {
  kind: 'role';
  /** Conventional function name in the reference (MiniportSynchronizeInterrupt); null where the page names none. */
  function: string | null;
  /** The pointer typedef (MINIPORT_ISR_HANDLER); null where the reference does not name it. */
  pointer: string | null;
  /** The C type of a pointer to a function of the role: the typedef, or `ROLE *` where it is not named. */
  pointerC: string;
  interrupt: 'line' | 'message' | null;
  params: ParamModel[];
  returns: ReturnsModel;
  irql: IrqlModel;
  mayCall: 'anyLevel' | 'contract';
  invokedBy: string[];
  registeredIn: string | null;
  /** Names of the variants of this role (empty for a variant itself). */
  variants: string[];
  /** The base role when this entry is a variant. */
  variantOf: string | null;
  /** Roles whose declared functions the pointer typedef accepts: itself and its variants. */
  accepts: string[];
  /** Function-level SAL: `_Function_class_(NAME)` then the IRQL annotations. */
  sal: string[];
  /** TypeScript signature text `(SynchronizeContext: NDIS_HANDLE) => BOOLEAN`. */
  tsSignature: string;
  /** C parameter list text for prototypes `_In_ NDIS_HANDLE SynchronizeContext` (or `VOID`). */
  cParams: string;
  /** Every parameter type and direction and the return type are known, so C can declare it. */
  prototype: boolean;
}

export interface FunctionModel extends EntryBase {
  kind: 'function';
  macro: boolean;
  params: ParamModel[];
  returns: ReturnsModel;
  irql: IrqlModel;
  sal: string[];
  tsSignature: string;
  cParams: string;
  /** Every parameter type and direction and the return type are known, so C can declare it. */
  prototype: boolean;
}

export interface FieldModel {
  name: string;
  type: TypeRefModel;
  count: number | null;
  optional: boolean;
  description: string | null;
}

export interface EnumValueModel {
  name: string;
  /** null where an imported page states no value. */
  value: number | null;
  description: string | null;
}

export interface TypeModel extends EntryBase {
  kind: 'type';
  typeKind: TypeKind;
  /** C fallback base type for scalars and handles; C tag for structs and enums. */
  c: string | null;
  tag: string | null;
  /** TypeScript type text of the alias's right-hand side. */
  ts: string;
  bits: number | null;
  signed: boolean | null;
  /** Pointee for pointers. */
  to: string | null;
  fields: FieldModel[];
  values: EnumValueModel[];
  opaque: boolean;
  /** Every field type (structs) or member value (enums) is known, so C can define it. */
  complete: boolean;
}

export interface ConstantModel extends EntryBase {
  kind: 'constant';
  type: string;
  /** C expression text, e.g. `((NDIS_STATUS)0xC0000001L)`. */
  c: string;
  /** TypeScript literal, e.g. `-1073741823` (two's complement for signed types) or `0x84`. */
  ts: string;
  /** The numeric value as TypeScript sees it. */
  value: number | bigint;
}

export type EntryModel = TypeModel | RoleModel | FunctionModel | ConstantModel;

export interface Model {
  /** Spec files the model was built from, sorted (for provenance headers). */
  sources: string[];
  headers: string[];
  /** Types sorted by name. */
  types: TypeModel[];
  /** Types in an order where each comes after the types it needs by value (for C). */
  typesInCOrder: TypeModel[];
  /** Roles and variants sorted by name. */
  roles: RoleModel[];
  /** Functions sorted by name. */
  functions: FunctionModel[];
  /** Constants sorted by name. */
  constants: ConstantModel[];
  /** Every entry by name. */
  byName: ReadonlyMap<string, EntryModel>;
  /** The contract rules of the harness (the rule table), sorted by id. */
  rules: RuleModel[];
}

export function buildModel(files: readonly LoadedFile[]): Model {
  const sorted = [...files].sort((a, b) => compareStrings(a.origin, b.origin));
  interface Raw<T> {
    spec: T;
    file: LoadedFile;
    index: number;
    header: string;
    family: string;
    origin: EntryModel['origin'];
  }
  const rawTypes = new Map<string, Raw<SpecType>>();
  const rawRoles: Raw<SpecRole>[] = [];
  const rawFunctions: Raw<SpecFunction>[] = [];
  // Imported entries sit under curated ones: a curated entry of the same name takes them over field by
  // field (overlay), and an imported role named like a curated variant is that variant.
  const importedTypes = importedBySection<SpecType>(sorted, 'types');
  const importedRoles = importedBySection<SpecRole>(sorted, 'roles');
  const importedFunctions = importedBySection<SpecFunction>(sorted, 'functions');
  const taken = new Set<string>();
  const familyOf = (file: LoadedFile): string =>
    (file.value as SpecFile).family ?? fileStem(file.origin.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
  for (const file of sorted) {
    if (isImported(file)) continue;
    const spec = file.value as SpecFile;
    const family = familyOf(file);
    spec.types?.forEach((type, index) => {
      const under = importedTypes.get(type.name);
      if (under !== undefined) taken.add(`types:${type.name}`);
      const merged = overlay(type, under?.spec);
      rawTypes.set(type.name, {
        spec: merged,
        file,
        index,
        header: merged.header ?? spec.header,
        family,
        origin: under ? 'merged' : 'curated',
      });
    });
    spec.roles?.forEach((role, index) => {
      const under = importedRoles.get(role.name);
      if (under !== undefined) taken.add(`roles:${role.name}`);
      for (const variant of role.variants ?? []) taken.add(`roles:${variant.name}`);
      const merged = overlay(role, under?.spec);
      rawRoles.push({
        spec: merged,
        file,
        index,
        header: merged.header ?? spec.header,
        family,
        origin: under ? 'merged' : 'curated',
      });
    });
    spec.functions?.forEach((fn, index) => {
      const under = importedFunctions.get(fn.name);
      if (under !== undefined) taken.add(`functions:${fn.name}`);
      const merged = overlay(fn, under?.spec);
      rawFunctions.push({
        spec: merged,
        file,
        index,
        header: merged.header ?? spec.header,
        family,
        origin: under ? 'merged' : 'curated',
      });
    });
  }
  for (const file of sorted) {
    if (!isImported(file)) continue;
    const spec = file.value as SpecFile;
    const family = familyOf(file);
    const fresh = (section: string, name: string): boolean => !taken.has(`${section}:${name}`);
    spec.types?.forEach((type, index) => {
      if (fresh('types', type.name))
        rawTypes.set(type.name, {
          spec: type,
          file,
          index,
          header: type.header ?? spec.header,
          family,
          origin: 'imported',
        });
    });
    spec.roles?.forEach((role, index) => {
      if (fresh('roles', role.name))
        rawRoles.push({ spec: role, file, index, header: role.header ?? spec.header, family, origin: 'imported' });
    });
    spec.functions?.forEach((fn, index) => {
      if (fresh('functions', fn.name))
        rawFunctions.push({ spec: fn, file, index, header: fn.header ?? spec.header, family, origin: 'imported' });
    });
  }

  const rolePointers = new Map<string, string>();
  for (const { spec } of rawRoles) {
    if (spec.pointer !== undefined) rolePointers.set(spec.pointer, spec.name);
    for (const variant of spec.variants ?? []) rolePointers.set(variant.pointer, variant.name);
  }

  const typeRef = (name: string | undefined, optional = false): TypeRefModel => {
    if (name === undefined) return { ...unknownType };
    const pointerOf = rolePointers.get(name);
    if (pointerOf !== undefined) {
      return { name, kind: 'rolePointer', ts: optional ? `${name} | null` : name, c: name };
    }
    const type = rawTypes.get(name);
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

  const types: TypeModel[] = [...rawTypes.values()].map(({ spec, file, index, header, family, origin }) => {
    const fields: FieldModel[] = (spec.fields ?? []).map((field) => ({
      name: field.name,
      type: typeRef(field.type, field.optional === true),
      count: field.count ?? null,
      optional: field.optional === true,
      description: field.description ?? null,
    }));
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
      provenance: provenance(file, ['types', index]),
      stem: fileStem(spec.name),
      origin,
      page: spec.page ?? null,
      c: spec.c ?? null,
      tag: spec.tag ?? (spec.kind === 'struct' || spec.kind === 'enum' ? `_${spec.name}` : null),
      ts: typeTsText(spec, typeRef),
      bits: spec.bits ?? null,
      signed: spec.signed ?? null,
      to: spec.to ?? null,
      fields,
      values,
      opaque: spec.opaque === true,
      complete:
        spec.kind === 'struct'
          ? fields.length > 0 && fields.every((f) => f.type.kind !== 'unknown')
          : values.every((v) => v.value !== null),
    };
  });

  const roles: RoleModel[] = [];
  for (const { spec, file, index, header, family, origin } of rawRoles) {
    const roleParams = params(spec.params);
    const returns = returnsModel(spec.returns?.type, spec.returns?.description, typeRef);
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
      provenance: provenance(file, ['roles', index]),
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
    spec.variants?.forEach((variant, j) => {
      roles.push({
        ...base,
        name: variant.name,
        function: variant.function,
        pointer: variant.pointer,
        pointerC: variant.pointer,
        interrupt: variant.interrupt ?? base.interrupt,
        description: variant.description ?? base.description,
        provenance: provenance(file, ['roles', index, 'variants', j]),
        stem: fileStem(variant.name),
        origin: 'curated',
        page: null,
        variants: [],
        variantOf: spec.name,
        accepts: [variant.name],
        seeAlso: uniqueSorted([spec.name, ...base.seeAlso]),
        // The Windows header declares a variant as a typedef of its base role, so a function of the
        // variant carries the base role's function class.
        sal: base.sal,
      });
    });
  }

  const functions: FunctionModel[] = rawFunctions.map(({ spec, file, index, header, family, origin }) => {
    const fnParams = params(spec.params);
    const returns = returnsModel(spec.returns?.type, spec.returns?.description, typeRef);
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
      provenance: provenance(file, ['functions', index]),
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

  const constants: ConstantModel[] = [];
  for (const file of sorted) {
    const spec = file.value as SpecFile;
    const family = spec.family ?? fileStem(file.origin.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
    spec.constants?.forEach((constant, index) => {
      const type = rawTypes.get(constant.type)?.spec;
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
        provenance: provenance(file, ['constants', index]),
        stem: fileStem(constant.name),
        origin: 'curated',
        page: null,
        ...constantValue(constant.value, constant.type, type?.bits ?? 32, type?.signed === true, type?.ts ?? 'number'),
      });
    });
  }

  const byName = new Map<string, EntryModel>();
  for (const entry of [...types, ...roles, ...functions, ...constants]) byName.set(entry.name, entry);
  const byNameSort = <T extends { name: string }>(list: T[]): T[] =>
    list.sort((a, b) => compareStrings(a.name, b.name));

  return {
    sources: sorted.map((f) => f.origin),
    headers: uniqueSorted([...types, ...roles, ...functions].map((e) => e.header)),
    types: byNameSort([...types]),
    typesInCOrder: cOrder(byNameSort([...types]), rolePointers),
    roles: byNameSort(roles),
    functions: byNameSort(functions),
    constants: byNameSort(constants),
    byName,
    rules: ruleModels(sorted),
  };
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

function uniqueSorted(list: readonly string[]): string[] {
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

const order = (level: LevelName): number => levelRange[level][0];

export function irqlModel(spec: SpecIrql): IrqlModel {
  let min: LevelName | null = null;
  let max: LevelName | null = null;
  if (spec.runsAt) min = max = spec.runsAt;
  else if (spec.any) {
    min = 'PASSIVE_LEVEL';
    max = 'HIGH_LEVEL';
  } else if (spec.min || spec.max) {
    min = spec.min ?? 'PASSIVE_LEVEL';
    max = spec.max ?? 'HIGH_LEVEL';
  }
  const known = min !== null && max !== null;
  const exact = known && min === max;
  const sal: string[] = [];
  if (spec.runsAt) sal.push(levelSal('requires', spec.runsAt));
  else if (spec.any) sal.push('_IRQL_requires_max_(HIGH_LEVEL)');
  else {
    if (spec.min) sal.push(levelSal('min', spec.min));
    if (spec.max) sal.push(levelSal('max', spec.max));
  }
  if (spec.raisesTo) sal.push(`_IRQL_raises_(${spec.raisesTo === 'DIRQL' ? 'HIGH_LEVEL' : spec.raisesTo})`);
  if (spec.saves) sal.push(`_IRQL_saves_global_(SpinLock, ${spec.saves})`);
  if (spec.restores) sal.push(`_IRQL_restores_global_(SpinLock, ${spec.restores})`);
  if (spec.same) sal.push('_IRQL_requires_same_');
  const when: IrqlCondition[] = (spec.when ?? []).map((condition) => {
    const inner = condition.irql;
    const innerMin = inner.runsAt ?? (inner.any ? 'PASSIVE_LEVEL' : (inner.min ?? 'PASSIVE_LEVEL'));
    const innerMax = inner.runsAt ?? (inner.any ? 'HIGH_LEVEL' : (inner.max ?? 'HIGH_LEVEL'));
    const innerSal = inner.runsAt
      ? levelSal('requires', inner.runsAt)
      : inner.any
        ? '_IRQL_requires_max_(HIGH_LEVEL)'
        : [inner.min && levelSal('min', inner.min), inner.max && levelSal('max', inner.max)].filter(Boolean).join(' ');
    if (condition.param === undefined) {
      // A condition stated in words has no C expression, so SAL cannot carry it.
      const stated = condition.condition ?? '';
      return {
        param: null,
        equals: null,
        condition: stated,
        min: innerMin,
        max: innerMax,
        sal: null,
        text: `${rangeText(innerMin, innerMax)} when ${stated}`,
      };
    }
    const value =
      typeof condition.equals === 'boolean' ? (condition.equals ? 'TRUE' : 'FALSE') : String(condition.equals);
    return {
      param: condition.param,
      equals: condition.equals ?? null,
      condition: null,
      min: innerMin,
      max: innerMax,
      sal: `_When_(${condition.param} == ${value}, ${innerSal})`,
      text: `${rangeText(innerMin, innerMax)} when ${condition.param} is ${value}`,
    };
  });
  for (const condition of when) if (condition.sal !== null) sal.push(condition.sal);
  const enforced = known
    ? narrowed(
        min!,
        max!,
        when.filter((c) => c.param === null),
      )
    : null;
  const parts: string[] = [];
  parts.push(known ? rangeText(min!, max!) : 'unknown');
  for (const condition of when) parts.push(condition.text);
  if (enforced !== null && (enforced.min !== min || enforced.max !== max)) {
    parts.push(
      enforced.min === null
        ? 'no level meets every case'
        : `enforced where no condition is stated: ${rangeText(enforced.min, enforced.max)}`,
    );
  }
  if (spec.raisesTo)
    parts.push(`raises IRQL to ${spec.raisesTo}${spec.saves ? ` and saves the previous IRQL in ${spec.saves}` : ''}`);
  if (spec.restores) parts.push(`restores the IRQL saved in ${spec.restores}`);
  if (spec.same) parts.push('IRQL unchanged on return');
  return {
    min,
    max,
    exact,
    any: spec.any === true || (min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL'),
    same: spec.same === true,
    raisesTo: spec.raisesTo ?? null,
    saves: spec.saves ?? null,
    restores: spec.restores ?? null,
    when,
    note: spec.note ?? null,
    reason: known ? null : (spec.unknown ?? 'the spec states no level'),
    enforced: enforced === null || enforced.min === null ? null : { min: enforced.min, max: enforced.max },
    text: parts.join('; '),
    sal,
  };
}

/** min..max narrowed by every branch (the strictest branch); min null when no level meets them all. */
function narrowed(
  min: LevelName,
  max: LevelName,
  branches: readonly IrqlCondition[],
): { min: LevelName; max: LevelName } | { min: null; max: LevelName } {
  let lo = min;
  let hi = max;
  for (const branch of branches) {
    if (levelRange[branch.min][0] > levelRange[lo][0]) lo = branch.min;
    if (levelRange[branch.max][1] < levelRange[hi][1]) hi = branch.max;
  }
  return levelRange[lo][0] > levelRange[hi][1] ? { min: null, max: hi } : { min: lo, max: hi };
}

/**
 * SAL cannot name the symbolic DIRQL. Exactly-DIRQL becomes "above DISPATCH_LEVEL" (true for every
 * device level) and at-most-DIRQL becomes "at most HIGH_LEVEL"; the structured contract keeps DIRQL.
 */
function levelSal(kind: 'requires' | 'min' | 'max', level: LevelName): string {
  if (level === 'DIRQL') {
    if (kind === 'max') return '_IRQL_requires_max_(HIGH_LEVEL)';
    return '_IRQL_requires_min_(DISPATCH_LEVEL + 1)';
  }
  if (kind === 'requires') return `_IRQL_requires_(${level})`;
  return `_IRQL_requires_${kind}_(${level})`;
}

function rangeText(min: LevelName, max: LevelName): string {
  if (min === max) return `exactly ${min}`;
  if (min === 'PASSIVE_LEVEL' && max === 'HIGH_LEVEL') return 'any level';
  if (min === 'PASSIVE_LEVEL') return `at most ${max}`;
  if (max === 'HIGH_LEVEL') return `at least ${min}`;
  return `${min} to ${max}`;
}

/** Orders types so each follows the types it contains by value; ties by name. Role pointers come from roles. */
function cOrder(types: readonly TypeModel[], rolePointers: ReadonlyMap<string, string>): TypeModel[] {
  const byName = new Map(types.map((t) => [t.name, t]));
  const done = new Set<string>();
  const result: TypeModel[] = [];
  const visit = (type: TypeModel, stack: Set<string>): void => {
    if (done.has(type.name) || stack.has(type.name)) return;
    stack.add(type.name);
    const needs = type.typeKind === 'pointer' ? [] : type.fields.map((f) => f.type.name);
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
