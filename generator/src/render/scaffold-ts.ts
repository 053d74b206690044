/** The TypeScript scaffold: `<base>.ts` declares each function with the role's declarator from @ddikit/ndis. */
import { compareStrings } from '../diagnostics.js';
import type { Model } from '../spec/model.js';
import { wrap } from './c-text.js';
import type { OutputFile } from './output.js';
import {
  bodyNotes,
  defaultedOuts,
  helperNote,
  pointee,
  returnPlan,
  safeValue,
  trimBlankEnds,
  type CallSite,
  type PlannedFunction,
} from './scaffold-bodies.js';
import { tidy, type TemplateSet } from './templates.js';

/** Columns a TypeScript line may take before it is broken. */
const tsLineMax = 120;

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

export function tsFiles(
  model: Model,
  planned: readonly PlannedFunction[],
  base: string,
  firstLine: (template: string) => string,
  templates: TemplateSet,
  typesModule: string,
): OutputFile[] {
  const values = new Set<string>();
  const types = new Set<string>();
  const functions = planned.map((p) => tsFunctionView(model, p, values, types));
  const view = {
    firstLine: firstLine('ts/scaffold.ts').replace(/\s+/g, ' '),
    valueImports: importLines('import', [...values], typesModule),
    typeImports: importLines('import type', [...types], typesModule),
    functions,
  };
  return [{ path: `${base}.ts`, content: tidy(templates.get('ts/scaffold.ts')(view)) }];
}

/** `import { A, B } from '@ddikit/ndis';` (or `module`) on one line when it fits, else one name per line. */
function importLines(keyword: string, names: string[], module: string): string[] {
  if (names.length === 0) return [];
  const sorted = names.sort(compareStrings);
  const line = `${keyword} { ${sorted.join(', ')} } from '${module}';`;
  if (line.length <= tsLineMax) return [line];
  return [`${keyword} {`, ...sorted.map((n) => `  ${n},`), `} from '${module}';`];
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
