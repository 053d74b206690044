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
 * The C DriverEntry (DRIVER_INITIALIZE) registers the miniport instead: it fills the characteristics
 * structure with the scaffold's functions and calls NdisMRegisterMiniportDriver (scaffold-registration.ts).
 *
 * The bodies are in scaffold-bodies.ts, the C files in scaffold-c.ts, the TypeScript file in
 * scaffold-ts.ts. Pure: it returns files and writes nothing (templates are read once, as render does). Request
 * problems are diagnostics, all reported at once; then no file is returned.
 */
import { compareStrings } from '../diagnostics.js';
import {
  cLibraryConflict,
  cReservedWords,
  didYouMean,
  fileStem,
  isCImplementationReserved,
  tsReservedWords,
  wdkEntryPoint,
} from '../names.js';
import { bundled } from '../paths.js';
import type { Model, RoleModel } from '../spec/model.js';
import { generatorVersion } from '../version.js';
import { cHeaderName, cHeaderNames } from './c-header.js';
import { indexOf } from './model-index.js';
import type { OutputFile } from './output.js';
import type { CallSite, PlannedFunction, ScaffoldLanguage } from './scaffold-bodies.js';
import { cFiles } from './scaffold-c.js';
import { entryPointRole } from './scaffold-registration.js';
import { tsFiles } from './scaffold-ts.js';
import { loadTemplates, type TemplateSet } from './templates.js';

export { mayCallList, type ScaffoldLanguage } from './scaffold-bodies.js';

/** One `--role ROLE:Name`: the role type and the name of the driver function to declare with it. */
export interface ScaffoldRequest {
  role: string;
  name: string;
}

export interface ScaffoldOptions {
  /**
   * The module the TypeScript scaffold imports role declarators and types from: `@ddikit/ndis`
   * (the default), or a project's own generated declarations (`./generated/src/generated/index.js`)
   * when its spec adds roles or types to the bundled one.
   */
  typesModule?: string;
}

/** What a scaffold's import may name: a package or a relative path, nothing that needs quoting. */
const moduleSpecifier = /^[A-Za-z0-9@._/-]+$/;

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
  DDI4003:
    'a scaffold function name that is reserved, already declared by the generated header, or taken by the C library or the WDK',
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
/** Names the TypeScript scaffold imports besides those of the header. */
const tsImportedNames = ['NdisFunctions'];

/** The base file name used when none is given: the first function's name in lower case. */
export function defaultBaseName(requests: readonly ScaffoldRequest[]): string {
  return requests[0] === undefined ? 'scaffold' : fileStem(requests[0].name);
}

export function scaffold(
  model: Model,
  requests: readonly ScaffoldRequest[],
  lang: ScaffoldLanguage = 'c',
  base?: string,
  templates: TemplateSet = loadTemplates(bundled.templatesDir),
  version: string = generatorVersion(),
  options: ScaffoldOptions = {},
): ScaffoldResult {
  if (lang !== 'c' && lang !== 'ts')
    throw new ScaffoldError(`scaffold: the language must be "c" or "ts" (got ${JSON.stringify(lang)})`);
  const typesModule = options.typesModule ?? '@ddikit/ndis';
  if (!moduleSpecifier.test(typesModule))
    throw new ScaffoldError(
      `scaffold: typesModule must be a module specifier of letters, digits and "@._/-" (got ${JSON.stringify(typesModule)})`,
    );
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
  return { files: tsFiles(model, planned, baseName, firstLine, templates, typesModule), diagnostics };
}

// ---------------------------------------------------------------------------------------------------
// Requests

function requestText(request: ScaffoldRequest): string {
  return `--role ${request.role}:${request.name}`;
}

function planFunctions(
  model: Model,
  requests: readonly ScaffoldRequest[],
  lang: ScaffoldLanguage,
  diagnostics: string[],
): PlannedFunction[] {
  const roles = indexOf(model).rolesByName;
  const taken = cHeaderNames(model);
  const entry = entryPointRole(model);
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
    const problem = nameProblem(request.name, lang, taken, role, entry);
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

/**
 * What is wrong with a function name (null: nothing). `role` is the role asked for (undefined when
 * the spec has none of that name), `entry` the role of the driver's entry point: the WDK requires its
 * function to be DriverEntry, a name every other function is refused.
 */
function nameProblem(
  name: string,
  lang: ScaffoldLanguage,
  taken: ReadonlySet<string>,
  role: RoleModel | undefined,
  entry: RoleModel | null,
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
  // Names the C library, a C program or the WDK already give a meaning; the entry point keeps its own.
  const isEntryPoint = name === wdkEntryPoint && entry !== null && role === entry;
  const conflict = lang === 'c' && !isEntryPoint ? cLibraryConflict(name) : null;
  if (conflict !== null) {
    const only = name === wdkEntryPoint && entry !== null ? `, the name of the ${entry.name} function only` : '';
    return {
      code: 'DDI4003',
      message: `${shown} ${conflict.reason}${only}. Choose another name, such as ${JSON.stringify(conflict.suggestion)}.`,
    };
  }
  return null;
}

/**
 * The DDIs that run a function of this role on the driver's behalf: those named in invokedBy that
 * take a pointer whose role accepts this one (the role itself or, for a variant, its base role).
 */
function callSites(model: Model, role: RoleModel, name: string): CallSite[] {
  const rolesByPointer = indexOf(model).rolesByPointer;
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
