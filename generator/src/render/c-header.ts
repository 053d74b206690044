/**
 * C output: include/ndis_roles.h, the role typedefs with their SAL annotations in the WDK's own pattern,
 * the types they need and the prototypes of the DDIs. With the WDK's ndis.h included first (it defines
 * _NDIS_) the header adds nothing; elsewhere it declares the same names, SAL annotations expanding to
 * nothing, so role-typed driver code compiles with any C11 compiler.
 */
import { compareStrings } from '../diagnostics.js';
import type { ConstantModel, FunctionModel, Model, RoleModel, TypeModel } from '../spec/model.js';
import type { OutputFile, RenderContext } from './output.js';
import { levelNames, levelRange } from '../spec/spec-types.js';
import { cComment, cCommentText, cParamLines, entrySal, sizedIntegerC, typedefLine, widest } from './c-text.js';
import { indexOf } from './model-index.js';
import { recordComment, recordDefinition, recordKeyword } from './c-records.js';
import { ofKind } from './slot-kinds.js';
import { tidy } from './templates.js';

export const cHeaderPath = 'include/ndis_roles.h';
export const cHeaderName = 'ndis_roles.h';
export const cHeaderGuard = 'DDIKIT_NDIS_ROLES_H';

/**
 * Empty stand-ins for the SAL annotations the model emits: name and parameter list (null for an
 * object-like macro). Every annotation found in the model must be here; renderC checks.
 */
export const salFallbacks: readonly (readonly [name: string, params: string | null])[] = [
  ['_Function_class_', 'x'],
  ['_IRQL_requires_', 'irql'],
  ['_IRQL_requires_min_', 'irql'],
  ['_IRQL_requires_max_', 'irql'],
  ['_IRQL_requires_same_', null],
  ['_IRQL_raises_', 'irql'],
  ['_IRQL_saves_global_', 'kind, param'],
  ['_IRQL_restores_global_', 'kind, param'],
  ['_When_', 'condition, annotations'],
  ['_In_', null],
  ['_Out_', null],
  ['_Inout_', null],
  ['_In_opt_', null],
  ['_Out_opt_', null],
  ['_Inout_opt_', null],
  ['_Use_decl_annotations_', null],
];

/** Plain macros the header defines off Windows besides the SAL annotations and the IRQL levels. */
const baseMacros: readonly (readonly [name: string, params: string | null, value: string])[] = [
  ['TRUE', null, '1'],
  ['FALSE', null, '0'],
  ['NULL', null, '((void *)0)'],
  ['UNREFERENCED_PARAMETER', 'P', '((void)(P))'],
];

/** What the revision sizes are written with, as the WDK's ntdef.h names it (offsetof: stddef.h). */
const sizeMacros: readonly (readonly [name: string, params: string | null, value: string])[] = [
  ['FIELD_OFFSET', 'type, field', '((LONG)offsetof(type, field))'],
  ['RTL_FIELD_SIZE', 'type, field', '(sizeof(((type *)0)->field))'],
  ['RTL_SIZEOF_THROUGH_FIELD', 'type, field', '(FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))'],
];

interface MacroView {
  name: string;
  /** The text after `#define `. */
  define: string;
}

interface RoleView {
  comment: string;
  sal: string[];
  returns: string;
  name: string;
  params: string[];
  pointer: string;
  variants: { base: string; name: string; pointer: string }[];
}

interface FunctionView {
  comment: string;
  sal: string[];
  returns: string;
  name: string;
  params: string[];
}

interface StructView {
  comment: string | null;
  /** The definition, `struct _TAG {` through `};`, with its #pragma pack lines. */
  lines: string[];
}

interface EnumView {
  tag: string;
  names: string;
  values: string[];
}

interface HeaderView {
  provenance: string;
  guard: string;
  /** What the header leaves out because the spec does not know enough to declare it; null when nothing. */
  omitted: string | null;
  salMacros: MacroView[];
  levelMacros: MacroView[];
  baseMacros: MacroView[];
  voidMacros: MacroView[];
  scalars: string[];
  handles: string[];
  enums: EnumView[];
  forwards: string[];
  pointers: string[];
  roles: RoleView[];
  structs: StructView[];
  constantGroups: string[][];
  /** `NAME RTL_SIZEOF_THROUGH_FIELD(TYPE, FIELD)` per revision of each structure the header defines. */
  sizes: string[];
  /** RTL_SIZEOF_THROUGH_FIELD and what it uses; empty when there is no size. */
  sizeMacros: MacroView[];
  functionGroups: { family: string; functions: FunctionView[] }[];
}

export function renderC(context: RenderContext): OutputFile[] {
  const view = headerView(context.model, context.provenance('c/ndis_roles.h'));
  return [{ path: cHeaderPath, content: tidy(context.templates.get('c/ndis_roles.h')(view)) }];
}

/** The C text of a scalar's or handle's fallback type: the spec's `c`, else one derived from its size. */
function fallbackCType(type: TypeModel): string {
  if (type.c !== null) return ofKind('cFallbackType', type.c, `the C fallback type of ${type.name}`);
  if (type.typeKind === 'handle') return 'void *';
  return sizedIntegerC(type.bits, type.signed);
}

/** `typedef <c> <name>;` lines (typedefLine). */
function typedefLines(rows: readonly (readonly [c: string, name: string])[]): string[] {
  return rows.map(([c, name]) => typedefLine(c, name));
}

function structTag(type: TypeModel): string {
  return type.tag ?? `_${type.name}`;
}

/** Pointer typedefs ordered so a pointer to a pointer type follows that type; otherwise by name. */
function pointerOrder(types: readonly TypeModel[]): TypeModel[] {
  const pointers = types.filter((t) => t.typeKind === 'pointer').sort((a, b) => compareStrings(a.name, b.name));
  const byName = new Map(pointers.map((t) => [t.name, t]));
  const done = new Set<string>();
  const result: TypeModel[] = [];
  const visit = (type: TypeModel, depth: number): void => {
    if (done.has(type.name) || depth > pointers.length) return;
    const target = type.to === null ? undefined : byName.get(type.to);
    if (target) visit(target, depth + 1);
    if (done.has(type.name)) return;
    done.add(type.name);
    result.push(type);
  };
  for (const type of pointers) visit(type, 0);
  return result;
}

/** `#define` texts of macros; with `align`, the values start in one column. */
function macros(
  rows: readonly (readonly [name: string, params: string | null, value: string])[],
  align: boolean,
): MacroView[] {
  const heads = rows.map(([name, params]) => (params === null ? name : `${name}(${params})`));
  const width = align ? widest(heads) : 0;
  return rows.map(([name, , value], i) => ({
    name,
    define: value === '' ? heads[i]! : `${heads[i]!.padEnd(width)} ${value}`,
  }));
}

/** SAL annotation names used anywhere in the model. */
export function salNamesUsed(model: Model): string[] {
  const texts: string[] = [];
  for (const entry of [...model.roles, ...model.functions]) {
    for (const text of [...entry.sal, ...entry.irql.when.map((c) => c.sal), ...entry.params.map((p) => p.sal)]) {
      if (text !== null) texts.push(text);
    }
  }
  const names = new Set<string>(['_Use_decl_annotations_']);
  for (const text of texts)
    for (const match of text.matchAll(/(?<![A-Za-z0-9_])_[A-Za-z][A-Za-z_]*_(?![A-Za-z0-9_])/g)) names.add(match[0]);
  return [...names].sort(compareStrings);
}

const headerNames = new WeakMap<Model, ReadonlySet<string>>();

/** Every identifier the header defines off Windows (types, roles, enumerators, constants, DDIs, macros). */
export function cHeaderNames(model: Model): ReadonlySet<string> {
  const cached = headerNames.get(model);
  if (cached !== undefined) return cached;
  const names = new Set<string>();
  for (const [name] of salFallbacks) names.add(name);
  for (const [name] of baseMacros) names.add(name);
  for (const level of levelNames) if (level !== 'DIRQL') names.add(level);
  names.add(cHeaderGuard);
  for (const type of model.types) {
    names.add(type.name);
    if (type.typeKind === 'enum' && type.complete) {
      names.add(`P${type.name}`);
      for (const value of type.values) names.add(value.name);
    }
    if (type.tag !== null) names.add(type.tag);
  }
  for (const role of model.roles) {
    names.add(role.name);
    if (role.pointer !== null) names.add(role.pointer);
  }
  for (const fn of model.functions) names.add(fn.name);
  for (const constant of model.constants) names.add(constant.name);
  for (const type of definedStructs(model)) for (const size of type.sizes) names.add(size.name);
  if (definedStructs(model).some((t) => t.sizes.length > 0)) for (const [name] of sizeMacros) names.add(name);
  headerNames.set(model, names);
  return names;
}

function roleView(role: RoleModel, variants: readonly RoleModel[]): RoleView {
  return {
    comment: cComment([`${role.function ?? role.name}. IRQL: ${role.irql.text}.`]),
    sal: entrySal(role),
    returns: ofKind('cTypeName', role.returns.type.c, `the return type of ${role.name}`),
    name: ofKind('identifier', role.name, 'a role name'),
    params: cParamLines(role.params, true),
    pointer: ofKind('cTypeName', role.pointerC, `the pointer type of ${role.name}`),
    variants: variants.map((v) => ({
      base: role.name,
      name: ofKind('identifier', v.name, 'a variant name'),
      pointer: ofKind('cTypeName', v.pointerC, `the pointer type of ${v.name}`),
    })),
  };
}

function functionView(fn: FunctionModel): FunctionView {
  const macroNote = fn.macro ? ` A macro in ${fn.header}; declared here as a function.` : '';
  return {
    comment: cComment([`IRQL: ${fn.irql.text}.${macroNote}`]),
    sal: entrySal(fn),
    returns: ofKind('cTypeName', fn.returns.type.c, `the return type of ${fn.name}`),
    name: ofKind('identifier', fn.name, 'a function name'),
    params: cParamLines(fn.params, true),
  };
}

function structView(type: TypeModel): StructView {
  return { comment: recordComment(type), lines: recordDefinition(type, (f) => f.type.c) };
}

function enumView(type: TypeModel, typeNames: ReadonlySet<string>): EnumView {
  const width = widest(type.values.map((v) => v.name));
  const pointer = `P${type.name}`;
  return {
    tag: ofKind('identifier', structTag(type), `the tag of ${type.name}`),
    // The pointer name comes with the enum, as in the WDK, unless the spec defines that name itself.
    names: typeNames.has(pointer) ? type.name : `${type.name}, *${pointer}`,
    values: type.values.map((v, i) => {
      ofKind('identifier', v.name, `a member of ${type.name}`);
      ofKind('integer', String(v.value), `the value of ${v.name}`);
      return `${v.name.padEnd(width)} = ${v.value}${i === type.values.length - 1 ? '' : ','}`;
    }),
  };
}

function constantGroups(constants: readonly ConstantModel[]): string[][] {
  const byType = new Map<string, ConstantModel[]>();
  for (const constant of constants) {
    const group = byType.get(constant.type);
    if (group === undefined) byType.set(constant.type, [constant]);
    else group.push(constant);
  }
  const width = widest(constants.map((c) => c.name));
  return [...byType.keys()].sort(compareStrings).map((type) =>
    byType
      .get(type)!
      .sort((a, b) => compareStrings(a.name, b.name))
      .map((c) => {
        ofKind('identifier', c.name, 'a constant name');
        ofKind('cConstantExpression', c.c, `the value of ${c.name}`);
        return `${c.name.padEnd(width)} ${c.c}`;
      }),
  );
}

/** The structures the header defines (the others it only names), each after the ones it contains. */
function definedStructs(model: Model): TypeModel[] {
  return model.typesInCOrder.filter((t) => t.typeKind === 'struct' && t.fields.length > 0 && t.complete);
}

function headerView(model: Model, provenance: string): HeaderView {
  checkSalFallbacks(model);
  const typeNames = new Set(model.types.map((t) => t.name));
  const byKind = (kind: TypeModel['typeKind']): TypeModel[] => model.types.filter((t) => t.typeKind === kind);

  // Entries whose parameter or return types the spec does not know (imported from pages without
  // prototypes) cannot be declared: the header leaves them out and says how many.
  const baseRoles = model.roles.filter((r) => r.variantOf === null && r.prototype);
  const index = indexOf(model);
  const variantsOf = (role: RoleModel): readonly RoleModel[] => index.variants.get(role.name) ?? [];
  const byFamily = new Map<string, FunctionModel[]>();
  for (const fn of model.functions) {
    if (!fn.prototype) continue;
    const group = byFamily.get(fn.family);
    if (group === undefined) byFamily.set(fn.family, [fn]);
    else group.push(fn);
  }
  const families = [...byFamily.keys()].sort(compareStrings);

  const omitted = omittedComment(model);
  const sizes = definedStructs(model).flatMap((t) =>
    t.sizes.map(
      (s) =>
        `${ofKind('identifier', s.name, `a size macro of ${t.name}`)} RTL_SIZEOF_THROUGH_FIELD(${t.name}, ${ofKind('identifier', s.through, `the last field of ${s.name}`)})`,
    ),
  );
  return {
    provenance: cCommentText(provenance),
    guard: cHeaderGuard,
    omitted,
    salMacros: macros(
      salFallbacks.map(([name, params]) => [name, params, ''] as const),
      false,
    ),
    levelMacros: macros(
      levelNames
        .filter((level) => level !== 'DIRQL')
        .map((level) => [level, null, String(levelRange[level][0])] as const),
      true,
    ),
    baseMacros: macros(baseMacros, true),
    voidMacros: macros(
      byKind('void').map((t) => [ofKind('identifier', t.name, 'a void type name'), null, 'void'] as const),
      false,
    ),
    // An enum the spec gives no members (or no member values) falls back to its underlying int.
    scalars: typedefLines(
      model.types
        .filter((t) => t.typeKind === 'scalar' || (t.typeKind === 'enum' && (t.values.length === 0 || !t.complete)))
        .map((t) => [t.typeKind === 'enum' ? 'int' : fallbackCType(t), t.name] as const),
    ),
    handles: typedefLines(byKind('handle').map((t) => [fallbackCType(t), t.name] as const)),
    enums: byKind('enum')
      .filter((t) => t.values.length > 0 && t.complete)
      .map((t) => enumView(t, typeNames)),
    forwards: typedefLines(
      byKind('struct').map(
        (t) => [`${recordKeyword(t)} ${ofKind('identifier', structTag(t), `the tag of ${t.name}`)}`, t.name] as const,
      ),
    ),
    pointers: typedefLines(
      pointerOrder(model.types).map(
        (t) => [`${ofKind('identifier', t.to ?? 'VOID', `the pointee of ${t.name}`)} *`, t.name] as const,
      ),
    ),
    roles: baseRoles.map((r) => roleView(r, variantsOf(r))),
    structs: definedStructs(model).map(structView),
    constantGroups: constantGroups(model.constants),
    sizes,
    sizeMacros: sizes.length > 0 ? macros(sizeMacros, true) : [],
    functionGroups: families.map((family) => ({
      family,
      functions: byFamily.get(family)!.map(functionView),
    })),
  };
}

/** Throws when the model uses a SAL annotation the header has no empty stand-in for. */
function checkSalFallbacks(model: Model): void {
  const used = salNamesUsed(model);
  const known = new Set(salFallbacks.map(([name]) => name));
  const missing = used.filter((name) => !known.has(name));
  if (missing.length > 0) {
    throw new Error(
      `render-c: the model uses SAL annotations with no C fallback: ${missing.join(', ')}; add them to salFallbacks`,
    );
  }
}

/**
 * The comment saying what the header leaves out: entries whose parameter or return types the spec
 * does not know (imported from pages without prototypes), and structures and enumerations of unknown
 * layout; null when nothing is left out.
 */
function omittedComment(model: Model): string | null {
  const omittedRoles = model.roles.filter((r) => r.variantOf === null && !r.prototype).length;
  const omittedFunctions = model.functions.filter((f) => !f.prototype).length;
  const omittedTypes = model.types.filter(
    (t) => (t.typeKind === 'struct' || t.typeKind === 'enum') && !t.complete,
  ).length;

  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const omittedParts = [
    omittedRoles > 0 && plural(omittedRoles, 'role type'),
    omittedFunctions > 0 && plural(omittedFunctions, 'DDI'),
  ].filter((p): p is string => p !== false);
  return omittedParts.length === 0 && omittedTypes === 0
    ? null
    : cComment([
        [
          omittedParts.length > 0
            ? `Not declared here: ${omittedParts.join(' and ')} whose parameter or return types the reference pages do not state.`
            : '',
          omittedTypes > 0
            ? `${omittedTypes} ${omittedTypes === 1 ? 'structure or enumeration' : 'structures and enumerations'} of unknown layout ${omittedTypes === 1 ? 'is' : 'are'} declared by name only.`
            : '',
          'Their contracts are in the metadata; add a curated entry with the types to declare one.',
        ]
          .filter((t) => t !== '')
          .join(' '),
      ]);
}
