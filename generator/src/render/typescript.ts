/**
 * TypeScript declarations of @ddikit/ndis: src/generated/types.ts (scalars, handles, pointers, enums,
 * structures, constants), roles.ts (role types, their declarators, the handler typedefs),
 * functions.ts (DDI signatures and the NdisFunctions table), rules.ts (the RuleId union) and index.ts
 * (named re-exports).
 * Every name, import list, doc comment and line break is computed here; the templates lay them out.
 */
import { compareStrings } from '../diagnostics.js';
import type {
  ConstantModel,
  FieldModel,
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
import { tidy } from './templates.js';

export function renderTs(context: RenderContext): OutputFile[] {
  const { model, templates } = context;
  const file = (name: string, view: object): OutputFile => ({
    path: `src/generated/${name}`,
    content: tidy(templates.get(`ts/${name}`)({ provenance: context.provenance(`ts/${name}`), ...view })),
  });
  return [
    file('functions.ts', functionsView(model)),
    file('index.ts', indexView(model)),
    file('roles.ts', rolesView(model)),
    file('rules.ts', rulesView(model)),
    file('types.ts', typesView(model)),
  ];
}

/** Lines of generated code stay within this many columns where a break is possible. */
const lineWidthMax = 100;

// ---------------------------------------------------------------------------------------------------
// Doc comments

/** A doc comment: `inline` (`/** text *\/`) when it fits on one line, else `sections` separated by ` *`. */
export interface DocView {
  inline: string | null;
  sections: string[][];
}

/** Builds a doc comment for a declaration indented by `indent` columns. */
class DocBuilder {
  private readonly sections: string[][] = [];

  constructor(private readonly indent: number) {}

  /** Columns left for text after the indent and ` * `. */
  get width(): number {
    return lineWidthMax - this.indent - 3;
  }

  /** Adds a section of paragraphs, each wrapped; nulls are skipped, an empty section is dropped. */
  text(...paragraphs: (string | null)[]): this {
    return this.section(paragraphs.flatMap((p) => (p === null ? [] : wrap(p, this.width))));
  }

  /** Adds a section of bullet items (`- text`), continuation lines under the text. */
  bullets(heading: string, items: readonly string[]): this {
    if (items.length === 0) return this;
    return this.section([heading, ...items.flatMap((item) => wrap(`- ${item}`, this.width, '  '))]);
  }

  /** Adds tag lines (`@param X - text`), continuation lines indented by two. */
  tags(lines: readonly (string | null)[]): this {
    return this.section(lines.flatMap((line) => (line === null ? [] : wrap(line, this.width, '  '))));
  }

  /** Adds an `@example` with a fenced code block, lines as given. */
  example(code: readonly string[]): this {
    return this.section(['@example', '```ts', ...code.map(safe), '```']);
  }

  build(): DocView {
    const only = this.sections.length === 1 && this.sections[0]!.length === 1 ? this.sections[0]![0]! : null;
    const inline =
      only !== null && this.indent + only.length + 7 <= lineWidthMax && !only.startsWith('@') ? only : null;
    return { inline, sections: this.sections };
  }

  private section(lines: string[]): this {
    if (lines.length > 0) this.sections.push(lines);
    return this;
  }
}

/** Text that cannot end a comment early. */
function safe(text: string): string {
  return text.replace(/\*\//g, '*\\/');
}

/**
 * Greedy word wrap; continuation lines start with `hang`. A code span in backticks is never broken;
 * a word longer than the width keeps its own line.
 */
export function wrap(text: string, width: number, hang = ''): string[] {
  const words =
    safe(text)
      .trim()
      .match(/(?:`[^`]*`|[^\s`])+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const prefix = lines.length === 0 ? '' : hang;
    if (line === '') line = prefix + word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = hang + word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `Spec: spec/ndis/types.yaml:12.` */
function specLine(entry: { provenance: { file: string; line: number } }): string {
  return `Spec: ${entry.provenance.file}:${entry.provenance.line}.`;
}

function headerLine(entry: { header: string }): string {
  return `Header: ${entry.header}.`;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function irqlLine(irql: IrqlModel): string {
  return `IRQL: ${sentence(irql.text)}${irql.note === null ? '' : ` ${sentence(irql.note)}`}`;
}

function salLine(sal: readonly string[]): string | null {
  return sal.length === 0 ? null : `SAL: ${sal.map((s) => `\`${s}\``).join(' ')}`;
}

function paramTags(params: readonly ParamModel[]): string[] {
  return params.map((p) => {
    const what =
      p.type.kind === 'unknown'
        ? p.sal === null
          ? 'Type and direction not stated by the reference.'
          : `\`${p.sal}\`, type not stated by the reference.`
        : `\`${p.sal ?? ''} ${p.type.c}\``.replace('` ', '`');
    return `@param ${p.name} - ${what}${p.description === null ? '' : ` ${sentence(p.description)}`}`;
  });
}

function returnsTag(returns: ReturnsModel): string | null {
  if (returns.void) return null;
  if (returns.type.kind === 'unknown') return '@returns Type not stated by the reference.';
  return `@returns \`${returns.type.c}\`${returns.description === null ? '' : ` ${sentence(returns.description)}`}`;
}

function trailerTags(entry: { since: string | null; seeAlso: readonly string[] }): string[] {
  return [...(entry.since === null ? [] : [`@since ${entry.since}`]), ...entry.seeAlso.map((name) => `@see ${name}`)];
}

/** `Reference page: nf-ndis-x.md.` for entries imported from one (curated entries speak for themselves). */
function pageLine(entry: { page: string | null; origin: string }): string | null {
  return entry.page === null || entry.origin !== 'imported' ? null : `Reference page: ${entry.page}.`;
}

// ---------------------------------------------------------------------------------------------------
// Code layout helpers

/**
 * A function type `(A: T, B: U) => R` for a slot starting at column `indent` with `extra` more
 * characters on its first and last lines (a name before it, a `;` after it). When it does not fit,
 * one parameter per line, indented two more, with a trailing comma.
 */
function functionType(
  oneLine: string,
  params: readonly ParamModel[],
  returns: ReturnsModel,
  indent: number,
  extra: number,
): string {
  if (indent + extra + oneLine.length <= lineWidthMax || params.length === 0) return oneLine;
  const pad = ' '.repeat(indent + 2);
  const lines = params.map((p) => `${pad}${p.name}: ${p.type.ts},`);
  return `(\n${lines.join('\n')}\n${' '.repeat(indent)}) => ${returnText(returns)}`;
}

function returnText(returns: ReturnsModel): string {
  return returns.void ? 'void' : returns.type.name;
}

/** `A | B` on one line after `prefix`, or one member per line with a leading `|`. */
function unionText(members: readonly string[], prefix: number): string {
  const oneLine = members.join(' | ');
  if (prefix + oneLine.length + 1 <= lineWidthMax || members.length < 2) return ` ${oneLine}`;
  return `\n${members.map((m) => `  | ${m}`).join('\n')}`;
}

/** The TypeScript text of a field: `T[]` for arrays, parenthesized when `T` is a union. */
function fieldTs(field: FieldModel): string {
  if (field.count === null) return field.type.ts;
  return field.type.ts.includes(' | ') ? `(${field.type.ts})[]` : `${field.type.ts}[]`;
}

/** Which generated module declares a referenced type. */
function moduleOf(ref: TypeRefModel, model: Model): 'roles' | 'types' | null {
  if (ref.kind === 'rolePointer') return 'roles';
  if (ref.kind === 'void') return null;
  return model.byName.get(ref.name)?.kind === 'type' ? 'types' : null;
}

function importsFrom(refs: readonly TypeRefModel[], model: Model, module: 'roles' | 'types'): string[] {
  return uniqueSorted(refs.filter((ref) => moduleOf(ref, model) === module).map((ref) => ref.name));
}

function signatureRefs(entry: { params: readonly ParamModel[]; returns: ReturnsModel }): TypeRefModel[] {
  return [...entry.params.map((p) => p.type), entry.returns.type];
}

function uniqueSorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort(compareStrings);
}

// ---------------------------------------------------------------------------------------------------
// types.ts

interface FieldView {
  doc: DocView;
  name: string;
  optional: boolean;
  ts: string;
}

interface EnumMemberView {
  name: string;
  value: number;
  /** Doc inside the const object (indented). */
  memberDoc: DocView;
  /** Doc of the member's own top-level constant. */
  constDoc: DocView;
}

interface TypeView {
  name: string;
  doc: DocView;
  /** Right-hand side of `export type NAME =` for scalars, handles, void and pointers. */
  alias: string | null;
  enum: { union: string; objectDoc: DocView; members: EnumMemberView[] } | null;
  struct: { fields: FieldView[] } | null;
  /** For opaque structures: the private brand symbol that hides the fields. */
  opaque: { brand: string } | null;
}

interface ConstantView {
  name: string;
  doc: DocView;
  type: string;
  value: string;
}

function typesView(model: Model): {
  roleImports: string[];
  boxDoc: DocView;
  types: TypeView[];
  constants: ConstantView[];
} {
  const refs = model.types.flatMap((t) => t.fields.map((f) => f.type));
  return {
    roleImports: importsFrom(refs, model, 'roles'),
    boxDoc: new DocBuilder(0)
      .text(
        'A writable box: what a pointer to a value becomes. The callee writes through it with `.value = …`, as C writes through `*Pointer`; a pointer to a structure is the structure object itself.',
      )
      .build(),
    types: model.types.map((type) => typeView(type, model)),
    constants: model.constants.map(constantView),
  };
}

function typeView(type: TypeModel, model: Model): TypeView {
  const view: TypeView = { name: type.name, doc: typeDoc(type), alias: null, enum: null, struct: null, opaque: null };
  switch (type.typeKind) {
    case 'scalar':
    case 'handle':
    case 'void':
    case 'pointer':
      view.alias = type.ts;
      break;
    case 'enum': {
      if (!type.complete) {
        // Members without values (an imported enumeration): the type is a number, the members unnamed.
        view.alias = 'number';
        break;
      }
      const values = [...new Set(type.values.map((v) => v.value!))].sort((a, b) => a - b);
      view.enum = {
        union: values.length === 0 ? 'never' : values.join(' | '),
        objectDoc: new DocBuilder(0)
          .text(
            `The members of ${type.name} by name (\`${type.name}.${type.values[0]?.name ?? 'Member'}\`). Each member is also exported on its own, as C code uses them.`,
          )
          .build(),
        members: type.values.map((value) => {
          const description = value.description === null ? null : sentence(value.description);
          return {
            name: value.name,
            value: value.value!,
            memberDoc: new DocBuilder(2).text(description ?? `${type.name} member ${value.name}.`).build(),
            constDoc: new DocBuilder(0)
              .text(`${description === null ? '' : `${description} `}A member of ${type.name}.`)
              .build(),
          };
        }),
      };
      break;
    }
    case 'struct':
      if (type.opaque) {
        const brand = `${type.name}_BRAND`;
        if (model.byName.has(brand))
          throw new Error(`render-ts: the brand ${brand} of opaque ${type.name} collides with a spec name`);
        view.opaque = { brand };
      } else {
        view.struct = {
          fields: type.fields.map((field) => ({
            doc: fieldDoc(field),
            name: field.name,
            optional: field.optional,
            ts: fieldTs(field),
          })),
        };
      }
      break;
  }
  return view;
}

function typeDoc(type: TypeModel): DocView {
  const facts: string[] = [];
  switch (type.typeKind) {
    case 'scalar':
      facts.push(
        `C: \`${type.c ?? type.name}\`${type.bits === null ? '' : `, ${type.bits} bits`}${type.signed === null ? '' : type.signed ? ', signed' : ', unsigned'}.`,
      );
      break;
    case 'handle':
      facts.push(
        `C: \`${type.c ?? 'void *'}\`. Opaque to the driver: anything NDIS or the driver hands over passes as is.`,
      );
      break;
    case 'pointer':
      facts.push(
        type.ts.startsWith('Box<')
          ? `C: \`${type.to ?? 'VOID'} *\`. A writable box; the callee writes through \`.value\`.`
          : `C: \`${type.to ?? 'VOID'} *\`. The structure object itself (objects are references already).`,
      );
      break;
    case 'struct':
      facts.push(`C: \`struct ${type.tag ?? `_${type.name}`}\`.`);
      if (!type.complete) facts.push('The reference states no field types: every field is `unknown` here.');
      if (type.opaque) {
        facts.push(
          `Opaque: its fields (${type.fields.map((f) => f.name).join(', ')}) are hidden; only the DDIs that own it read or write them.`,
        );
      }
      break;
    case 'enum':
      facts.push(`C: \`enum ${type.tag ?? `_${type.name}`}\`.`);
      if (!type.complete) {
        facts.push(
          `Members: ${type.values.map((v) => v.name).join(', ') || 'none listed'}; the reference states no values, so the type is a plain number here.`,
        );
      }
      break;
    case 'void':
      break;
  }
  facts.push(headerLine(type), specLine(type));
  const page = pageLine(type);
  if (page !== null) facts.push(page);
  return new DocBuilder(0)
    .text(type.description)
    .text(...facts)
    .tags(type.since === null ? [] : [`@since ${type.since}`])
    .build();
}

function fieldDoc(field: FieldModel): DocView {
  const notes: string[] = [];
  if (field.count !== null) notes.push(`C: an array of ${field.count} \`${field.type.c}\`.`);
  const text = [field.description === null ? null : sentence(field.description), ...notes]
    .filter((t) => t !== null)
    .join(' ');
  return new DocBuilder(2).text(text === '' ? `${field.name}.` : text).build();
}

function constantView(constant: ConstantModel): ConstantView {
  return {
    name: constant.name,
    type: constant.type,
    value: constant.ts,
    doc: new DocBuilder(0)
      .text(constant.description)
      .text(`C: \`${constant.c}\`.`, headerLine(constant), specLine(constant))
      .tags([`@since ${constant.since}`])
      .build(),
  };
}

// ---------------------------------------------------------------------------------------------------
// roles.ts

interface RoleView {
  name: string;
  /** The pointer typedef, or null (no handler type is exported) where the reference does not name it. */
  pointer: string | null;
  doc: DocView;
  declaratorDoc: DocView;
  pointerDoc: DocView;
  /** The role's function type, laid out for a slot at column 2 (`impl: …,`). */
  signature: string;
  /** ` A | B` or a multi-line union for `export type POINTER =`. */
  accepts: string;
}

function rolesView(model: Model): { typeImports: string[]; roles: RoleView[] } {
  return {
    typeImports: importsFrom(model.roles.flatMap(signatureRefs), model, 'types'),
    roles: model.roles.map((role) => roleView(role, model)),
  };
}

function roleView(role: RoleModel, model: Model): RoleView {
  const accepts = role.accepts;
  const acceptsText =
    accepts.length === 1 ? accepts[0]! : `${accepts.slice(0, -1).join(', ')} or ${accepts[accepts.length - 1]!}`;
  const example = roleExample(role, model);
  return {
    name: role.name,
    pointer: role.pointer,
    signature: functionType(role.tsSignature, role.params, role.returns, 2, 'impl: ,'.length),
    accepts: unionText(accepts, `export type ${role.pointer ?? ''} =`.length),
    doc: new DocBuilder(0)
      .text(role.description)
      .text(
        `A function role (C: \`${role.name}\`, the \`_Function_class_\` of ${role.function ?? 'its functions'}). Declare a function with it as \`${role.name}('My…', impl)\`, the counterpart of C's \`${role.name} My…;\`.`,
      )
      .text(
        irqlLine(role.irql),
        salLine(role.sal),
        role.mayCall === 'anyLevel'
          ? 'May call: only DDIs callable at any IRQL.'
          : 'May call: any DDI whose IRQL contract the current IRQL meets.',
        role.invokedBy.length === 0 ? null : `Invoked by: ${role.invokedBy.join(', ')}.`,
        role.registeredIn === null ? null : `Registered in: ${role.registeredIn}.`,
        role.variantOf === null ? null : `Variant of: ${role.variantOf} (${role.interrupt ?? 'any'} interrupts).`,
        role.variants.length === 0 ? null : `Variants: ${role.variants.join(', ')}.`,
        role.rules.length === 0 ? null : `Checked by: ${role.rules.join(', ')}.`,
        headerLine(role),
        specLine(role),
        pageLine(role),
      )
      .bullets('@remarks', role.remarks.map(sentence))
      .tags([...paramTags(role.params), returnsTag(role.returns)])
      .example(example)
      .tags(trailerTags(role))
      .build(),
    declaratorDoc: new DocBuilder(0)
      .text(
        `Declares a ${role.name} function: returns \`impl\` wrapped so it carries its role and name. Under the simulator each call is checked against the role's contract; otherwise it calls \`impl\` straight through.`,
      )
      .text(
        'Throws TypeError when the name is not a C identifier, `impl` is not a function, or `impl` is already declared.',
      )
      .example(example)
      .build(),
    pointerDoc: new DocBuilder(0)
      .text(
        `A pointer to a function declared with ${acceptsText} (C: \`${role.pointerC}\`). A function declared with another role, or not declared with a role at all, is a compile error: the counterpart of Code Analysis warning C28023.`,
        role.variantOf === null ? null : `Strict: a function declared with ${role.variantOf} is not accepted.`,
      )
      .text(specLine(role))
      .tags(role.since === null ? [] : [`@since ${role.since}`])
      .build(),
  };
}

/** An example name for a role whose page names no conventional function: NDIS_PD_FLUSH_QUEUE → NdisPdFlushQueue. */
function exampleBase(role: string): string {
  return role
    .toLowerCase()
    .split('_')
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/**
 * `const MySynchronizeInterrupt = MINIPORT_SYNCHRONIZE_INTERRUPT('MySynchronizeInterrupt', (…) => { … });`
 * as the WDK examples declare them, broken over lines when that line is too long for a doc comment.
 */
function roleExample(role: RoleModel, model: Model): string[] {
  const name = `My${(role.function ?? exampleBase(role.name)).replace(/^Miniport/, '')}`;
  const body: string[] = [];
  for (const param of role.params) {
    const pointer = model.byName.get(param.type.name);
    if (param.direction === 'in' || pointer?.kind !== 'type' || !pointer.ts.startsWith('Box<') || pointer.to === null)
      continue;
    const target = model.byName.get(pointer.to);
    const value = target?.kind === 'type' ? zeroOf(target, model) : null;
    if (value !== null) body.push(`${param.name}.value = ${value};`);
  }
  if (!role.returns.void) {
    const type = model.byName.get(role.returns.type.name);
    body.push(`return ${type?.kind === 'type' ? (zeroOf(type, model) ?? 'undefined') : 'undefined'};`);
  }
  if (body.length === 0) body.push('// …');
  const params = `(${role.params.map((p) => p.name).join(', ')}) => {`;
  const head = `const ${name} = ${role.name}('${name}', ${params}`;
  // Doc comment lines lose three columns to ` * `.
  if (head.length <= lineWidthMax - 3) return [head, ...body.map((l) => `  ${l}`), '});'];
  const arrow =
    params.length + 2 <= lineWidthMax - 3
      ? [`  ${params}`]
      : ['  (', ...role.params.map((p) => `    ${p.name},`), '  ) => {'];
  return [`const ${name} = ${role.name}(`, `  '${name}',`, ...arrow, ...body.map((l) => `    ${l}`), '  },', ');'];
}

/** A plausible value of a type for examples: true for BOOLEAN, the first enum member, a zero constant or 0. */
function zeroOf(type: TypeModel, model: Model): string | null {
  if (type.typeKind === 'enum') return type.values[0] === undefined ? null : type.values[0].name;
  if (type.typeKind !== 'scalar') return null;
  if (type.ts === 'boolean') return 'true';
  const constant = model.constants.find((c) => c.type === type.name && Number(c.value) === 0);
  if (constant !== undefined) return constant.name;
  return type.ts === 'bigint' ? '0n' : '0';
}

// ---------------------------------------------------------------------------------------------------
// functions.ts

interface FunctionView {
  name: string;
  doc: DocView;
  /** The function type, laid out for `export type NAME = …;`. */
  signature: string;
}

function functionsView(model: Model): {
  typeImports: string[];
  roleImports: string[];
  functions: FunctionView[];
  tableDoc: DocView;
  members: { name: string; doc: DocView }[];
} {
  const refs = model.functions.flatMap(signatureRefs);
  return {
    typeImports: importsFrom(refs, model, 'types'),
    roleImports: importsFrom(refs, model, 'roles'),
    functions: model.functions.map(functionView),
    tableDoc: new DocBuilder(0)
      .text(
        'Every DDI of the spec, by name. The simulator implements this table and hands it to the driver; a driver calls DDIs only through it, so the harness sees every call.',
      )
      .build(),
    members: model.functions.map((fn) => ({
      name: fn.name,
      doc: new DocBuilder(2)
        .text(
          `${fn.description === null ? fn.name : sentence(firstSentence(fn.description))} IRQL: ${sentence(fn.irql.text)}`,
        )
        .build(),
    })),
  };
}

function firstSentence(text: string): string {
  const match = /^(.*?[.!?])(\s|$)/.exec(text);
  return match === null ? text : match[1]!;
}

function functionView(fn: FunctionModel): FunctionView {
  return {
    name: fn.name,
    signature: functionType(fn.tsSignature, fn.params, fn.returns, 0, `export type ${fn.name} = ;`.length),
    doc: new DocBuilder(0)
      .text(fn.description)
      .text(
        irqlLine(fn.irql),
        salLine(fn.sal),
        fn.macro ? 'C: a macro, not an exported function.' : null,
        fn.rules.length === 0 ? null : `Checked by: ${fn.rules.join(', ')}.`,
        fn.compliance.length === 0 ? null : `Static Driver Verifier rules: ${fn.compliance.join(', ')}.`,
        headerLine(fn),
        specLine(fn),
        pageLine(fn),
      )
      .bullets('@remarks', fn.remarks.map(sentence))
      .tags([...paramTags(fn.params), returnsTag(fn.returns)])
      .tags(trailerTags(fn))
      .build(),
  };
}

// ---------------------------------------------------------------------------------------------------
// rules.ts

function rulesView(model: Model): { doc: DocView; ids: string } {
  const ids = model.rules.map((rule) => `'${rule.id}'`);
  return {
    doc: new DocBuilder(0)
      .text(
        'A rule id of the harness: every report carries one, and entries list the rules that check them. Each is a row of the rule table (metadata.rules), with the Windows bug checks it stands for.',
      )
      .build(),
    ids: ids.length === 0 ? ' never' : unionText(ids, 'export type RuleId ='.length),
  };
}

// ---------------------------------------------------------------------------------------------------
// index.ts

interface ExportView {
  /** `export` or `export type`. */
  keyword: string;
  names: string[];
  from: string;
}

function indexView(model: Model): { exports: ExportView[] } {
  const valueEnum = (t: TypeModel): boolean => t.typeKind === 'enum' && t.complete;
  const typeValues = model.types.flatMap((t) => (valueEnum(t) ? [t.name, ...t.values.map((v) => v.name)] : []));
  const typeOnly = ['Box', ...model.types.filter((t) => !valueEnum(t)).map((t) => t.name)];
  const exports: ExportView[] = [
    {
      keyword: 'export type',
      names: model.functions.map((f) => f.name).concat('NdisFunctions'),
      from: './functions.js',
    },
    { keyword: 'export', names: ['metadata'], from: './metadata.js' },
    { keyword: 'export', names: model.roles.map((r) => r.name), from: './roles.js' },
    {
      keyword: 'export type',
      names: model.roles.flatMap((r) => (r.pointer === null ? [] : [r.pointer])),
      from: './roles.js',
    },
    { keyword: 'export type', names: ['RuleId'], from: './rules.js' },
    { keyword: 'export', names: [...typeValues, ...model.constants.map((c) => c.name)], from: './types.js' },
    { keyword: 'export type', names: typeOnly, from: './types.js' },
  ];
  return { exports: exports.filter((e) => e.names.length > 0).map((e) => ({ ...e, names: uniqueSorted(e.names) })) };
}
