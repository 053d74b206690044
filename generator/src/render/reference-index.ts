/** The reference index (README.md) and the shared types page (types.md). */
import { compareStrings } from '../diagnostics.js';
import type { ConstantModel, EntryModel, FunctionModel, RoleModel, TypeModel } from '../spec/model.js';
import {
  cell,
  code,
  escapeTableCell,
  familyTitle,
  firstSentence,
  link,
  ownPageKinds,
  sharedTypesPage,
  commentSafe,
  prose,
  type LinkTable,
} from './markdown.js';
import type { RenderContext } from './output.js';

const sharedKinds = [
  { kind: 'scalar', title: 'Scalars' },
  { kind: 'handle', title: 'Handles' },
  { kind: 'pointer', title: 'Pointers' },
  { kind: 'void', title: 'Void' },
] as const;

function anchored(stem: string, name: string): string {
  return escapeTableCell(`<a id="${stem}"></a>${code(name)}`);
}

export function sharedTypesView(context: RenderContext, links: LinkTable): object {
  const { model } = context;
  const row = (t: TypeModel): object => ({
    name: anchored(t.stem, t.name),
    c: t.c === null ? '—' : escapeTableCell(code(t.c)),
    bits: t.bits === null ? '—' : String(t.bits),
    signed: t.signed === null ? '—' : t.signed ? 'yes' : 'no',
    ts: escapeTableCell(code(t.ts)),
    to: t.to === null ? '—' : escapeTableCell(link(links, t.to)),
    header: escapeTableCell(code(t.header)),
    description: cell(t.description),
  });
  const constantRow = (c: ConstantModel): object => ({
    name: anchored(c.stem, c.name),
    type: escapeTableCell(link(links, c.type)),
    c: escapeTableCell(code(c.c)),
    ts: escapeTableCell(code(c.ts)),
    description: cell(c.description),
  });
  const groups = sharedKinds.map(({ kind, title }) => {
    const rows = model.types.filter((t) => t.typeKind === kind).map(row);
    return {
      title,
      rows,
      scalar: kind === 'scalar',
      handle: kind === 'handle',
      pointer: kind === 'pointer',
      void: kind === 'void',
    };
  });
  return {
    provenance: commentSafe(context.provenance('md/types.md')),
    groups: groups.filter((g) => g.rows.length > 0),
    constants: model.constants.map(constantRow),
  };
}

// ---------------------------------------------------------------------------------------------------
// Index

function byFamily<T extends EntryModel>(
  entries: readonly T[],
  row: (entry: T) => object,
): { title: string; rows: object[] }[] {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const group = groups.get(entry.family);
    if (group === undefined) groups.set(entry.family, [entry]);
    else group.push(entry);
  }
  return [...groups.keys()].sort(compareStrings).map((family) => ({
    title: familyTitle(family),
    rows: groups.get(family)!.map(row),
  }));
}

export function indexView(context: RenderContext, links: LinkTable): object {
  const { model } = context;
  const summary = (entry: EntryModel): string => cell(firstSentence(entry.description));
  const roleRow = (role: RoleModel): object => ({
    link: escapeTableCell(link(links, role.name)),
    function: role.function === null ? '—' : escapeTableCell(code(role.function)),
    summary:
      role.variantOf === null
        ? summary(role)
        : escapeTableCell(prose(`Variant of ${role.variantOf}. ${firstSentence(role.description) ?? ''}`.trim())),
  });
  const functionRow = (fn: FunctionModel): object => ({
    link: escapeTableCell(link(links, fn.name)),
    irql: escapeTableCell(prose(fn.irql.text)),
    summary: summary(fn),
  });
  const typeRow = (type: TypeModel): object => ({
    link: escapeTableCell(link(links, type.name)),
    kind: type.typeKind,
    summary: summary(type),
  });
  const pageTypes = model.types.filter((t) => ownPageKinds.has(t.typeKind));
  const shared = model.types.filter((t) => !ownPageKinds.has(t.typeKind));
  const rules = model.rules.map((rule) => ({
    id: anchored(rule.anchor, rule.id),
    meaning: escapeTableCell(prose(rule.summary)),
  }));
  return {
    provenance: commentSafe(context.provenance('md/index.md')),
    headers: model.headers.map(code).join(', '),
    counts: {
      roles: model.roles.length,
      functions: model.functions.length,
      structs: pageTypes.filter((t) => t.typeKind === 'struct').length,
      enums: pageTypes.filter((t) => t.typeKind === 'enum').length,
      shared: shared.length,
      constants: model.constants.length,
    },
    roles: byFamily(model.roles, roleRow),
    functions: byFamily(model.functions, functionRow),
    structs: pageTypes.filter((t) => t.typeKind === 'struct').map(typeRow),
    enums: pageTypes.filter((t) => t.typeKind === 'enum').map(typeRow),
    shared: shared.map(typeRow),
    constants: model.constants.map((c) => ({ link: escapeTableCell(link(links, c.name)), summary: summary(c) })),
    sharedPage: `./${sharedTypesPage}`,
    rules,
  };
}
