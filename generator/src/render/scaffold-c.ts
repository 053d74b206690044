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
