/**
 * What the C and TypeScript scaffolds both say: the planned functions and their call helpers, the
 * comment that opens a body (the role's IRQL and what it may call), the out-parameters it sets and
 * the value it returns.
 */
import { compareStrings } from '../diagnostics.js';
import type { FunctionModel, IrqlModel, Model, ParamModel, RoleModel, TypeModel } from '../spec/model.js';
import { levelRange } from '../spec/spec-types.js';
import { indexOf } from './model-index.js';

export type ScaffoldLanguage = 'c' | 'ts';

export interface CallSite {
  /** The helper's name: `<Name>Call`. */
  name: string;
  /** The DDI that runs the function. */
  invoker: FunctionModel;
  /** The invoker's parameter that takes the function. */
  functionParam: ParamModel;
}

export interface PlannedFunction {
  name: string;
  role: RoleModel;
  calls: CallSite[];
}

/** The callable-at-entry range of an IRQL contract as x64 numbers, or null when unknown. */
function range(irql: IrqlModel): [number, number] | null {
  if (irql.min === null || irql.max === null) return null;
  return [levelRange[irql.min][0], levelRange[irql.max][1]];
}

/**
 * The DDIs a function of the role may call, as its mayCall says: those the generated header declares
 * (a scaffold calls them as written), so DDIs imported without types are not listed. In model
 * order; found through the index of declared DDIs by IRQL range (at most one group per pair of
 * levels), so the work follows the length of the list, not the size of the model.
 */
export function mayCallList(model: Model, role: RoleModel): FunctionModel[] {
  const index = indexOf(model);
  if (role.mayCall === 'anyLevel') return [...index.declaredAnyLevel];
  const at = range(role.irql);
  if (at === null) return [];
  const groups: (readonly FunctionModel[])[] = [];
  for (const [key, group] of index.declaredByRange) {
    const [min, max] = key.split(':').map(Number) as [number, number];
    if (min <= at[0] && at[1] <= max) groups.push(group);
  }
  if (groups.length === 1) return [...groups[0]!];
  return groups.flat().sort((a, b) => index.functionOrder.get(a)! - index.functionOrder.get(b)!);
}

/** The first clause of an IRQL text: the level range ("exactly DIRQL"). */
function rangeClause(irql: IrqlModel): string {
  return irql.text.split('; ')[0] ?? irql.text;
}

function listInWords(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The paragraphs of the comment that opens a body. */
export function bodyNotes(model: Model, role: RoleModel): string[] {
  const who = role.invokedBy.length > 0 ? `, called by ${listInWords(role.invokedBy)}` : '';
  const where = role.registeredIn !== null ? `; registered in ${role.registeredIn}` : '';
  const calls = mayCallList(model, role).map((f) => f.name);
  const callText =
    role.mayCall === 'anyLevel'
      ? calls.length > 0
        ? `May call only the DDIs callable at any IRQL: ${calls.join(', ')}.`
        : 'May call only DDIs callable at any IRQL; the spec has none.'
      : calls.length > 0
        ? `May call the DDIs whose IRQL contract admits its level: ${calls.join(', ')}.`
        : 'May call the DDIs whose IRQL contract admits its level; the spec has none.';
  return [`${role.name}${who}${where}.`, `IRQL: ${role.irql.text}.`, callText];
}

export function helperNote(site: CallSite, planned: PlannedFunction): string {
  return (
    `Runs ${planned.name} through ${site.invoker.name}, at ${rangeClause(planned.role.irql)}. ` +
    `Caller's IRQL: ${rangeClause(site.invoker.irql)}.`
  );
}

/** The pointed-to type of an out-parameter, when the spec knows it. */
export function pointee(model: Model, param: ParamModel): TypeModel | null {
  const pointer = model.byName.get(param.type.name);
  if (pointer?.kind !== 'type' || pointer.typeKind !== 'pointer' || pointer.to === null) return null;
  const target = model.byName.get(pointer.to);
  return target?.kind === 'type' ? target : null;
}

/**
 * The out-parameters the body sets to a safe value, with that value: those whose pointee has one
 * (in TypeScript, only those passed as a writable box). The others are left to the driver.
 */
export function defaultedOuts(model: Model, role: RoleModel, lang: ScaffoldLanguage): Map<ParamModel, string> {
  const outs = new Map<ParamModel, string>();
  for (const param of role.params) {
    if (param.direction !== 'out') continue;
    const pointer = model.byName.get(param.type.name);
    if (lang === 'ts' && !(pointer?.kind === 'type' && pointer.ts.startsWith('Box<'))) continue;
    const { value } = safeValue(model, pointee(model, param), lang, false);
    if (value !== null) outs.set(param, value);
  }
  return outs;
}

/** True for a BOOLEAN-like scalar (its TypeScript type is boolean). */
function isBoolean(type: TypeModel): boolean {
  return type.typeKind === 'scalar' && type.ts === 'boolean';
}

/** A zero constant of a scalar type (NDIS_STATUS_SUCCESS), if the spec has one: the first by name. */
function zeroConstant(model: Model, type: TypeModel): string | null {
  return indexOf(model).zeroConstants.get(type.name)?.[0] ?? null;
}

/** A line ISR on a line that may be shared must not claim by default; every other BOOLEAN role succeeds. */
function claimsOnlyItsOwn(role: RoleModel): boolean {
  return role.interrupt === 'line' && role.rules.includes('ISR-CLAIM');
}

interface ValueText {
  /** The expression, or null when none fits (a structure). */
  value: string | null;
  /** Names the TypeScript expression needs imported as values. */
  imports: string[];
}

/** A safe value of a type in C or TypeScript: FALSE, a zero constant, the first enum member, 0, NULL. */
export function safeValue(model: Model, type: TypeModel | null, lang: ScaffoldLanguage, bool: boolean): ValueText {
  if (type === null) return { value: lang === 'c' ? '0' : null, imports: [] };
  switch (type.typeKind) {
    case 'scalar': {
      if (isBoolean(type)) return { value: lang === 'c' ? (bool ? 'TRUE' : 'FALSE') : String(bool), imports: [] };
      const zero = zeroConstant(model, type);
      if (zero !== null) return { value: zero, imports: lang === 'ts' ? [zero] : [] };
      return { value: lang === 'ts' && type.ts === 'bigint' ? '0n' : '0', imports: [] };
    }
    case 'enum': {
      const first = type.values[0]?.name;
      if (first === undefined) return { value: lang === 'c' ? `(${type.name})0` : null, imports: [] };
      return { value: first, imports: lang === 'ts' ? [first] : [] };
    }
    case 'handle':
      return { value: lang === 'c' ? 'NULL' : 'null', imports: [] };
    case 'pointer':
      return { value: lang === 'c' ? 'NULL' : null, imports: [] };
    case 'struct':
    case 'void':
      return { value: null, imports: [] };
  }
}

interface ReturnPlan {
  comment: string | null;
  /** Null when no safe value exists (TypeScript, a pointer to a structure): the body throws until written. */
  value: string | null;
  imports: string[];
}

export function returnPlan(model: Model, role: RoleModel, lang: ScaffoldLanguage): ReturnPlan | null {
  if (role.returns.void) return null;
  const entry = model.byName.get(role.returns.type.name);
  const type = entry?.kind === 'type' ? entry : null;
  const claims = type !== null && isBoolean(type) && claimsOnlyItsOwn(role);
  const comment = claims
    ? 'Return TRUE only when your NIC raised the interrupt; the line may be shared, so return FALSE at once when it did not.'
    : role.returns.description;
  // The spec never returns a structure by value (validate rejects it), so C always has a value.
  const { value, imports } = safeValue(model, type, lang, !claims);
  return { comment, value, imports };
}

export function trimBlankEnds(lines: string[]): string[] {
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
