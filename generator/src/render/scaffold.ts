/**
 * scaffold: model + `--role ROLE:Name` requests → the files of a driver scaffold, or diagnostics.
 *
 * C: `<base>.h` declares each function with its role type, exactly as the WDK asks
 * (`MINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;`), and `<base>.c` defines it with
 * `_Use_decl_annotations_`, so the compiler checks every definition against its role type.
 * TypeScript: `<base>.ts` declares each function with the role's declarator from @ddikit/ndis.
 *
 * Each body states the role's IRQL and what it may call, marks the parameters it does not use, sets
 * the out-parameters to a safe value and returns a sensible one. A role that a DDI runs on the
 * driver's behalf (a synchronize function, run by NdisMSynchronizeWithInterruptEx) also gets a call
 * helper `<Name>Call` that hands it to that DDI.
 *
 * Pure: it returns files and writes nothing (templates are read once, as render does). Request
 * problems are diagnostics, all reported at once; then no file is returned.
 */
import { compareStrings } from '../diagnostics.js';
import type { FunctionModel, IrqlModel, Model, ParamModel, RoleModel, TypeModel } from '../spec/model.js';
import { cReservedWords, didYouMean, isCImplementationReserved, tsReservedWords } from '../names.js';
import { bundled } from '../paths.js';
import type { OutputFile } from './output.js';
import { cHeaderName, cHeaderNames } from './c-header.js';
import { cComment, cCommentText, cParamLines, entrySal, wrap } from './c-text.js';
import { levelRange } from '../spec/spec-types.js';
import { loadTemplates, tidy, type TemplateSet } from './templates.js';
import { generatorVersion } from '../version.js';

export type ScaffoldLanguage = 'c' | 'ts';

/** One `--role ROLE:Name`: the role type and the name of the driver function to declare with it. */
export interface ScaffoldRequest {
  role: string;
  name: string;
}

export interface ScaffoldResult {
  /** Paths relative to the output folder; empty when there is any diagnostic. */
  files: OutputFile[];
  /** `DDI4001: --role …: what is wrong (found). The fix.` One per problem, in request order. */
  diagnostics: string[];
}

/** Codes of scaffold diagnostics, with a one-line summary each. */
export const scaffoldDiagnosticCodes = {
  DDI4001: 'a --role names no role of the spec',
  DDI4002: 'a scaffold function name that is not a C identifier',
  DDI4003: 'a scaffold function name that is reserved or already declared by the generated header',
  DDI4004: 'two scaffold functions (or their call helpers) share a name',
  DDI4005: 'a scaffold base file name that is not a plain file name, or that shadows the generated header',
  DDI4006: 'a scaffold with no function',
  DDI4007: 'a --role whose parameter or return types the spec does not know (imported from a page without them)',
} as const;

export type ScaffoldDiagnosticCode = keyof typeof scaffoldDiagnosticCodes;

/** Thrown for a call the API does not allow (an unknown language); request problems are diagnostics. */
export class ScaffoldError extends Error {
  override readonly name = 'ScaffoldError';
  readonly diagnostics: readonly string[];

  constructor(message: string, diagnostics: readonly string[] = [message]) {
    super(message);
    this.diagnostics = diagnostics;
  }
}

/** The C identifier rule that the @ddikit/ndis declarators enforce at run time too. */
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const baseNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** Columns a TypeScript line may take before it is broken. */
const tsLineMax = 120;
/** Names the TypeScript scaffold imports besides those of the header. */
const tsImportedNames = ['NdisFunctions'];

/** The base file name used when none is given: the first function's name in lower case. */
export function defaultBaseName(requests: readonly ScaffoldRequest[]): string {
  return requests[0]?.name.toLowerCase() ?? 'scaffold';
}

export function scaffold(
  model: Model,
  requests: readonly ScaffoldRequest[],
  lang: ScaffoldLanguage = 'c',
  base?: string,
  templates: TemplateSet = loadTemplates(bundled.templatesDir),
  version: string = generatorVersion(),
): ScaffoldResult {
  if (lang !== 'c' && lang !== 'ts')
    throw new ScaffoldError(`scaffold: the language must be "c" or "ts" (got ${JSON.stringify(lang)})`);
  const diagnostics: string[] = [];
  const baseName = base ?? defaultBaseName(requests);
  if (requests.length === 0) {
    diagnostics.push(
      `DDI4006: no function to scaffold. Give at least one --role ROLE:Name, e.g. --role MINIPORT_SYNCHRONIZE_INTERRUPT:MySynchronizeInterrupt.`,
    );
  }
  // A base taken from a function name is checked with that name (an identifier is a valid file name).
  if (base !== undefined && !baseNamePattern.test(base)) {
    diagnostics.push(
      `DDI4005: the base file name must be a plain file name of letters, digits, "_", "." and "-" (got ${JSON.stringify(base)}).`,
    );
  } else if (lang === 'c' && `${baseName}.h` === cHeaderName) {
    const origin = base === undefined ? ' (taken from the first function name)' : '';
    diagnostics.push(
      `DDI4005: the base file name ${JSON.stringify(baseName)}${origin} would make ${cHeaderName}, which hides the generated header; choose another.`,
    );
  }

  const planned = planFunctions(model, requests, lang, diagnostics);
  if (diagnostics.length > 0) return { files: [], diagnostics };

  const sources = [...new Set(planned.map((p) => p.role.provenance.file))].sort(compareStrings);
  // Like the generated files, a scaffold names the generator version, the spec files and its template;
  // it carries no @generated mark, since it is the driver's own code from the first edit on.
  const firstLine = (template: string): string =>
    `Scaffold generated by ddikit ${version} from ${sources.join(', ')} with template ${template}. Yours to edit.`;
  if (lang === 'c') return { files: cFiles(model, planned, baseName, firstLine, templates), diagnostics };
  return { files: tsFiles(model, planned, baseName, firstLine, templates), diagnostics };
}

// ---------------------------------------------------------------------------------------------------
// Requests

interface CallSite {
  /** The helper's name: `<Name>Call`. */
  name: string;
  /** The DDI that runs the function. */
  invoker: FunctionModel;
  /** The invoker's parameter that takes the function. */
  functionParam: ParamModel;
}

interface PlannedFunction {
  name: string;
  role: RoleModel;
  calls: CallSite[];
}

function requestText(request: ScaffoldRequest): string {
  return `--role ${request.role}:${request.name}`;
}

function planFunctions(
  model: Model,
  requests: readonly ScaffoldRequest[],
  lang: ScaffoldLanguage,
  diagnostics: string[],
): PlannedFunction[] {
  const roles = new Map(model.roles.map((r) => [r.name, r]));
  const taken = cHeaderNames(model);
  const owners = new Map<string, string>();
  const planned: PlannedFunction[] = [];
  for (const request of requests) {
    const at = requestText(request);
    const role = roles.get(request.role);
    if (role === undefined) diagnostics.push(unknownRole(model, request));
    else if (!role.prototype) {
      diagnostics.push(
        `DDI4007: ${at}: the spec does not know the parameter or return types of ${role.name} (its reference page states none), so no definition can be written. Add a curated entry with the types under spec/ndis/, which then wins over the imported one.`,
      );
      continue;
    }
    const problem = nameProblem(request.name, lang, taken);
    if (problem !== null) diagnostics.push(`${problem.code}: ${at}: ${problem.message}`);
    if (role === undefined || problem !== null) continue;

    const calls = callSites(model, role, request.name);
    const clash = calls.flatMap((c) =>
      c.invoker.params.filter((p) => p !== c.functionParam && p.name === request.name).map(() => c),
    )[0];
    if (clash !== undefined) {
      diagnostics.push(
        `DDI4004: ${at}: the function name ${JSON.stringify(request.name)} is also a parameter of ${clash.name}, the helper that passes it to ${clash.invoker.name}; choose another name.`,
      );
      continue;
    }
    let duplicate = false;
    for (const name of [request.name, ...calls.map((c) => c.name)]) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        const what = name === request.name ? 'the function name' : 'the name of its call helper';
        diagnostics.push(
          `DDI4004: ${at}: ${what} ${JSON.stringify(name)} is already used by ${owner}; give each function its own name.`,
        );
        duplicate = true;
        break;
      }
    }
    if (duplicate) continue;
    owners.set(request.name, at);
    for (const call of calls) owners.set(call.name, `the call helper of ${at}`);
    planned.push({ name: request.name, role, calls });
  }
  return planned;
}

function unknownRole(model: Model, request: ScaffoldRequest): string {
  const at = `DDI4001: ${requestText(request)}`;
  const entry = model.byName.get(request.role);
  if (entry !== undefined) {
    const kind = entry.kind === 'function' ? 'a DDI function' : entry.kind === 'type' ? 'a type' : 'a constant';
    return `${at}: ${JSON.stringify(request.role)} is ${kind}, not a role. Give a function role type, such as ${JSON.stringify(exampleRole(model))}.`;
  }
  const suggestion = didYouMean(
    request.role,
    model.roles.map((r) => r.name),
  );
  const fix =
    suggestion !== ''
      ? suggestion
      : ` Give a function role type as ndis.h spells it, such as ${JSON.stringify(exampleRole(model))}.`;
  return `${at}: the spec has no role named ${JSON.stringify(request.role)}.${fix}`;
}

function exampleRole(model: Model): string {
  return (
    model.roles.find((r) => r.invokedBy.length > 0 && r.variantOf === null)?.name ??
    model.roles[0]?.name ??
    'MINIPORT_ISR'
  );
}

function nameProblem(
  name: string,
  lang: ScaffoldLanguage,
  taken: ReadonlySet<string>,
): { code: 'DDI4002' | 'DDI4003'; message: string } | null {
  const shown = JSON.stringify(name);
  if (!identifier.test(name)) {
    return {
      code: 'DDI4002',
      message: `the function name must be a C identifier: letters, digits and underscores, not starting with a digit (got ${shown}).`,
    };
  }
  if (lang === 'c' && cReservedWords.has(name)) {
    return { code: 'DDI4003', message: `${shown} is a reserved word in C; choose another function name.` };
  }
  if (lang === 'c' && isCImplementationReserved(name)) {
    return {
      code: 'DDI4003',
      message: `${shown} is reserved for the C implementation (a leading underscore and a capital letter, or a double underscore); choose another function name.`,
    };
  }
  if (lang === 'ts' && (tsReservedWords.has(name) || tsImportedNames.includes(name))) {
    return {
      code: 'DDI4003',
      message: `${shown} is a reserved word in TypeScript or a name the scaffold imports; choose another function name.`,
    };
  }
  if (taken.has(name)) {
    return {
      code: 'DDI4003',
      message: `${shown} is already declared by ${cHeaderName} and @ddikit/ndis (a role, DDI, type, constant or macro); choose another function name.`,
    };
  }
  return null;
}

/**
 * The DDIs that run a function of this role on the driver's behalf: those named in invokedBy that
 * take a pointer whose role accepts this one (the role itself or, for a variant, its base role).
 */
function callSites(model: Model, role: RoleModel, name: string): CallSite[] {
  const rolesByPointer = new Map(model.roles.flatMap((r) => (r.pointer === null ? [] : [[r.pointer, r] as const])));
  const sites: CallSite[] = [];
  for (const invokerName of [...role.invokedBy].sort(compareStrings)) {
    const invoker = model.byName.get(invokerName);
    if (invoker?.kind !== 'function') continue;
    const functionParam = invoker.params.find((p) => {
      if (p.type.kind !== 'rolePointer') return false;
      return rolesByPointer.get(p.type.name)?.accepts.includes(role.name) === true;
    });
    if (functionParam !== undefined) sites.push({ name: '', invoker, functionParam });
  }
  // One helper is `<Name>Call`; several are told apart by the DDI that runs the function.
  return sites.map((site) => ({
    ...site,
    name: sites.length === 1 ? `${name}Call` : `${name}Via${site.invoker.name}`,
  }));
}

// ---------------------------------------------------------------------------------------------------
// What both languages say

/** The callable-at-entry range of an IRQL contract as x64 numbers, or null when unknown. */
function range(irql: IrqlModel): [number, number] | null {
  if (irql.min === null || irql.max === null) return null;
  return [levelRange[irql.min][0], levelRange[irql.max][1]];
}

/**
 * The DDIs a function of the role may call, as its mayCall says: those the generated header declares
 * (a scaffold calls them as written), so DDIs imported without types are not listed.
 */
export function mayCallList(model: Model, role: RoleModel): FunctionModel[] {
  const declared = model.functions.filter((f) => f.prototype);
  if (role.mayCall === 'anyLevel') return declared.filter((f) => f.irql.any);
  const at = range(role.irql);
  if (at === null) return [];
  return declared.filter((f) => {
    const allowed = range(f.irql);
    return allowed !== null && allowed[0] <= at[0] && at[1] <= allowed[1];
  });
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
function bodyNotes(model: Model, role: RoleModel): string[] {
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

function helperNote(site: CallSite, planned: PlannedFunction): string {
  return (
    `Runs ${planned.name} through ${site.invoker.name}, at ${rangeClause(planned.role.irql)}. ` +
    `Caller's IRQL: ${rangeClause(site.invoker.irql)}.`
  );
}

/** The pointed-to type of an out-parameter, when the spec knows it. */
function pointee(model: Model, param: ParamModel): TypeModel | null {
  const pointer = model.byName.get(param.type.name);
  if (pointer?.kind !== 'type' || pointer.typeKind !== 'pointer' || pointer.to === null) return null;
  const target = model.byName.get(pointer.to);
  return target?.kind === 'type' ? target : null;
}

/**
 * The out-parameters the body sets to a safe value, with that value: those whose pointee has one
 * (in TypeScript, only those passed as a writable box). The others are left to the driver.
 */
function defaultedOuts(model: Model, role: RoleModel, lang: ScaffoldLanguage): Map<ParamModel, string> {
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

/** A zero constant of a scalar type (NDIS_STATUS_SUCCESS), if the spec has one. */
function zeroConstant(model: Model, type: TypeModel): string | null {
  const zeros = model.constants.filter((c) => c.type === type.name && Number(c.value) === 0).map((c) => c.name);
  return zeros.sort(compareStrings)[0] ?? null;
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
function safeValue(model: Model, type: TypeModel | null, lang: ScaffoldLanguage, bool: boolean): ValueText {
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

function returnPlan(model: Model, role: RoleModel, lang: ScaffoldLanguage): ReturnPlan | null {
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

// ---------------------------------------------------------------------------------------------------
// C

/** One level of C indentation. */
const cIndent = '    ';

interface CFunctionView {
  role: string;
  name: string;
  returns: string;
  params: string[];
  /** Body lines, indented. */
  body: string[];
  helpers: CHelperView[];
}

interface CHelperView {
  comment: string;
  sal: string[];
  returns: string;
  name: string;
  declParams: string[];
  defParams: string[];
  body: string[];
}

function cFiles(
  model: Model,
  planned: readonly PlannedFunction[],
  base: string,
  firstLine: (template: string) => string,
  templates: TemplateSet,
): OutputFile[] {
  const functions = planned.map((p) => cFunctionView(model, p));
  const view = {
    guard: cGuard(base),
    headerName: cHeaderName,
    base,
    functions,
    helpers: functions.flatMap((f) => f.helpers),
  };
  const file = (ext: 'c' | 'h'): OutputFile => {
    const template = `c/scaffold.${ext}`;
    return {
      path: `${base}.${ext}`,
      content: tidy(templates.get(template)({ ...view, firstLine: cCommentText(firstLine(template)) })),
    };
  };
  return [file('c'), file('h')];
}

function cGuard(base: string): string {
  const guard = `${base.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_H`;
  return /^[0-9]/.test(guard) ? `SCAFFOLD_${guard}` : guard;
}

function cFunctionView(model: Model, planned: PlannedFunction): CFunctionView {
  const { role, name } = planned;
  const comment = (paragraphs: readonly string[]): string[] => cComment(paragraphs, cIndent).split('\n');
  const body: string[] = [...comment(bodyNotes(model, role))];
  const outs = defaultedOuts(model, role, 'c');
  for (const param of role.params.filter((p) => !outs.has(p)))
    body.push(`${cIndent}UNREFERENCED_PARAMETER(${param.name});`);
  const unfilled = role.params.filter((p) => p.direction === 'out' && !outs.has(p));
  for (const param of unfilled) body.push(...comment([`Fill in *${param.name} before returning.`]));
  if (outs.size > 0) body.push('');
  for (const [param, value] of outs) {
    if (param.description !== null) body.push(...comment([param.description]));
    if (param.optional) {
      body.push(
        `${cIndent}if (${param.name} != NULL) {`,
        `${cIndent}${cIndent}*${param.name} = ${value};`,
        `${cIndent}}`,
      );
    } else {
      body.push(`${cIndent}*${param.name} = ${value};`);
    }
  }
  const returned = returnPlan(model, role, 'c');
  if (returned !== null) {
    body.push('');
    if (returned.comment !== null) body.push(...comment([returned.comment]));
    body.push(`${cIndent}return ${returned.value ?? '0'};`);
  }
  return {
    role: role.name,
    name,
    returns: role.returns.type.c,
    params: cParamLines(role.params, false),
    body: trimBlankEnds(body),
    helpers: planned.calls.map((site) => cHelperView(site, planned)),
  };
}

function cHelperView(site: CallSite, planned: PlannedFunction): CHelperView {
  const params = site.invoker.params.filter((p) => p !== site.functionParam);
  const args = site.invoker.params.map((p) => (p === site.functionParam ? planned.name : p.name));
  const call = `${site.invoker.name}(${args.join(', ')})`;
  const statement = site.invoker.returns.void ? `${call};` : `return ${call};`;
  return {
    comment: cComment([helperNote(site, planned)]),
    sal: entrySal(site.invoker),
    returns: site.invoker.returns.type.c,
    name: site.name,
    declParams: cParamLines(params, true),
    defParams: cParamLines(params, false),
    body: cIndent.length + statement.length <= 100 ? [`${cIndent}${statement}`] : breakCall(statement, args),
  };
}

/** `return F(a, b, c);` with one argument per line, for a call too long for one. */
function breakCall(statement: string, args: readonly string[]): string[] {
  const head = statement.slice(0, statement.indexOf('(') + 1);
  const inner = `${cIndent}${cIndent}`;
  return [`${cIndent}${head}`, ...args.map((a, i) => `${inner}${a}${i === args.length - 1 ? '' : ','}`), `${inner});`];
}

function trimBlankEnds(lines: string[]): string[] {
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// TypeScript

interface TsFunctionView {
  name: string;
  /** `export const Name = ROLE('Name', (A, B) => {`, possibly over several lines. */
  head: string[];
  body: string[];
  helpers: TsHelperView[];
}

interface TsHelperView {
  comment: string[];
  head: string;
  params: string[];
  returns: string;
  body: string[];
}

function tsFiles(
  model: Model,
  planned: readonly PlannedFunction[],
  base: string,
  firstLine: (template: string) => string,
  templates: TemplateSet,
): OutputFile[] {
  const values = new Set<string>();
  const types = new Set<string>();
  const functions = planned.map((p) => tsFunctionView(model, p, values, types));
  const view = {
    firstLine: firstLine('ts/scaffold.ts').replace(/\s+/g, ' '),
    valueImports: importLines('import', [...values]),
    typeImports: importLines('import type', [...types]),
    functions,
  };
  return [{ path: `${base}.ts`, content: tidy(templates.get('ts/scaffold.ts')(view)) }];
}

/** `import { A, B } from '@ddikit/ndis';` on one line when it fits, else one name per line. */
function importLines(keyword: string, names: string[]): string[] {
  if (names.length === 0) return [];
  const sorted = names.sort(compareStrings);
  const line = `${keyword} { ${sorted.join(', ')} } from '@ddikit/ndis';`;
  if (line.length <= tsLineMax) return [line];
  return [`${keyword} {`, ...sorted.map((n) => `  ${n},`), `} from '@ddikit/ndis';`];
}

function tsComment(paragraphs: readonly string[]): string[] {
  return paragraphs.flatMap((p) => wrap(p.replace(/\s+/g, ' ').trim(), 100 - 5).map((line) => `// ${line}`));
}

function tsFunctionView(
  model: Model,
  planned: PlannedFunction,
  values: Set<string>,
  types: Set<string>,
): TsFunctionView {
  const { role, name } = planned;
  values.add(role.name);
  const body: string[] = [...tsComment(bodyNotes(model, role))];
  const outs = defaultedOuts(model, role, 'ts');
  for (const param of role.params.filter((p) => !outs.has(p))) body.push(`void ${param.name};`);
  const unfilled = role.params.filter((p) => p.direction === 'out' && !outs.has(p));
  for (const param of unfilled) body.push(...tsComment([`Fill in ${param.name} before returning.`]));
  if (outs.size > 0) body.push('');
  for (const [param, value] of outs) {
    if (param.description !== null) body.push(...tsComment([param.description]));
    for (const i of safeValue(model, pointee(model, param), 'ts', false).imports) values.add(i);
    body.push(
      param.optional
        ? `if (${param.name} !== null) ${param.name}.value = ${value};`
        : `${param.name}.value = ${value};`,
    );
  }
  const returned = returnPlan(model, role, 'ts');
  if (returned !== null) {
    body.push('');
    if (returned.comment !== null) body.push(...tsComment([returned.comment]));
    for (const i of returned.imports) values.add(i);
    body.push(
      returned.value === null
        ? `throw new Error('${name}: return a ${role.returns.type.name}');`
        : `return ${returned.value};`,
    );
  }
  const params = `(${role.params.map((p) => p.name).join(', ')}) => {`;
  const oneLine = `export const ${name} = ${role.name}('${name}', ${params}`;
  const head =
    oneLine.length <= tsLineMax
      ? [oneLine]
      : [`export const ${name} = ${role.name}('${name}', (`, ...role.params.map((p) => `  ${p.name},`), ') => {'];
  return {
    name,
    head,
    body: trimBlankEnds(body),
    helpers: planned.calls.map((site) => tsHelperView(site, planned, types)),
  };
}

function tsHelperView(site: CallSite, planned: PlannedFunction, types: Set<string>): TsHelperView {
  types.add('NdisFunctions');
  const params = site.invoker.params.filter((p) => p !== site.functionParam);
  for (const p of params) types.add(p.type.name);
  const returns = site.invoker.returns.void ? 'void' : site.invoker.returns.type.name;
  if (!site.invoker.returns.void) types.add(returns);
  const args = site.invoker.params.map((p) => (p === site.functionParam ? planned.name : p.name));
  const keyword = site.invoker.returns.void ? '' : 'return ';
  const call = `${keyword}${site.invoker.name}(${args.join(', ')});`;
  return {
    comment: tsDoc([
      `${helperNote(site, planned)} Pass the ${site.invoker.name} of the NdisFunctions table the driver runs against (the simulator's, in tests).`,
    ]),
    head: `export function ${site.name}(`,
    params: [
      `${site.invoker.name}: NdisFunctions['${site.invoker.name}'],`,
      ...params.map((p) => `${p.name}: ${p.type.ts},`),
    ],
    returns,
    body:
      2 + call.length <= tsLineMax ? [call] : [`${keyword}${site.invoker.name}(`, ...args.map((a) => `  ${a},`), ');'],
  };
}

function tsDoc(paragraphs: readonly string[]): string[] {
  return [
    '/**',
    ...paragraphs.flatMap((p) => wrap(p.replace(/\s+/g, ' ').trim(), 100 - 3).map((line) => ` * ${line}`)),
    ' */',
  ];
}
