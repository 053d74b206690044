/**
 * Reference pages: docs/reference/<stem>.md for every role (variants included), function, structure and
 * enumeration; docs/reference/types.md for scalars, handles, pointers, void and constants; and
 * docs/reference/README.md as the index. Every name, link, table cell and code text is computed here;
 * the templates in templates/md/ only lay them out. The index and types.md are in reference-index.ts,
 * Markdown helpers and the link table in markdown.ts.
 */
import { compareStrings } from '../diagnostics.js';
import type {
  EntryModel,
  FunctionModel,
  IrqlModel,
  Model,
  ParamModel,
  ReturnsModel,
  RoleModel,
  TypeModel,
  TypeRefModel,
} from '../spec/model.js';
import type { OutputFile, RenderContext } from './output.js';
import { cParamLines, entrySal } from './c-text.js';
import { scaffold } from './scaffold.js';
import { mayCallList } from './scaffold-bodies.js';
import { levelRange } from '../spec/spec-types.js';
import {
  code,
  docsDir,
  escapeTableCell,
  indexPage,
  link,
  linkedList,
  linkTable,
  listInWords,
  ownPageKinds,
  remarkItems,
  sharedTypesPage,
  cell,
  commentSafe,
  prose,
  type LinkTable,
} from './markdown.js';
import { indexView, sharedTypesView } from './reference-index.js';
import { indexOf } from './model-index.js';
import { ofKind } from './slot-kinds.js';
import { tidy } from './templates.js';

export { docsDir, escapeTableCell, firstSentence } from './markdown.js';

export function renderDocs(context: RenderContext): OutputFile[] {
  const { model, templates } = context;
  const links = linkTable(model);
  /** The head of a page made with `template`: its provenance line names the template. */
  const headFor =
    (template: string) =>
    (entry: EntryModel, kind: string): PageHead =>
      pageHead(context.provenance(template), entry, kind);
  const files: OutputFile[] = [];
  const page = (file: string, template: string, view: object): void => {
    files.push({ path: `${docsDir}/${file}`, content: tidy(templates.get(template)(view)) });
  };
  for (const role of model.roles) {
    page(`${role.stem}.md`, 'md/role.md', roleView(context, role, links, headFor('md/role.md')));
  }
  for (const fn of model.functions) {
    page(`${fn.stem}.md`, 'md/function.md', functionView(model, fn, links, headFor('md/function.md')));
  }
  for (const type of model.types.filter((t) => ownPageKinds.has(t.typeKind))) {
    page(`${type.stem}.md`, 'md/type.md', typeView(model, type, links, headFor('md/type.md')));
  }
  page(sharedTypesPage, 'md/types.md', sharedTypesView(context, links));
  page(indexPage, 'md/index.md', indexView(context, links));
  return files.sort((a, b) => compareStrings(a.path, b.path));
}

// ---------------------------------------------------------------------------------------------------
// Views shared by pages

interface PageHead {
  provenance: string;
  source: string;
  name: string;
  facts: string;
}

function pageHead(provenance: string, entry: EntryModel, kind: string): PageHead {
  // Imported entries name the reference page their facts come from; curated entries speak for themselves.
  const page = entry.page === null || entry.origin !== 'imported' ? '' : ` · **Reference page:** ${code(entry.page)}`;
  return {
    provenance: commentSafe(provenance),
    source: commentSafe(`Spec entry: ${entry.provenance.file}:${entry.provenance.line}`),
    name: ofKind('identifier', entry.name, 'the name of a page'),
    facts: `**Kind:** ${kind} · **Header:** ${code(entry.header)} · **Since:** ${entry.since ?? 'not stated'}${page}`,
  };
}

interface PrototypeView {
  typedef: boolean;
  sal: string[];
  returnType: string;
  /** `NAME` for a function, `(NAME)` for a role type, as the WDK writes its typedefs. */
  declarator: string;
  /** Parameter lines as the generated header aligns them (`VOID` for none). */
  params: string[];
}

/** The prototype exactly as include/ndis_roles.h declares it; null where the header cannot declare it. */
function prototypeView(entry: RoleModel | FunctionModel): PrototypeView | null {
  if (!entry.prototype) return null;
  const typedef = entry.kind === 'role';
  return {
    typedef,
    sal: entrySal(entry),
    returnType: entry.returns.type.c,
    declarator: typedef ? `(${entry.name})` : entry.name,
    params: cParamLines(entry.params, true),
  };
}

interface ParamRow {
  name: string;
  type: string;
  direction: string;
  description: string;
}

function typeCell(links: LinkTable, type: TypeRefModel): string {
  return type.kind === 'unknown' ? 'not stated' : escapeTableCell(link(links, type.name));
}

function paramRows(links: LinkTable, params: readonly ParamModel[]): ParamRow[] {
  return params.map((p) => ({
    name: escapeTableCell(code(p.name)),
    type: typeCell(links, p.type),
    direction: escapeTableCell(
      p.direction === null || p.sal === null
        ? `not stated${p.optional ? ', optional' : ''}`
        : `${p.direction}${p.optional ? ', optional' : ''} (${code(p.sal)})`,
    ),
    description: cell(p.description),
  }));
}

interface ReturnsView {
  void: boolean;
  type: string;
  description: string | null;
}

function returnsView(links: LinkTable, returns: ReturnsModel): ReturnsView {
  if (returns.type.kind === 'unknown') return { void: false, type: 'Not stated by the reference', description: null };
  return { void: returns.void, type: link(links, returns.type.name), description: prose(returns.description) };
}

interface IrqlView {
  text: string;
  sal: string[];
  note: string | null;
  reason: string | null;
  conditions: { sal: string | null; text: string }[];
  /** The contract names DIRQL, which SAL cannot spell. */
  dirql: boolean;
}

function irqlView(irql: IrqlModel): IrqlView {
  const levels = [irql.min, irql.max, irql.raisesTo, ...irql.when.flatMap((c) => [c.min, c.max])];
  return {
    text: prose(irql.text),
    sal: [...irql.sal],
    note: prose(irql.note),
    reason: prose(irql.reason),
    conditions: irql.when.map((c) => ({ sal: c.sal, text: prose(c.text) })),
    dirql: levels.includes('DIRQL'),
  };
}

interface RuleRow {
  id: string;
  meaning: string;
}

function ruleRows(model: Model, ids: readonly string[]): RuleRow[] {
  return [...new Set(ids)].sort(compareStrings).map((id) => {
    const rule = model.rules.find((r) => r.id === id);
    return rule === undefined
      ? { id: escapeTableCell(code(id)), meaning: 'Not a rule of the harness rule table.' }
      : {
          id: escapeTableCell(`[${code(id)}](./${indexPage}#${rule.anchor})`),
          meaning: escapeTableCell(prose(rule.summary)),
        };
  });
}

// ---------------------------------------------------------------------------------------------------
// Roles

/**
 * The name the reference examples give a driver's function of this role: `My` and the conventional
 * name without its `Miniport` prefix (MiniportSynchronizeInterrupt → MySynchronizeInterrupt).
 */
export function exampleFunctionName(role: { function: string | null; name?: string }): string {
  const prefix = 'Miniport';
  // A role whose page names no conventional function: NDIS_PD_FLUSH_QUEUE → NdisPdFlushQueue.
  const conventional =
    role.function ??
    (role.name ?? '')
      .toLowerCase()
      .split('_')
      .filter((w) => w !== '')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
  const rest =
    conventional.startsWith(prefix) && conventional.length > prefix.length
      ? conventional.slice(prefix.length)
      : conventional;
  return `My${rest}`;
}

const interruptWords = { line: 'line-based interrupts', message: 'message-signaled interrupts' } as const;

function roleView(
  context: RenderContext,
  role: RoleModel,
  links: LinkTable,
  head: (e: EntryModel, kind: string) => PageHead,
): object {
  const { model } = context;
  const name = exampleFunctionName(role);
  const baseEntry = role.variantOf === null ? undefined : model.byName.get(role.variantOf);
  const base = baseEntry?.kind === 'role' ? baseEntry : role;
  const variants = role.variants
    .map((v) => model.byName.get(v))
    .filter((v): v is RoleModel => v?.kind === 'role')
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((v) => ({
      link: link(links, v.name),
      function: v.function === null ? null : code(v.function),
      interrupt: v.interrupt === null ? null : interruptWords[v.interrupt],
    }));
  const invokedBy = [...new Set(role.invokedBy)]
    .sort(compareStrings)
    .map((caller) => (caller === 'NDIS' ? 'NDIS itself' : link(links, caller)));
  let registeredIn: string | null = null;
  if (role.registeredIn !== null) {
    const [struct, field] = role.registeredIn.split('.') as [string, string | undefined];
    registeredIn = field === undefined ? link(links, struct) : `the ${code(field)} field of ${link(links, struct)}`;
  }
  return {
    head: head(role, role.variantOf === null ? 'function role type' : 'function role type (variant)'),
    description: prose(role.description),
    interrupt: role.interrupt === null ? null : interruptWords[role.interrupt],
    conventionalName: role.function === null ? null : code(role.function),
    exampleName: code(name),
    declaration: `${role.name} ${name};`,
    // The header declares a variant as another name for its base role type, as ndis.h does.
    prototype: prototypeView(base),
    alias: role.variantOf === null ? null : `typedef ${role.variantOf} ${role.name};`,
    pointer: code(role.pointerC),
    pointerTypedef: role.pointer === null ? null : `typedef ${role.name} *${role.pointer};`,
    pointerAlsoAccepts: role.accepts
      .filter((n) => n !== role.name)
      .sort(compareStrings)
      .map((n) => link(links, n)),
    tsSignature: role.tsSignature,
    variants,
    variantOf: role.variantOf === null ? null : link(links, role.variantOf),
    invokedBy: invokedBy.length === 0 ? null : listInWords(invokedBy),
    registeredIn,
    mayCall: mayCallView(model, role, links),
    params: paramRows(links, role.params),
    returns: returnsView(links, role.returns),
    irql: irqlView(role.irql),
    rules: ruleRows(model, role.rules),
    compliance: [...new Set(role.compliance)].sort(compareStrings).map(code),
    remarks: remarkItems(role.remarks),
    example: role.prototype ? roleExample(context, role, name) : [],
    seeAlso: linkedList(links, role.seeAlso, role.name),
  };
}

function mayCallView(model: Model, role: RoleModel, links: LinkTable): { text: string; lead: string; ddis: string[] } {
  const ddis = mayCallList(model, role).map((fn) => link(links, fn.name));
  // The list names the DDIs the C header declares; say so where the spec has others (imported, untyped).
  const among = indexOf(model).allDeclared ? 'in this spec' : 'of the DDIs the C header declares';
  if (role.mayCall === 'anyLevel') {
    const aboveSpinLocks = role.irql.min !== null && levelRange[role.irql.min][0] > levelRange.DISPATCH_LEVEL[1];
    return {
      text: aboveSpinLocks
        ? `Only DDIs whose contract allows every IRQL. It runs at ${role.irql.min}, above the level of every spin lock, ` +
          'so calling a DDI with a narrower contract, a spin-lock acquire included, is a bug.'
        : 'Only DDIs whose contract allows every IRQL.',
      lead: `${among.charAt(0).toUpperCase()}${among.slice(1)}:`,
      ddis,
    };
  }
  return {
    text:
      'Any DDI whose own IRQL contract admits the level the function is at when it makes the call; ' +
      'a spin-lock acquire inside it raises that level until the release.',
    lead: `At the level it is entered at, ${among}:`,
    ddis,
  };
}

interface ExampleFile {
  path: string;
  content: string;
}

/**
 * The C scaffold the generator writes for a function of the role with the conventional example name:
 * the header (the declaration with the role type) first, then the source (the definition).
 */
function roleExample(context: RenderContext, role: RoleModel, name: string): ExampleFile[] {
  const result = scaffold(
    context.model,
    [{ role: role.name, name }],
    'c',
    undefined,
    context.templates,
    context.version,
  );
  if (result.diagnostics.length > 0) {
    throw new Error(`The C scaffold for ${role.name} ${name} reported: ${result.diagnostics.join('; ')}`);
  }
  const order = (path: string): number => (path.endsWith('.h') ? 0 : path.endsWith('.c') ? 1 : 2);
  const files = result.files
    .filter((f) => order(f.path) < 2)
    .sort((a, b) => order(a.path) - order(b.path) || compareStrings(a.path, b.path))
    .map((f) => ({ path: code(f.path), content: f.content.replace(/\r\n?/g, '\n').replace(/\n+$/, '') }));
  if (files.length === 0) throw new Error(`The C scaffold for ${role.name} ${name} produced no C file.`);
  return files;
}

// ---------------------------------------------------------------------------------------------------
// Functions

function functionView(
  model: Model,
  fn: FunctionModel,
  links: LinkTable,
  head: (e: EntryModel, kind: string) => PageHead,
): object {
  const callsBack = (indexOf(model).invokedRoles.get(fn.name) ?? []).map((r) => link(links, r.name));
  return {
    head: head(fn, fn.macro ? 'DDI (macro)' : 'DDI function'),
    description: prose(fn.description),
    macro: fn.macro,
    prototype: prototypeView(fn),
    tsSignature: fn.tsSignature,
    callsBack: callsBack.length === 0 ? null : listInWords(callsBack),
    params: paramRows(links, fn.params),
    returns: returnsView(links, fn.returns),
    irql: irqlView(fn.irql),
    rules: ruleRows(model, fn.rules),
    compliance: [...new Set(fn.compliance)].sort(compareStrings).map(code),
    remarks: remarkItems(fn.remarks),
    usage: fn.prototype ? usageSnippet(model, fn) : null,
    seeAlso: linkedList(links, fn.seeAlso, fn.name),
  };
}

/** Widest call written on one line in a usage snippet; longer calls put one argument per line. */
const usageLineMax = 100;

/**
 * A C call of the function with its parameter names as arguments. A parameter the callee writes
 * through a pointer gets a local of the pointed-to type, passed by address.
 */
export function usageSnippet(model: Model, fn: FunctionModel): string {
  const locals: string[] = [];
  const args = fn.params.map((p) => {
    const type = model.byName.get(p.type.name);
    const pointee = type?.kind === 'type' && type.typeKind === 'pointer' ? type.to : null;
    if (p.direction !== 'in' && pointee !== null && pointee !== 'VOID' && !p.optional) {
      locals.push(`${pointee} ${p.name};`);
      return `&${p.name}`;
    }
    return p.name;
  });
  const target = fn.returns.void
    ? ''
    : `${fn.returns.type.c} ${fn.returns.type.name === 'NDIS_STATUS' ? 'status' : 'result'} = `;
  const oneLine = `${target}${fn.name}(${args.join(', ')});`;
  const call =
    oneLine.length <= usageLineMax || args.length === 0
      ? oneLine
      : `${target}${fn.name}(\n${args.map((a) => `    ${a}`).join(',\n')});`;
  return [...locals, call].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Types

function pointersTo(model: Model, name: string): string[] {
  return [...(indexOf(model).pointersTo.get(name) ?? [])];
}

/** Entries whose parameters, return value, fields or pointee name the type. */
function usersOf(model: Model, name: string): string[] {
  return [...(indexOf(model).users.get(name) ?? [])].sort(compareStrings);
}

function typeView(
  model: Model,
  type: TypeModel,
  links: LinkTable,
  head: (e: EntryModel, kind: string) => PageHead,
): object {
  const pointers = pointersTo(model, type.name);
  const forward = type.complete
    ? null
    : type.typeKind === 'struct'
      ? `typedef struct ${type.tag ?? type.name} ${type.name};`
      : `typedef int ${type.name}; /* enum ${type.tag ?? type.name}: values not stated */`;
  let fieldTypeWidth = 0;
  for (const field of type.fields) fieldTypeWidth = Math.max(fieldTypeWidth, field.type.c.length);
  const declarator = [type.name, ...pointers.map((p) => `*${p}`)].join(', ');
  return {
    head: head(type, type.typeKind === 'struct' ? 'structure' : 'enumeration'),
    description: prose(type.description),
    struct: type.typeKind === 'struct',
    opaque: type.opaque,
    forward,
    definition: {
      keyword: type.typeKind === 'struct' ? 'struct' : 'enum',
      tag: type.tag ?? type.name,
      declarator,
      fields: type.fields.map((f) => ({
        type: f.type.c.padEnd(fieldTypeWidth),
        name: f.count === null ? f.name : `${f.name}[${f.count}]`,
      })),
      values: type.values.map((v, i) => ({ name: v.name, value: String(v.value), last: i === type.values.length - 1 })),
    },
    fields: type.fields.map((f) => ({
      name: escapeTableCell(code(f.count === null ? f.name : `${f.name}[${f.count}]`)),
      type: typeCell(links, f.type),
      optional: f.optional ? 'yes' : 'no',
      description: cell(f.description),
    })),
    values: type.values.map((v) => ({
      name: escapeTableCell(code(v.name)),
      value: v.value === null ? 'not stated' : String(v.value),
      description: cell(v.description),
    })),
    pointers: pointers.map((p) => link(links, p)),
    usedBy: linkedList(
      links,
      [type.name, ...pointers].flatMap((name) => usersOf(model, name)).filter((name) => !pointers.includes(name)),
      type.name,
    ),
    seeAlso: linkedList(links, type.seeAlso, type.name),
  };
}
