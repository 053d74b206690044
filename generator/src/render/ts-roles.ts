/** The view of src/generated/roles.ts: each role's type, declarator and pointer typedef with their doc comments. */
import type { Model, RoleModel, TypeModel } from '../spec/model.js';
import { roleMetaBinding } from './metadata.js';
import { indexOf } from './model-index.js';
import { ofKind } from './slot-kinds.js';
import {
  DocBuilder,
  functionType,
  headerLine,
  importsFrom,
  irqlLine,
  lineWidthMax,
  pageLine,
  paramTags,
  returnsTag,
  salLine,
  sentence,
  signatureRefs,
  specLine,
  trailerTags,
  unionText,
  type DocView,
} from './ts-text.js';

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
  /** The binding of the role's entry in metadata.js. */
  metaBinding: string;
}

export function rolesView(model: Model): { typeImports: string[]; roles: RoleView[] } {
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
  for (const name of accepts) ofKind('identifier', name, `a role ${role.pointer ?? role.name} accepts`);
  return {
    name: ofKind('identifier', role.name, 'a role name'),
    metaBinding: ofKind('identifier', roleMetaBinding(role.name), 'a role metadata binding'),
    pointer: role.pointer === null ? null : ofKind('identifier', role.pointer, `the pointer typedef of ${role.name}`),
    signature: ofKind(
      'tsSignature',
      functionType(role.tsSignature, role.params, role.returns, 2, 'impl: ,'.length),
      `the signature of ${role.name}`,
    ),
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
  const constant = firstZero(model, type.name);
  if (constant !== undefined) return constant;
  return type.ts === 'bigint' ? '0n' : '0';
}

/** The first constant of the type (in model order, by name) whose value is 0. */
function firstZero(model: Model, type: string): string | undefined {
  return indexOf(model).zeroConstants.get(type)?.[0];
}
