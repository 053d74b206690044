/**
 * The C scaffold: `<base>.h` declares each function with its role type, as the WDK asks
 * (`MINIPORT_SYNCHRONIZE_INTERRUPT MySynchronizeInterrupt;`), with the call helpers' prototypes;
 * `<base>.c` defines them with `_Use_decl_annotations_`.
 */
import type { Model } from '../spec/model.js';
import { cHeaderName } from './c-header.js';
import { cComment, cCommentText, cParamLines, entrySal } from './c-text.js';
import type { OutputFile } from './output.js';
import {
  bodyNotes,
  defaultedOuts,
  helperNote,
  returnPlan,
  trimBlankEnds,
  type CallSite,
  type PlannedFunction,
} from './scaffold-bodies.js';
import { registrationPlan, type RegistrationPlan } from './scaffold-registration.js';
import { tidy, type TemplateSet } from './templates.js';

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
  /** File-scope variables the body writes (the driver handle DriverEntry registers for). */
  statics: CStaticView[];
}

interface CStaticView {
  comment: string;
  type: string;
  name: string;
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

export function cFiles(
  model: Model,
  planned: readonly PlannedFunction[],
  base: string,
  firstLine: (template: string) => string,
  templates: TemplateSet,
): OutputFile[] {
  const functions = planned.map((p) => cFunctionView(model, p, planned));
  const view = {
    guard: cGuard(base),
    headerName: cHeaderName,
    base,
    functions,
    helpers: functions.flatMap((f) => f.helpers),
    // Two entry-point functions (DriverEntry and another) register into the same handle.
    statics: functions.flatMap((f) => f.statics).filter((s, i, all) => all.findIndex((t) => t.name === s.name) === i),
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

function cFunctionView(model: Model, planned: PlannedFunction, all: readonly PlannedFunction[]): CFunctionView {
  const { role, name } = planned;
  const view = {
    role: role.name,
    name,
    returns: role.returns.type.c,
    params: cParamLines(role.params, false),
    helpers: planned.calls.map((site) => cHelperView(site, planned)),
  };
  const registration = registrationPlan(model, planned, all);
  if (registration !== null) {
    return {
      ...view,
      body: registrationBody(model, planned, registration),
      statics: registration.statics.map((s) => ({ comment: cComment([s.note]), type: s.type, name: s.name })),
    };
  }
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
  return { ...view, body: trimBlankEnds(body), statics: [] };
}

/**
 * The entry point's body: a zeroed characteristics structure, its header, versions and the
 * scaffold's handlers set, then the registering DDI's status returned.
 */
function registrationBody(model: Model, planned: PlannedFunction, plan: RegistrationPlan): string[] {
  const comment = (paragraphs: readonly string[]): string[] => cComment(paragraphs, cIndent).split('\n');
  const body: string[] = [
    ...comment(bodyNotes(model, planned.role)),
    `${cIndent}${plan.structure.name} ${plan.local} = { 0 };`,
  ];
  for (const param of planned.role.params.filter((p) => !plan.passed.includes(p)))
    body.push(`${cIndent}UNREFERENCED_PARAMETER(${param.name});`);
  body.push('');
  body.push(
    ...comment([
      `The structure starts zeroed: a handler this scaffold has no function for stays NULL.`,
      ...(plan.headerUnset === null
        ? []
        : [`Set ${plan.headerUnset} (its Type, Revision and Size): the spec names no constants for them.`]),
    ]),
  );
  for (const { field, value } of plan.assignments) body.push(`${cIndent}${plan.local}.${field} = ${value};`);
  if (plan.unfilled.length > 0) {
    const list = plan.unfilled.map((u) => `${u.field} (${u.role})`).join(', ');
    body.push(
      ...comment([
        `NDIS requires these handlers too; each stays NULL until you add a function of its role and set it here: ${list}.`,
      ]),
    );
  }
  body.push('');
  if (planned.role.returns.description !== null) body.push(...comment([planned.role.returns.description]));
  const statement = `return ${plan.ddi.name}(${plan.args.join(', ')});`;
  body.push(
    ...(cIndent.length + statement.length <= 100 ? [`${cIndent}${statement}`] : breakCall(statement, plan.args)),
  );
  return body;
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
