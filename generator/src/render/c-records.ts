/**
 * C text of the structures and unions of the spec, shared by both headers: the definition with its
 * members declared in place (named or anonymous), bit-fields and arrays, under the `#pragma pack` the
 * Windows headers declare it with. Every name and number is checked against its slot kind first.
 */
import type { FieldModel, TypeModel } from '../spec/model.js';
import { cComment } from './c-text.js';
import { ofKind } from './slot-kinds.js';

/** `struct` or `union`. */
export function recordKeyword(type: Pick<TypeModel, 'union'>): 'struct' | 'union' {
  return type.union ? 'union' : 'struct';
}

export function recordTag(type: TypeModel): string {
  return ofKind('identifier', type.tag ?? `_${type.name}`, `the tag of ${type.name}`);
}

/**
 * The lines of a record's definition, `struct _TAG {` through `};`, between `#pragma pack` lines
 * when the record is packed; `cType` gives the C text of a field's type.
 */
export function recordDefinition(type: TypeModel, cType: (field: FieldModel) => string): string[] {
  const lines: string[] = [];
  const pack = type.pack === null ? null : ofKind('integer', String(type.pack), `the packing of ${type.name}`);
  if (pack !== null) lines.push(`#pragma pack(push, ${pack})`);
  lines.push(`${recordKeyword(type)} ${recordTag(type)} {`);
  lines.push(...memberLines(type.fields, type.name, cType, '    '));
  lines.push('};');
  if (pack !== null) lines.push('#pragma pack(pop)');
  return lines;
}

function memberLines(
  fields: readonly FieldModel[],
  owner: string,
  cType: (field: FieldModel) => string,
  indent: string,
): string[] {
  const typed = fields.filter((f) => f.members === null).map(cType);
  let width = 0;
  for (const text of typed) if (text.length > width) width = text.length;
  const lines: string[] = [];
  for (const field of fields) {
    const name = ofKind('identifier', field.name, `a field of ${owner}`);
    const count =
      field.count === null ? '' : `[${ofKind('integer', String(field.count), `the count of ${owner}.${name}`)}]`;
    if (field.members !== null) {
      lines.push(`${indent}${field.union ? 'union' : 'struct'} {`);
      lines.push(...memberLines(field.members, `${owner}.${name}`, cType, `${indent}    `));
      lines.push(`${indent}}${field.anonymous ? '' : ` ${name}`}${count};`);
      continue;
    }
    const type = ofKind('cTypeName', cType(field), `the type of ${owner}.${name}`);
    const bits =
      field.width === null ? '' : ` : ${ofKind('integer', String(field.width), `the width of ${owner}.${name}`)}`;
    lines.push(`${indent}${type.padEnd(width)} ${name}${count}${bits};`);
  }
  return lines;
}

/** A one-line comment for a record, or null. */
export function recordComment(type: TypeModel): string | null {
  return type.opaque ? cComment(['Opaque: drivers leave its fields to the DDIs that take it.']) : null;
}
