/**
 * The structures of the harness ndis.h as the layout model takes them, built from the generated
 * metadata (the spec is the one source: field names, types reduced to storage kinds, unions, members
 * declared in place, packing). `_anon_*` records are members declared in place. A record with
 * bit-fields (NET_LUID) is read and written whole, as its 64-bit value: the harness never needs a part.
 */
import { metadata } from '@ddikit/ndis';
import {
  array,
  bool,
  enumType,
  handler,
  i32,
  i64,
  pointer,
  record,
  u16,
  u32,
  u64,
  u8,
  uptr,
  type CType,
  type FieldSpec,
  type RecordSpec,
} from './layout.js';

interface FieldMeta {
  readonly name: string;
  readonly type: string;
  readonly count: number | null;
  readonly members?: readonly FieldMeta[];
  readonly union?: true;
  readonly anonymous?: true;
  readonly width?: number;
}

interface TypeMeta {
  readonly name: string;
  readonly kind: string;
  readonly bits: number | null;
  readonly signed: boolean | null;
  readonly to: string | null;
  readonly pointerSized?: true;
  readonly record?: string;
  readonly union?: true;
  readonly pack?: number;
  readonly fields: readonly FieldMeta[];
}

const META = metadata as unknown as {
  readonly types: readonly TypeMeta[];
  readonly roles: readonly { readonly name: string; readonly pointer: string }[];
  readonly layouts: { readonly wasm32: readonly { readonly name: string }[] };
};

const types = new Map(META.types.map((t) => [t.name, t]));
const rolesByPointer = new Map(META.roles.map((r) => [r.pointer, r.name]));

const hasBitFields = (fields: readonly FieldMeta[]): boolean =>
  fields.some((f) => f.width !== undefined || (f.members !== undefined && hasBitFields(f.members)));

function scalarOf(type: TypeMeta): CType {
  if (type.record !== undefined) return recordOf(type.record);
  if (type.pointerSized === true) return uptr;
  if (type.name === 'BOOLEAN') return bool;
  switch (type.bits) {
    case 8:
      return u8;
    case 16:
      return u16;
    case 64:
      return type.signed === true ? i64 : u64;
    default:
      return type.signed === true ? i32 : u32;
  }
}

function recordOf(name: string): CType {
  const type = types.get(name);
  return type !== undefined && hasBitFields(type.fields) ? u64 : record(name);
}

function typeOf(name: string): CType {
  const role = rolesByPointer.get(name);
  if (role !== undefined) return handler(role);
  const type = types.get(name);
  if (type === undefined) throw new Error(`ndis-records: the metadata has no type ${name}`);
  switch (type.kind) {
    case 'pointer':
      return pointer(type.to ?? 'void');
    case 'handle':
      return pointer(type.to ?? 'void');
    case 'enum':
      return enumType;
    case 'struct':
      return recordOf(type.name);
    default:
      return scalarOf(type);
  }
}

function recordSpecs(type: TypeMeta): RecordSpec[] {
  const out: RecordSpec[] = [];
  const pack = type.pack === undefined ? {} : { pack: type.pack };
  const fieldsOf = (list: readonly FieldMeta[], prefix: string): FieldSpec[] =>
    list.map((f) => {
      if (f.members === undefined) {
        const element = typeOf(f.type);
        return { name: f.name, type: f.count === null ? element : array(element, f.count) };
      }
      const name = `_anon_${prefix}_${f.name}`;
      out.push({
        name,
        ...(f.union === true ? { union: true } : {}),
        ...pack,
        fields: fieldsOf(f.members, `${prefix}_${f.name}`),
      });
      const inner = record(name);
      return {
        name: f.name,
        type: f.count === null ? inner : array(inner, f.count),
        ...(f.anonymous === true ? { anonymous: true } : {}),
      };
    });
  out.push({
    name: type.name,
    ...(type.union === true ? { union: true } : {}),
    ...pack,
    fields: fieldsOf(type.fields, type.name),
  });
  return out;
}

/** Every structure of known layout (the metadata's wasm32 layouts), members declared in place first. */
export const NDIS_RECORDS: readonly RecordSpec[] = META.layouts.wasm32
  .map((l) => types.get(l.name)!)
  .filter((t) => !hasBitFields(t.fields))
  .flatMap(recordSpecs);

/** Handler fields of the records: field name → [record, role]. */
export function handlerFields(records: readonly RecordSpec[]): Map<string, readonly [string, string]> {
  const out = new Map<string, readonly [string, string]>();
  for (const r of records) {
    for (const f of r.fields) {
      if (f.type.kind === 'pointer' && f.type.role !== undefined) out.set(f.name, [r.name, f.type.role]);
    }
  }
  return out;
}
