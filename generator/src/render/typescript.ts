/**
 * TypeScript declarations of @ddikit/ndis: src/generated/types.ts (scalars, handles, pointers, enums,
 * structures, constants), roles.ts (role types, their declarators, the handler typedefs),
 * functions.ts (DDI signatures and the NdisFunctions table), rules.ts (the RuleId union) and index.ts
 * (named re-exports).
 * Every name, import list, doc comment and line break is computed here (doc comments and layout in
 * ts-text.ts, the roles in ts-roles.ts); the templates lay them out.
 */
import type { ConstantModel, FieldModel, FunctionModel, Model, TypeModel } from '../spec/model.js';
import type { OutputFile, RenderContext } from './output.js';
import { ofKind } from './slot-kinds.js';
import { tidy } from './templates.js';
import { rolesView } from './ts-roles.js';
import {
  DocBuilder,
  fieldTs,
  functionType,
  headerLine,
  importsFrom,
  irqlLine,
  pageLine,
  paramTags,
  returnsTag,
  salLine,
  sentence,
  signatureRefs,
  specLine,
  trailerTags,
  unionText,
  uniqueSorted,
  type DocView,
} from './ts-text.js';

export { wrap, type DocView } from './ts-text.js';

export function renderTs(context: RenderContext): OutputFile[] {
  const { model, templates } = context;
  const file = (name: string, view: object): OutputFile => ({
    path: `src/generated/${name}`,
    content: tidy(templates.get(`ts/${name}`)({ provenance: context.provenance(`ts/${name}`), ...view })),
  });
  return [
    file('functions.ts', functionsView(model)),
    file('index.ts', indexView(model)),
    file('roles.ts', { ...rolesView(model), runtime: context.runtimeImports.role }),
    file('rules.ts', rulesView(model)),
    file('types.ts', typesView(model)),
  ];
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
  const name = ofKind('identifier', type.name, 'a type name');
  const view: TypeView = { name, doc: typeDoc(type), alias: null, enum: null, struct: null, opaque: null };
  switch (type.typeKind) {
    case 'scalar':
    case 'handle':
    case 'void':
    case 'pointer':
      view.alias = ofKind('tsType', type.ts, `the TypeScript type of ${type.name}`);
      break;
    case 'enum': {
      if (!type.complete) {
        // Members without values (an imported enumeration): the type is a number, the members unnamed.
        view.alias = 'number';
        break;
      }
      const values = [...new Set(type.values.map((v) => v.value!))].sort((a, b) => a - b);
      for (const value of values) ofKind('integer', String(value), `a value of ${type.name}`);
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
            name: ofKind('identifier', value.name, `a member of ${type.name}`),
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
          // A member C declares without a name has no name in TypeScript either.
          fields: type.fields
            .filter((field) => !field.anonymous)
            .map((field) => ({
              doc: fieldDoc(field),
              name: ofKind('identifier', field.name, `a field of ${type.name}`),
              // A C union holds one of its members at a time: in TypeScript each is optional.
              optional: field.optional || type.union,
              ts: ofKind('tsType', fieldTs(field), `the TypeScript type of ${type.name}.${field.name}`),
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
    name: ofKind('identifier', constant.name, 'a constant name'),
    type: ofKind('identifier', constant.type, `the type of ${constant.name}`),
    value: ofKind('tsLiteral', constant.ts, `the value of ${constant.name}`),
    doc: new DocBuilder(0)
      .text(constant.description)
      .text(`C: \`${constant.c}\`.`, headerLine(constant), specLine(constant))
      .tags([`@since ${constant.since}`])
      .build(),
  };
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
    name: ofKind('identifier', fn.name, 'a function name'),
    signature: ofKind(
      'tsSignature',
      functionType(fn.tsSignature, fn.params, fn.returns, 0, `export type ${fn.name} = ;`.length),
      `the signature of ${fn.name}`,
    ),
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
  const ids = model.rules.map((rule) => `'${ofKind('ruleId', rule.id, 'a rule id')}'`);
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
  for (const { names } of exports) for (const name of names) ofKind('identifier', name, 'an exported name');
  return { exports: exports.filter((e) => e.names.length > 0).map((e) => ({ ...e, names: uniqueSorted(e.names) })) };
}
