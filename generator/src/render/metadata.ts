/**
 * Annotation metadata: src/generated/metadata.json, and the same table as a module (metadata.js, typed
 * by metadata.d.ts), one entry per role (variants included), function and type, with SAL strings and
 * the structured IRQL contract. The module is JavaScript with a declaration so that programs importing
 * @ddikit/ndis do not type-check thousands of lines of data on every build.
 */
import type { FieldModel, FunctionModel, IrqlModel, Model, ParamModel, RoleModel, TypeModel } from '../spec/model.js';
import { entryAbi, recordLayouts, type RecordLayout, type Target } from './c-layout.js';
import type { RuleModel } from '../spec/rules.js';
import type { OutputFile, RenderContext } from './output.js';
import { ofKind } from './slot-kinds.js';
import { tidy } from './templates.js';

export function renderMetadata(context: RenderContext): OutputFile[] {
  const metadata = metadataOf(context.model);
  const json = JSON.stringify({ $comment: context.provenance(null), ...metadata }, null, 2);
  const roles = context.model.roles.map((role, i) => ({
    name: ofKind('identifier', role.name, 'a role name'),
    binding: ofKind('identifier', roleMetaBinding(role.name), 'a role metadata binding'),
    literal: tsLiteral(metadata.roles[i], ''),
  }));
  return [
    { path: 'src/generated/metadata.json', content: `${json}\n` },
    {
      path: 'src/generated/metadata.js',
      content: tidy(
        context.templates.get('ts/metadata.js')({
          provenance: context.provenance('ts/metadata.js'),
          metadataTypes: context.runtimeImports.metadataTypes,
          roles,
          metadataLiteral: metadataLiteral(
            roles.map((role) => role.binding),
            metadata,
          ),
        }),
      ),
    },
    {
      path: 'src/generated/metadata.d.ts',
      content: tidy(
        context.templates.get('ts/metadata.d.ts')({
          provenance: context.provenance('ts/metadata.d.ts'),
          metadataTypes: context.runtimeImports.metadataTypes,
          roles,
        }),
      ),
    },
  ];
}

/**
 * The binding of a role's metadata in metadata.js. Each role's entry is a constant of its own, so a
 * bundle that imports one role's declarator keeps that entry and drops the rest of the table.
 */
export function roleMetaBinding(role: string): string {
  return `${role}_META`;
}

/** `{ roles: [A_META, …], functions: […], types: […], rules: […] }`, the roles by their bindings. */
function metadataLiteral(roleBindings: readonly string[], metadata: ReturnType<typeof metadataOf>): string {
  const roles =
    roleBindings.length === 0 ? '[]' : `[\n${roleBindings.map((binding) => `    ${binding},`).join('\n')}\n  ]`;
  const sections = {
    functions: metadata.functions,
    types: metadata.types,
    rules: metadata.rules,
    layouts: metadata.layouts,
  };
  const parts = [
    `roles: ${roles}`,
    ...Object.entries(sections).map(([key, value]) => `${key}: ${tsLiteral(value, '  ')}`),
  ];
  return `{\n${parts.map((part) => `  ${part},`).join('\n')}\n}`;
}

export function metadataOf(model: Model): {
  roles: object[];
  functions: object[];
  types: object[];
  rules: object[];
  layouts: Record<Target, RecordLayout[]>;
} {
  return {
    roles: model.roles.map((r) => roleMeta(r, model)),
    functions: model.functions.map((f) => functionMeta(f, model)),
    types: model.types.map(typeMeta),
    rules: model.rules.map(ruleMeta),
    layouts: {
      wasm32: [...recordLayouts(model, 'wasm32').values()],
      x64: [...recordLayouts(model, 'x64').values()],
    },
  };
}

/** Everything the harness's verifier needs of a rule: the table @ddikit/sim reports by. */
function ruleMeta(rule: RuleModel): object {
  return {
    id: rule.id,
    title: rule.title,
    summary: rule.summary,
    severity: rule.severity,
    source: rule.source,
    bugChecks: rule.bugChecks.map((b) => ({
      code: b.code,
      name: b.name,
      p1: b.p1,
      when: b.when,
      parameters: b.parameters,
    })),
    compliance: rule.compliance === null ? null : { rule: rule.compliance.rule, code: rule.compliance.code },
  };
}

function provenance(entry: { provenance: { file: string; line: number } }): string {
  return `${entry.provenance.file}:${entry.provenance.line}`;
}

function params(list: readonly ParamModel[]): object[] {
  return list.map((p) => ({
    name: p.name,
    type: p.type.name,
    direction: p.direction,
    optional: p.optional,
    sal: p.sal,
  }));
}

export function irqlMeta(irql: IrqlModel): object {
  return {
    min: irql.min,
    max: irql.max,
    same: irql.same,
    raisesTo: irql.raisesTo,
    saves: irql.saves,
    restores: irql.restores,
    // A condition stated in words carries its text and names no parameter; a parameter test keeps the
    // shape it always had.
    when: irql.when.map((c) =>
      c.param === null
        ? { param: null, equals: null, condition: c.condition, min: c.min, max: c.max }
        : { param: c.param, equals: c.equals, min: c.min, max: c.max },
    ),
    reason: irql.reason,
  };
}

function roleMeta(role: RoleModel, model: Model): object {
  return {
    name: role.name,
    header: role.header,
    since: role.since,
    provenance: provenance(role),
    function: role.function,
    pointer: role.pointerC,
    interrupt: role.interrupt,
    params: params(role.params),
    returns: { type: role.returns.type.name },
    sal: role.sal,
    irql: irqlMeta(role.irql),
    abi: role.prototype ? entryAbi(model, role) : null,
    mayCall: role.mayCall,
    invokedBy: role.invokedBy,
    registeredIn: role.registeredIn,
    variants: role.variants,
    variantOf: role.variantOf,
    rules: role.rules,
  };
}

function functionMeta(fn: FunctionModel, model: Model): object {
  return {
    name: fn.name,
    header: fn.header,
    since: fn.since,
    provenance: provenance(fn),
    macro: fn.macro,
    params: params(fn.params),
    returns: { type: fn.returns.type.name },
    sal: fn.sal,
    irql: irqlMeta(fn.irql),
    abi: fn.prototype ? entryAbi(model, fn) : null,
    rules: fn.rules,
    compliance: fn.compliance,
  };
}

function typeMeta(type: TypeModel): object {
  return {
    name: type.name,
    header: type.header,
    since: type.since,
    provenance: provenance(type),
    kind: type.typeKind,
    bits: type.bits,
    signed: type.signed,
    to: type.to,
    ...(type.pointerSized ? { pointerSized: true } : {}),
    ...(type.record !== null ? { record: type.record } : {}),
    ...(type.union ? { union: true } : {}),
    ...(type.pack !== null ? { pack: type.pack } : {}),
    fields: type.fields.map(fieldMeta),
    values: type.values.map((v) => ({ name: v.name, value: v.value })),
  };
}

function fieldMeta(f: FieldModel): object {
  return {
    name: f.name,
    type: f.type.name,
    count: f.count,
    optional: f.optional,
    ...(f.members !== null ? { members: f.members.map(fieldMeta) } : {}),
    ...(f.union ? { union: true } : {}),
    ...(f.anonymous ? { anonymous: true } : {}),
    ...(f.width !== null ? { width: f.width } : {}),
  };
}

/** A TypeScript object literal as a person would write it: unquoted keys, single quotes, short lists inline. */
export function tsLiteral(value: unknown, indent: string): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    const escaped = value
      .replace(/\\/g, '\\\\')
      .replace(/'/g, "\\'")
      .replace(/\n/g, '\\n')
      .replace(/[\r\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return `'${escaped}'`;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => tsLiteral(item, inner));
    const oneLine = `[${items.join(', ')}]`;
    if (value.every((item) => typeof item !== 'object' || item === null) && oneLine.length + indent.length <= 100)
      return oneLine;
    return `[\n${items.map((item) => `${inner}${item},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const key = (k: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `'${k}'`);
  const parts = entries.map(([k, v]) => `${key(k)}: ${tsLiteral(v, inner)}`);
  const oneLine = `{ ${parts.join(', ')} }`;
  if (!oneLine.includes('\n') && oneLine.length + indent.length <= 100) return oneLine;
  return `{\n${parts.map((part) => `${inner}${part},`).join('\n')}\n${indent}}`;
}
